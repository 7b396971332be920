"""
The editorial admin: authors edit, medical reviewers approve, publishers publish.

Declarative, as far as it can be: the workflow pages live in ``admin_views.py``, and every
button here is shown or withheld by asking the model's rule for that step. The review record
(versions, reviews, history, approvals, profile and settings changes) is read-only here for
everyone, superusers included.
"""

import logging
from functools import partial, update_wrapper

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.db import transaction
from django.db.models import F, Q
from django.http import HttpResponseBadRequest
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.views.decorators.csrf import csrf_exempt
from markdownx.models import MarkdownxField
from markdownx.widgets import AdminMarkdownxWidget

from core.cache import public_pages_changed
from evidence.admin import download_evidence_pack

from . import admin_views, forms, references_admin  # noqa: F401 (registers the registry's admin pages)
from .admin_parts import ADMIN_CSS, OwnerFilter, RecordAdmin
from .models import (
    APPROVE,
    PUBLISH,
    Author,
    Condition,
    ConditionDescriptionApproval,
    ConditionEvent,
    Explainer,
    ExplainerEvent,
    ExplainerVersion,
    Review,
    Reviewer,
    ReviewerProfileChange,
    Section,
    SiteSettings,
    SiteSettingsChange,
    Source,
    Status,
)
from .public_paths import paths_showing

# Workflow state that only the named methods change; an admin save must not write stale copies back.
WORKFLOW_ATTNAMES = [
    "status",
    "lock_version",
    "published_version_id",
    "public_review_id",
    "published_review_id",
    "published_at",
    "last_updated",
    "next_review_due",
]

admin.site.site_header = "condinfo editorial"
admin.site.site_title = "condinfo editorial"
admin.site.index_title = "Review queue and content"


class StaleEdit(Exception):
    """Someone else saved the explainer between this form's check and its save."""


class ReviewDueFilter(admin.SimpleListFilter):
    title = "review due"
    parameter_name = "review_due"

    def lookups(self, request, model_admin):
        return [("overdue", "Overdue"), ("soon", f"Due within {settings.CONDINFO_DUE_SOON_DAYS} days")]

    def queryset(self, request, queryset):
        if self.value() == "overdue":
            return queryset & Explainer.objects.due_for_review()
        if self.value() == "soon":
            return queryset & Explainer.objects.due_soon()
        return queryset


class ConditionFilter(admin.ListFilter):
    """Narrow the list to the explainers of conditions whose name or slug contains what was typed.

    Django's default filter for a foreign key links every condition: 10,000 links in a large
    library. A mature admin asks instead (Django's answer for forms is the autocomplete used on the
    change form); without JavaScript that is a text box, answered on PostgreSQL through the
    condition name's and slug's trigram indexes (migration 0012).
    """

    title = "condition"
    parameter_name = "condition"
    template = "admin/explainers/explainer/condition_filter.html"

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        if self.parameter_name in params:
            self.used_parameters[self.parameter_name] = params.pop(self.parameter_name)[-1].strip()

    def value(self):
        return self.used_parameters.get(self.parameter_name, "")

    def has_output(self):
        return True

    def expected_parameters(self):
        return [self.parameter_name]

    def queryset(self, request, queryset):
        if value := self.value():
            return queryset.filter(Q(condition__name__icontains=value) | Q(condition__slug__icontains=value))
        return queryset

    def choices(self, changelist):
        # The text box's form must carry the list's other filters, search and ordering along.
        self.other_parameters = [
            (name, value) for name, value in changelist.params.items() if name != self.parameter_name
        ]
        yield {
            "selected": not self.value(),
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": "All",
        }
        if self.value():
            yield {
                "selected": True,
                "query_string": changelist.get_query_string({self.parameter_name: self.value()}),
                "display": f"Name or slug contains “{self.value()}”",
            }


