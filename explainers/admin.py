"""
The editorial admin: authors edit, medical reviewers approve, publishers publish.

Every workflow button leads to a confirmation page whose view checks the permission again
and then calls the model's named method; the model checks once more and its refusal
(``TransitionNotAllowed``) is shown as a message. The review record (versions, reviews,
history, description approvals) is read-only here for everyone, superusers included.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import F
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from markdownx.models import MarkdownxField
from markdownx.widgets import AdminMarkdownxWidget

from . import forms
from .diffing import diff_versions, word_diff
from .models import (
    Condition,
    ConditionDescriptionApproval,
    Explainer,
    ExplainerEvent,
    ExplainerVersion,
    Review,
    Reviewer,
    ReviewKind,
    Section,
    SiteSettings,
    Source,
    Status,
    TransitionNotAllowed,
)
from .queues import APPROVE, PUBLISH, SUBMIT

ADMIN_CSS = {"all": ["css/admin.css"]}
# Workflow state that only the named methods change; an admin save must not write stale copies back.
WORKFLOW_ATTNAMES = [
    "status",
    "lock_version",
    "published_version_id",
    "public_review_id",
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
        return [("overdue", "Overdue"), ("soon", "Due within 30 days")]

    def queryset(self, request, queryset):
        if self.value() == "overdue":
            return queryset & Explainer.objects.due_for_review()
        if self.value() == "soon":
            return queryset & Explainer.objects.due_soon()
        return queryset


class SectionInline(admin.StackedInline):
    model = Section
    fields = ["heading", "health_aspect", "body", "position"]
    formfield_overrides = {MarkdownxField: {"widget": AdminMarkdownxWidget}}

    class Media:
        js = ["js/admin-sections.js"]  # live preview for sections added on the page

    def get_extra(self, request, obj=None, **kwargs):
        return 0 if obj else 1  # a new explainer starts with one empty section


class SourceInline(admin.TabularInline):
    model = Source
    fields = ["citation", "url", "pmid", "doi", "position"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    extra = 0


@admin.register(Explainer)
class ExplainerAdmin(admin.ModelAdmin):
    form = forms.ExplainerAdminForm
    inlines = [SectionInline, SourceInline]
    list_display = ["question", "condition", "status_label", "last_updated", "next_review_due"]
    list_select_related = ["condition"]
    list_filter = ["status", ReviewDueFilter, "condition"]
    search_fields = ["question", "slug", "tldr", "condition__name"]
    prepopulated_fields = {"slug": ["question"]}
    readonly_fields = ["status_label", "published_at", "last_updated", "next_review_due", "created_by"]
    fieldsets = [
        (None, {"fields": ["condition", "question", "slug", "tldr"]}),
        (
            "Workflow",
            {
                "fields": [
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
    actions = ["publish_selected"]
    # Publishers may change an explainer's scheduling and page details; the clinical text is the authors'.
    CONTENT_FIELDS = ["condition", "question", "slug", "tldr", "format_labels"]

    class Media:
        css = ADMIN_CSS

    def writes_content(self, request):
        return request.user.has_perm("explainers.change_section")

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        return readonly if self.writes_content(request) else readonly + self.CONTENT_FIELDS

    def get_prepopulated_fields(self, request, obj=None):
        return super().get_prepopulated_fields(request, obj) if self.writes_content(request) else {}

    @admin.display(description="Status", ordering="status")
    def status_label(self, explainer):
        return explainer.status_label

    @admin.action(permissions=["publish"], description="Publish selected approved explainers")
    def publish_selected(self, request, queryset):
        for explainer in queryset:  # one at a time, so each publish runs the model's checks
            try:
                explainer.publish(by=request.user)
            except TransitionNotAllowed as error:
                self.message_user(request, str(error), messages.WARNING)
            else:
                self.message_user(request, f"Published “{explainer}”.", messages.SUCCESS)

    def has_publish_permission(self, request):
        return request.user.has_perm(PUBLISH)

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
        """Return the buttons this user may press on this explainer, with reasons for the ones withheld."""
        user, status = request.user, explainer.status
        actions, notes = [], []
        version = explainer.latest_version()
        contributed = bool(version and version.contributors.filter(pk=user.pk).exists())
        if user.has_perm(SUBMIT) and status in (
            Status.DRAFT,
            Status.CHANGES_REQUESTED,
            Status.PUBLISHED,
            Status.WITHDRAWN,
        ):
            actions.append(("Submit for review", "submit", "default"))
        if user.has_perm(APPROVE) and status == Status.IN_REVIEW:
            if contributed:
                notes.append(
                    "You edited this version, so another medical reviewer must approve it or "
                    "request changes (separation of duties)."
                )
            else:
                actions.append(("Review this version", "review", "default"))
        if user.has_perm(PUBLISH) and status == Status.APPROVED:
            actions.append(("Publish", "publish", "default"))
        if user.has_perm(PUBLISH) and explainer.is_public:
            actions.append(("Schedule review", "schedule", ""))
            actions.append(("Withdraw", "withdraw", "danger"))
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

    # -- workflow pages -----------------------------------------------------

    def get_urls(self):
        def view(function, name):
            return path(
                f"<path:object_id>/{name}/", self.admin_site.admin_view(function), name=f"explainers_explainer_{name}"
            )

        return [
            view(self.submit_view, "submit"),
            view(self.review_view, "review"),
            view(self.publish_view, "publish"),
            view(self.withdraw_view, "withdraw"),
            view(self.schedule_view, "schedule"),
        ] + super().get_urls()

    def _url(self, name, explainer):
        return reverse(f"admin:explainers_explainer_{name}", args=[explainer.pk])

    def _explainer_or_404(self, request, object_id):
        explainer = self.get_object(request, unquote(object_id))
        if explainer is None:
            raise Http404("No explainer with that id.")
        if not self.has_view_or_change_permission(request, explainer):
            raise PermissionDenied
        return explainer

    def _confirm(
        self, request, object_id, *, permission, form_class, title, intro, button, perform, button_style="default"
    ):
        """Show a confirmation page; on POST, run ``perform`` and report its outcome as a message."""
        explainer = self._explainer_or_404(request, object_id)
        if not request.user.has_perm(permission):
            raise PermissionDenied
        data = request.POST if request.method == "POST" else None  # an empty POST (publish) is still a POST
        form = form_class(data, initial=self._initial(form_class, explainer))
        if request.method == "POST" and form.is_valid():
            try:
                success = perform(explainer, form.cleaned_data)
            except TransitionNotAllowed as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.message_user(request, success, messages.SUCCESS)
            return redirect("admin:explainers_explainer_change", explainer.pk)
        return TemplateResponse(
            request,
            "admin/explainers/explainer/workflow_confirm.html",
            {
                **self._page_context(request, explainer, title),
                "intro": intro,
                "form": form,
                "button": button,
                "button_style": button_style,
            },
        )

    def _initial(self, form_class, explainer):
        if form_class is forms.ScheduleReviewForm:
            return {"due": explainer.next_review_due}
        return {}

    def _page_context(self, request, explainer, title):
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "explainer": explainer,
            "original": explainer,
            "title": title,
            "has_view_permission": self.has_view_permission(request, explainer),
            "change_url": reverse("admin:explainers_explainer_change", args=[explainer.pk]),
            "media": self.media,
        }

    def submit_view(self, request, object_id):
        def perform(explainer, data):
            version = explainer.submit_for_review(by=request.user, comment=data["comment"])
            return f"Submitted version {version.number} of “{explainer}” for clinical review."

        return self._confirm(
            request,
            object_id,
            permission=SUBMIT,
            form_class=forms.SubmitForm,
            title="Submit for review",
            intro="The current text is frozen as a new version and sent to the medical reviewers. Any later edit "
            "sends it back to draft.",
            button="Submit for review",
            perform=perform,
        )

    def publish_view(self, request, object_id):
        def perform(explainer, data):
            explainer.publish(by=request.user)
            return f"Published “{explainer}”: the approved version is now on the public site."

        return self._confirm(
            request,
            object_id,
            permission=PUBLISH,
            form_class=forms.PublishForm,
            title="Publish",
            intro="The version the medical reviewer approved becomes the public page. Edits made since are not "
            "published.",
            button="Publish",
            perform=perform,
        )

    def withdraw_view(self, request, object_id):
        def perform(explainer, data):
            explainer.withdraw(by=request.user, reason=data["reason"])
            return f"Withdrew “{explainer}” from the public site."

        return self._confirm(
            request,
            object_id,
            permission=PUBLISH,
            form_class=forms.WithdrawForm,
            title="Withdraw",
            intro="The page disappears from the public site. Its versions, reviews and history are kept.",
            button="Withdraw",
            perform=perform,
            button_style="danger",
        )

    def schedule_view(self, request, object_id):
        def perform(explainer, data):
            explainer.schedule_review(by=request.user, due=data["due"])
            return f"The next review of “{explainer}” is due on {data['due']:%d %B %Y}."

        return self._confirm(
            request,
            object_id,
            permission=PUBLISH,
            form_class=forms.ScheduleReviewForm,
            title="Schedule review",
            intro="Set when a medical reviewer should next review this explainer. The date is shown on the public "
            "page as “Next review due”.",
            button="Schedule review",
            perform=perform,
        )

    def review_view(self, request, object_id):
        """Show what changed since the last approval and the page as the public would see it; take a decision."""
        explainer = self._explainer_or_404(request, object_id)
        version = explainer.latest_version()
        if version is None:
            self.message_user(request, f"“{explainer}” has not been submitted for review yet.", messages.WARNING)
            return redirect("admin:explainers_explainer_change", explainer.pk)
        user = request.user
        contributed = version.contributors.filter(pk=user.pk).exists()
        can_decide = user.has_perm(APPROVE) and explainer.status == Status.IN_REVIEW and not contributed
        form = forms.ReviewDecisionForm(request.POST if request.method == "POST" else None)
        if request.method == "POST":
            if not user.has_perm(APPROVE):
                raise PermissionDenied
            if contributed:
                self.message_user(
                    request,
                    "You edited this version, so another medical reviewer must approve it or request changes.",
                    messages.ERROR,
                )
                return redirect("admin:explainers_explainer_change", explainer.pk)
            if form.is_valid():
                return self._decide(request, explainer, form.cleaned_data)
        base = (
            Review.objects.filter(
                explainer=explainer, kind__in=[ReviewKind.FULL, ReviewKind.MINOR], version__number__lt=version.number
            )
            .select_related("version")
            .order_by("-pk")
            .first()
        )
        context = {
            **self._page_context(request, explainer, f"Review “{explainer}”, version {version.number}"),
            "version": version,
            "submission": explainer.events.filter(action="submitted", version=version).select_related("actor").first(),
            "base_version": base.version if base else None,
            "diff": diff_versions(base.version if base else None, version),
            "form": form,
            "can_decide": can_decide,
            "contributed": contributed and user.has_perm(APPROVE),
            "minor_allowed": explainer.reviews.filter(kind=ReviewKind.FULL).exists(),
            "changed_since_submission": version.content_hash != explainer.working_hash(),
        }
        return TemplateResponse(request, "admin/explainers/explainer/review.html", context)

    def _decide(self, request, explainer, data):
        try:
            if data["decision"] == ReviewKind.CHANGES_REQUESTED:
                explainer.request_changes(by=request.user, comments=data["comments"])
                success = f"Sent “{explainer}” back to its authors with your comments."
            else:
                review = explainer.approve(by=request.user, kind=data["decision"], comments=data["comments"])
                kind = review.get_kind_display().lower()
                success = f"Approved “{explainer}” ({kind}); a publisher can now publish it."
        except TransitionNotAllowed as error:
            self.message_user(request, str(error), messages.ERROR)
        else:
            self.message_user(request, success, messages.SUCCESS)
        return redirect("admin:explainers_explainer_change", explainer.pk)


@admin.register(Condition)
class ConditionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "description_awaits_approval", "community_size"]
    list_select_related = ["approved_description"]
    search_fields = ["name", "alternate_names"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["public_description_display", "description_edited_by"]
    fields = [
        "name",
        "slug",
        "alternate_names",
        "description",
        "public_description_display",
        "description_edited_by",
        "community_size",
    ]

    class Media:
        css = ADMIN_CSS

    @admin.display(boolean=True, description="Description awaiting approval")
    def description_awaits_approval(self, condition):
        return condition.description_awaits_approval

    @admin.display(description="Approved description (public)")
    def public_description_display(self, condition):
        approval = condition.approved_description
        if approval is None:
            return "None yet: the public page shows no description until a medical reviewer approves one."
        return format_html(
            '{}<br><span class="quiet">Approved by {}, {} on {:%d %B %Y}.</span>',
            approval.text,
            approval.reviewer_name,
            approval.reviewer_credentials,
            approval.approved_at,
        )

    def save_model(self, request, obj, form, change):
        if "description" in form.changed_data:
            obj.description_edited_by = request.user
        super().save_model(request, obj, form, change)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        condition = self.get_object(request, unquote(object_id))
        if condition is not None:
            extra_context = {**(extra_context or {}), **self.approval_context(request, condition)}
        return super().change_view(request, object_id, form_url, extra_context)

    def approval_context(self, request, condition):
        user = request.user
        return {
            "description_awaits_approval": condition.description_awaits_approval,
            "can_approve_description": user.has_perm(APPROVE) and condition.description_edited_by_id != user.pk,
            "edited_description_yourself": user.has_perm(APPROVE) and condition.description_edited_by_id == user.pk,
            "approve_description_url": reverse("admin:explainers_condition_approve_description", args=[condition.pk]),
        }

    def get_urls(self):
        return [
            path(
                "<path:object_id>/approve-description/",
                self.admin_site.admin_view(self.approve_description_view),
                name="explainers_condition_approve_description",
            ),
        ] + super().get_urls()

    def approve_description_view(self, request, object_id):
        condition = self.get_object(request, unquote(object_id))
        if condition is None:
            raise Http404("No condition with that id.")
        if not request.user.has_perm(APPROVE):
            raise PermissionDenied
        if request.method == "POST":
            try:
                condition.approve_description(by=request.user)
            except TransitionNotAllowed as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.message_user(
                    request, f"Approved the description of “{condition}”; it is now public.", messages.SUCCESS
                )
            return redirect("admin:explainers_condition_change", condition.pk)
        return TemplateResponse(
            request,
            "admin/explainers/condition/approve_description.html",
            {
                **self.admin_site.each_context(request),
                **self.approval_context(request, condition),
                "opts": self.opts,
                "original": condition,
                "condition": condition,
                "title": f"Approve the description of “{condition}”",
                "has_view_permission": self.has_view_permission(request, condition),
                "description_diff": word_diff(condition.public_description, condition.description),
                "media": self.media,
            },
        )


@admin.register(Reviewer)
class ReviewerAdmin(admin.ModelAdmin):
    list_display = ["display_name", "credentials", "specialty", "user"]
    list_select_related = ["user"]
    search_fields = ["display_name", "credentials", "specialty", "user__username"]
    prepopulated_fields = {"slug": ["display_name"]}

    def has_change_permission(self, request, obj=None):
        # A medical reviewer keeps their own public profile current, not a colleague's.
        if obj is not None and not request.user.is_superuser and obj.user_id != request.user.pk:
            return False
        return super().has_change_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = db_field.related_model.objects.filter(is_staff=True, is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(SiteSettings)
class SiteSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "community_name", "review_interval_months"]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not SiteSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


class RecordAdmin(admin.ModelAdmin):
    """The review record: anyone with view permission may read it; nobody may add, change or delete it."""

    actions = None

    class Media:
        css = ADMIN_CSS

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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
    list_display = ["condition", "reviewer_name", "approved_at"]
    list_select_related = ["condition"]
    search_fields = ["condition__name", "reviewer_name", "text"]