class SectionInline(admin.StackedInline):
    model = Section
    fields = ["heading", "health_aspect", "body", "position"]
    formfield_overrides = {MarkdownxField: {"widget": AdminMarkdownxWidget}}
    formset = forms.SectionFormSet  # the length limits of the site settings
    # With SourceInline.max_num, keeps the fullest form under DATA_UPLOAD_MAX_NUMBER_FIELDS (settings.py).
    max_num = 100

    class Media:
        js = ["js/admin-sections.js"]  # live preview for sections added on the page

    def get_extra(self, request, obj=None, **kwargs):
        return 0 if obj else 1  # a new explainer starts with one empty section

    def get_formset(self, request, obj=None, **kwargs):
        # Refuse more sections than max_num with a message, not only hide "Add another Section". Not for
        # people who cannot add sections: Django sets their max_num to 0, and their form adds none.
        return super().get_formset(request, obj, validate_max=self.has_add_permission(request, obj), **kwargs)


class SourceInline(admin.TabularInline):
    model = Source
    fields = ["reference", "position"]
    autocomplete_fields = ["reference"]  # the registry: shared sources, found by title, DOI, PMID or address
    extra = 0
    max_num = 100  # see SectionInline.max_num


@admin.register(Explainer)
class ExplainerAdmin(admin.ModelAdmin):
    form = forms.ExplainerAdminForm
    inlines = [SectionInline, SourceInline]
    list_display = ["question", "condition", "status_label", "owner", "last_updated", "next_review_due"]
    list_select_related = ["condition", "owner"]
    list_filter = ["status", ReviewDueFilter, OwnerFilter, ConditionFilter]
    # Each has a trigram index on PostgreSQL (migration 0012); the condition filter searches conditions.
    search_fields = ["question", "slug"]
    search_help_text = "Searches questions and slugs. To find a condition's explainers, use the condition filter."
    show_full_result_count = False  # counting every explainer on each page costs more than it tells
    autocomplete_fields = ["condition"]  # a drop-down of every condition is 10,000 options long
    prepopulated_fields = {"slug": ["question"]}
    readonly_fields = ["status_label", "published_at", "last_updated", "next_review_due", "created_by"]
    fieldsets = [
        (None, {"fields": ["condition", "question", "slug", "tldr"]}),
        ("When to get help", {"fields": ["get_help_level", "get_help_text"]}),
        (
            "Workflow",
            {
                "fields": [
                    "owner",
                    "status_label",
                    "published_at",
                    "last_updated",
                    "next_review_due",
                    "review_interval_months",
                    "created_by",
                ]
            },
        ),
        ("Page details", {"classes": ["collapse"], "fields": ["format_labels", "experience_count", "position"]}),
    ]
    # No bulk workflow actions: publishing is a signature, given one explainer at a time on its publish page.
    # The one action only reads: it downloads an explainer's evidence pack (evidence/admin.py).
    actions = [download_evidence_pack]
    # Publishers may change an explainer's scheduling and page details; the clinical text is the authors'.
    CONTENT_FIELDS = ["condition", "question", "slug", "tldr", "get_help_level", "get_help_text", "format_labels"]
    # Shown on the public page straight from the working copy: community figures and ordering.
    PAGE_DETAIL_FIELDS = ["experience_count", "position"]

    class Media:
        css = ADMIN_CSS

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # the site-wide bulk delete, which explainers never had
        return actions

    def writes_content(self, request):
        return Explainer().edit_refusal(request.user) is None

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not self.writes_content(request):
            readonly += self.CONTENT_FIELDS
        if not Explainer().may_set_review_interval(request.user):
            readonly.append("review_interval_months")
        if not Explainer().may_set_owner(request.user):
            readonly.append("owner")
        return readonly

    def view_on_site(self, explainer):
        return explainer.get_absolute_url()  # the public address, or None (no link) when not public

    def get_prepopulated_fields(self, request, obj=None):
        return super().get_prepopulated_fields(request, obj) if self.writes_content(request) else {}

    @admin.display(description="Status", ordering="status")
    def status_label(self, explainer):
        return explainer.status_label

    # -- saving, with the edit lock ---------------------------------------

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            with transaction.atomic():
                return super().changeform_view(request, object_id, form_url, extra_context)
        except StaleEdit:
            # Lost the race between the form's check and the save: nothing was written, and
            # showing the form again now shows the refusal with everything the user typed.
            return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
            if obj.owner_id is None:
                obj.owner = request.user  # whoever starts a page owns it until a publisher says otherwise
            form.hash_before = None
            obj.save()
            return
        # Claim the next lock version in one conditional UPDATE: of two simultaneous saves, one wins.
        submitted = form.cleaned_data.get("lock_version")
        claimed = Explainer.objects.filter(pk=obj.pk, lock_version=submitted).update(lock_version=F("lock_version") + 1)
        if not claimed:
            raise StaleEdit
        form.hash_before = Explainer.objects.get(pk=obj.pk).working_hash()
        obj.refresh_from_db(fields=WORKFLOW_ATTNAMES)
        obj.save()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        explainer = form.instance
        if change and "owner" in form.changed_data:
            explainer.record_owner_change(by=request.user, previous=form.initial_owner)
        if explainer.is_public and set(form.changed_data) & set(self.PAGE_DETAIL_FIELDS):
            # Not medical text, so shown at once without review: the cached public pages must learn of it.
            public_pages_changed(paths_showing(explainer))
        if form.hash_before is not None and explainer.working_hash() == form.hash_before:
            return
        was = explainer.status
        explainer.record_edit(by=request.user)
        if was != explainer.status:
            self.message_user(
                request,
                f"Your edit sent “{explainer}” back to draft: it was {Status(was).label.lower()}, and an approval "
                "only covers the text the reviewer saw. Submit it for review again when it is ready."
                + (" The public page keeps showing the published version until then." if explainer.is_public else ""),
                messages.WARNING,
            )

    # -- the change page ----------------------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        explainer = self.get_object(request, unquote(object_id))
        if explainer is not None and self.has_view_or_change_permission(request, explainer):
            extra_context = {**(extra_context or {}), **self.workflow_context(request, explainer)}
        return super().change_view(request, object_id, form_url, extra_context)

    def workflow_context(self, request, explainer):
        """Return the buttons this user may press on this explainer, with the reasons for those withheld."""
        user = request.user
        actions, notes = [], []
        version = explainer.latest_version()
        if explainer.submit_refusal(user) is None:
            actions.append(("Submit for review", "submit", "default"))
        if user.has_perm(APPROVE) and explainer.status == Status.IN_REVIEW:
            if (reason := explainer.review_refusal(user, version=version)) is None:
                actions.append(("Review this version", "review", "default"))
            else:
                notes.append(reason)
        if user.has_perm(PUBLISH) and explainer.status == Status.APPROVED:
            if (reason := explainer.publish_refusal(user)) is None:
                actions.append(("Publish", "publish", "default"))
            else:
                notes.append(reason)
        if explainer.schedule_refusal(user) is None:
            actions.append(("Schedule review", "schedule", ""))
        if explainer.withdraw_refusal(user) is None:
            actions.append(("Withdraw", "withdraw", "danger"))
        if explainer.flagged_since:
            notes += [
                f"Flagged for re-review since {explainer.flagged_since:%d %B %Y}. {flag.reason_text}"
                for flag in explainer.open_flags()
            ]
        links = []
        if version is not None:
            links.append((f"See what changed in version {version.number}", "review"))
        return {
            "workflow_actions": [
                {"label": label, "url": self._url(name, explainer), "style": style} for label, name, style in actions
            ],
            "workflow_links": [{"label": label, "url": self._url(name, explainer)} for label, name in links],
            "workflow_notes": notes,
            "explainer_events": explainer.events.select_related("actor", "version")[:100],
            "explainer_reviews": explainer.reviews.select_related("version"),
        }

    # -- workflow pages (admin_views.py) ---------------------------------

    def get_urls(self):
        def view(function, name):
            return path(
                f"<path:object_id>/{name}/",
                self.admin_site.admin_view(partial(function, self)),
                name=f"explainers_explainer_{name}",
            )

        forms_that_save = {f"explainers_explainer_{name}" for name in ("add", "change")}
        return [
            view(admin_views.submit_view, "submit"),
            view(admin_views.review_view, "review"),
            view(admin_views.publish_view, "publish"),
            view(admin_views.withdraw_view, "withdraw"),
            view(admin_views.schedule_view, "schedule"),
        ] + [
            path(str(url.pattern), self.refuse_unreadable_forms(url.callback), name=url.name)
            if url.name in forms_that_save
            else url
            for url in super().get_urls()
        ]

    def refuse_unreadable_forms(self, view):
        """Answer a form too large to read with a page saying nothing was saved, not Django's bare 400."""

        def guarded(request, *args, **kwargs):
            if request.method == "POST":
                try:
                    request.POST  # noqa: B018 (reading the form is the point: Django checks its size then)
                except (TooManyFieldsSent, RequestDataTooBig) as error:
                    logging.getLogger(f"django.security.{type(error).__name__}").warning(str(error))
                    response = self.form_too_large(request, error)
                    add_never_cache_headers(response)  # as admin pages are
                    return response
            return view(request, *args, **kwargs)

        # The CSRF middleware reads the form before any view runs, and answers a form it cannot read
        # with a bare 400. Exempting this wrapper only moves the check into the view: the admin view
        # it wraps is csrf_protect'ed (AdminSite.admin_view), so every readable form is checked as before.
        return csrf_exempt(update_wrapper(guarded, view))

    def form_too_large(self, request, error):
        """Say that nothing was saved and why: the form was too large to read, so it cannot be shown again."""
        if not self.admin_site.has_permission(request):
            return HttpResponseBadRequest("This form is too large.", content_type="text/plain")
        if isinstance(error, TooManyFieldsSent):
            reason = (
                f"it sent more than {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS:,} fields. The explainer form stays "
                f"under that with up to {SectionInline.max_num} sections and {SourceInline.max_num} sources, so "
                "the page was probably changed by a script or a browser extension"
            )
        else:
            reason = (
                f"it sent more than {filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)} of text, more than an "
                f"explainer may hold ({SiteSettings.load().max_explainer_length:,} characters)"
            )
        return TemplateResponse(
            request,
            "admin/explainers/explainer/form_too_large.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": "Nothing was saved",
                "reason": reason,
            },
            status=400,
        )

    def _url(self, name, explainer):
        return reverse(f"admin:explainers_explainer_{name}", args=[explainer.pk])


@admin.register(Condition)
class ConditionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "awaits_approval", "community_size"]
    list_select_related = ["approved_description"]
    search_fields = ["name", "alternate_names"]  # also the explainer form's autocomplete; trigram-indexed
    show_full_result_count = False
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["public_details"]
    fields = ["name", "slug", "alternate_names", "description", "public_details", "community_size"]

    class Media:
        css = ADMIN_CSS

    @admin.display(boolean=True, description="Changes awaiting approval")
    def awaits_approval(self, condition):
        return condition.awaits_approval

    @admin.display(description="Approved details (public)")
    def public_details(self, condition):
        approval = condition.approved_description
        if approval is None:
            return "None yet: the condition and its explainers are not public until a medical reviewer approves it."
        return format_html(
            '<strong>{}</strong>{}<br>{}<br><span class="quiet">Approved by {}, {} on {}.</span>',
            approval.name,
            f" (also known as {', '.join(approval.alternate_name_list)})" if approval.alternate_names else "",
            approval.text or "No description.",
            approval.reviewer_name,
            approval.reviewer_credentials,
            date_format(timezone.localtime(approval.approved_at), "j F Y"),
        )

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.approved_description_id:
            readonly.append("slug")  # the approved address: links and explainer addresses depend on it
        return readonly

    def get_prepopulated_fields(self, request, obj=None):
        return {} if obj is not None and obj.approved_description_id else super().get_prepopulated_fields(request, obj)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change or set(form.changed_data) & set(Condition.REVIEWED_FIELDS):
            obj.record_edit(by=request.user)
        if change and "community_size" in form.changed_data and obj.approved_description_id:
            # Community figures are not medical text and show at once: the cached pages must learn of it.
            public_pages_changed(obj.public_page_paths())

    def change_view(self, request, object_id, form_url="", extra_context=None):
        condition = self.get_object(request, unquote(object_id))
        if condition is not None:
            extra_context = {**(extra_context or {}), **self.approval_context(request, condition)}
        return super().change_view(request, object_id, form_url, extra_context)

    def approval_context(self, request, condition):
        refusal = condition.approval_refusal(request.user)
        return {
            "awaits_approval": condition.awaits_approval,
            "can_approve": refusal is None,
            "approval_refusal": refusal if request.user.has_perm(APPROVE) else None,
            "approve_description_url": reverse("admin:explainers_condition_approve_description", args=[condition.pk]),
        }

    def get_urls(self):
        return [
            path(
                "<path:object_id>/approve-description/",
                self.admin_site.admin_view(partial(admin_views.approve_condition_view, self)),
                name="explainers_condition_approve_description",
            ),
        ] + super().get_urls()


def change_table(rows, *, empty):
    """Return a change history as an HTML table: when, who, what, from → to."""
    if not rows:
        return empty
    body = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        (
            (
                date_format(timezone.localtime(row.at), "j M Y, H:i"),
                row.actor.get_full_name() or row.actor.get_username(),
                row.field,
                row.old_value,
                row.new_value,
            )
            for row in rows
        ),
    )
    return format_html(
        '<table class="change-history"><thead><tr><th scope="col">When</th><th scope="col">Who</th>'
        '<th scope="col">Field</th><th scope="col">Was</th><th scope="col">Became</th></tr></thead>'
        "<tbody>{}</tbody></table>",
        body,
    )


@admin.register(Reviewer)
class ReviewerAdmin(admin.ModelAdmin):
    list_display = ["display_name", "credentials", "specialty", "registration_verified_on", "user"]
    list_select_related = ["user"]
    search_fields = ["display_name", "credentials", "specialty", "user__username", "registration_number"]
    fields = ["user", *Reviewer.IDENTITY_FIELDS, *Reviewer.OWN_FIELDS, "history"]

    class Media:
        css = ADMIN_CSS

    def has_add_permission(self, request):
        return request.user.has_perm(Reviewer.MANAGE)

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return request.user.has_perm(Reviewer.MANAGE) or request.user.has_perm("explainers.change_reviewer")
        return bool(obj.editable_fields(request.user))

    def has_delete_permission(self, request, obj=None):
        return False  # reviews point at profiles; a profile stays, with its history

    def get_readonly_fields(self, request, obj=None):
        editable = (obj or Reviewer()).editable_fields(request.user) if obj else Reviewer.IDENTITY_FIELDS
        if obj is None and request.user.has_perm(Reviewer.MANAGE):
            editable = ["user", *Reviewer.IDENTITY_FIELDS, *Reviewer.OWN_FIELDS]
        return [name for name in self.fields if name not in editable]

    def get_prepopulated_fields(self, request, obj=None):
        return {"slug": ["display_name"]} if "slug" not in self.get_readonly_fields(request, obj) else {}

    @admin.display(description="Changes to this profile")
    def history(self, reviewer):
        if not reviewer.pk:
            return "—"
        return change_table(
            reviewer.changes.select_related("actor").order_by("-pk")[:100], empty="No changes recorded yet."
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = db_field.related_model.objects.filter(
                is_staff=True, is_active=True, reviewer_profile__isnull=True
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        obj.save_with_history(by=request.user)


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    """Bylines: set by people who may change author profiles (``change_author``), never by authors themselves."""

    list_display = ["display_name", "role", "user"]
    list_select_related = ["user"]
    search_fields = ["display_name", "role", "user__username"]
    fields = ["user", "display_name", "role", "bio", "slug"]
    prepopulated_fields = {"slug": ["display_name"]}

    class Media:
        css = ADMIN_CSS

    def has_delete_permission(self, request, obj=None):
        return False  # a byline is taken off by editing the profile, never by losing it silently

    def get_readonly_fields(self, request, obj=None):
        return ["user"] if obj else []  # the account behind a byline never changes

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = db_field.related_model.objects.filter(is_staff=True, author_profile__isnull=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        obj.save_profile()


@admin.register(SiteSettings)
class SiteSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "community_name", "review_interval_months", "max_review_interval_months"]
    readonly_fields = ["history"]

    class Media:
        css = ADMIN_CSS

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not SiteSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Changes to these settings")
    def history(self, site_settings):
        return change_table(
            SiteSettingsChange.objects.select_related("actor").order_by("-pk")[:100], empty="No changes recorded yet."
        )

    def save_model(self, request, obj, form, change):
        obj.save_with_history(by=request.user)


@admin.register(ExplainerVersion)
class ExplainerVersionAdmin(RecordAdmin):
    list_display = ["question", "number", "explainer", "created_by", "created_at"]
    list_select_related = ["explainer", "created_by"]
    list_filter = ["created_at"]
    search_fields = ["question", "body_text", "explainer__question"]
    fields = [
        "explainer",
        "number",
        "question",
        "tldr",
        "format_labels",
        "preview",
        "contributors",
        "created_by",
        "created_at",
        "content_hash",
    ]
    readonly_fields = ["preview"]

    @admin.display(description="Sections, as published")
    def preview(self, version):
        # Section HTML was sanitised by rendering.render_markdown when the version was frozen.
        sections = format_html_join(
            "",
            "<h3>{}</h3>{}",
            ((s["heading"], mark_safe(s["html"])) for s in version.sections),  # noqa: S308
        )
        return format_html('<div class="explainer-preview">{}</div>', sections)


@admin.register(Review)
class ReviewAdmin(RecordAdmin):
    list_display = ["explainer", "version_number", "kind", "reviewer_name", "reviewed_on"]
    list_select_related = ["explainer", "version"]
    list_filter = ["kind", "reviewed_on"]
    search_fields = ["explainer__question", "reviewer_name", "comments"]

    @admin.display(description="Version", ordering="version__number")
    def version_number(self, review):
        return review.version.number


@admin.register(ExplainerEvent)
class ExplainerEventAdmin(RecordAdmin):
    list_display = ["at", "explainer", "action", "actor", "from_status", "to_status"]
    list_select_related = ["explainer", "actor"]
    list_filter = ["action", "to_status"]
    search_fields = ["explainer__question", "action", "comment", "actor__username"]


@admin.register(ConditionDescriptionApproval)
class ConditionDescriptionApprovalAdmin(RecordAdmin):
    list_display = ["name", "condition", "reviewer_name", "approved_at"]
    list_select_related = ["condition"]
    search_fields = ["condition__name", "name", "reviewer_name", "text"]


@admin.register(ConditionEvent)
class ConditionEventAdmin(RecordAdmin):
    list_display = ["at", "condition", "action", "actor"]
    list_select_related = ["condition", "actor"]
    list_filter = ["action"]
    search_fields = ["condition__name", "actor__username"]


@admin.register(ReviewerProfileChange)
class ReviewerProfileChangeAdmin(RecordAdmin):
    list_display = ["at", "reviewer", "field", "old_value", "new_value", "actor"]
    list_select_related = ["reviewer", "actor"]
    list_filter = ["field"]
    search_fields = ["reviewer__display_name", "old_value", "new_value", "actor__username"]


@admin.register(SiteSettingsChange)
class SiteSettingsChangeAdmin(RecordAdmin):
    list_display = ["at", "field", "actor"]
    list_select_related = ["actor"]
    list_filter = ["field"]
    search_fields = ["field", "old_value", "new_value", "actor__username"]
