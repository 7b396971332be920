"""
The source registry in the admin: find, add and correct references, and mark one superseded or
retracted (which flags every page whose published text relies on it).

Editing a reference's citation edits every working copy that cites it, so each such explainer
records the edit (its author or reviewer becomes a contributor, and a pending approval is voided),
exactly as if the text had been changed on its own page.
"""

from functools import partial

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from .admin_parts import ADMIN_CSS, OwnerFilter, RecordAdmin
from .models import Explainer, LinkCheck, Reference, ReferenceStatus, ReviewFlag, TransitionNotAllowed

BIBLIOGRAPHIC_FIELDS = ["citation", "url", "pmid", "doi", "guideline_id", "publisher", "published_on"]


class MarkReferenceForm(forms.Form):
    change = forms.ChoiceField(
        label="What happened",
        choices=[
            (ReferenceStatus.SUPERSEDED, "Superseded by a newer source (e.g. an updated guideline)"),
            (ReferenceStatus.RETRACTED, "Retracted by its publisher"),
        ],
        widget=forms.RadioSelect,
    )
    replacement = forms.ModelChoiceField(
        label="Superseded by",
        queryset=Reference.objects.all(),
        required=False,
        help_text="The newer source; add it to the registry first if it is not there.",
    )
    note = forms.CharField(
        label="Note for owners and reviewers",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What changed and what to check, e.g. “2026 update lowers the recommended starting dose.”",
    )

    def __init__(self, *args, reference, admin_site, **kwargs):
        super().__init__(*args, **kwargs)
        self.reference = reference
        self.fields["replacement"].widget = AutocompleteSelect(Reference._meta.get_field("superseded_by"), admin_site)
        self.fields["replacement"].queryset = Reference.objects.exclude(pk=reference.pk)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("change") == ReferenceStatus.SUPERSEDED and not cleaned.get("replacement"):
            self.add_error("replacement", "Choose the source that supersedes this one.")
        return cleaned


@admin.register(Reference)
class ReferenceAdmin(admin.ModelAdmin):
    list_display = ["citation", "status", "link_result", "link_checked_at"]
    list_filter = ["status", "link_result"]
    search_fields = ["citation", "doi", "pmid", "url", "guideline_id"]
    search_help_text = "Searches citations, DOIs, PubMed IDs, addresses and guideline ids."
    show_full_result_count = False
    fields = [*BIBLIOGRAPHIC_FIELDS, "standing", "link_check", "cited_by"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    readonly_fields = ["standing", "link_check", "cited_by"]

    class Media:
        css = ADMIN_CSS

    def has_delete_permission(self, request, obj=None):
        return False  # pages and frozen versions cite references: they are marked, never deleted

    @admin.display(description="Status")
    def standing(self, reference):
        if reference.status == ReferenceStatus.CURRENT:
            return "Current"
        text = f"{reference.get_status_display()} on {reference.status_changed_at:%d %B %Y}"
        if reference.superseded_by_id:
            text += f" by “{reference.superseded_by}”"
        return f"{text}. {reference.status_note}"

    @admin.display(description="Link check")
    def link_check(self, reference):
        if reference.link_checked_at is None:
            return "Not checked yet (manage.py check_links)."
        return f"{reference.get_link_result_display()} on {reference.link_checked_at:%d %B %Y}: {reference.link_detail}"

    @admin.display(description="Cited by the published text of")
    def cited_by(self, reference):
        explainers = list(
            Explainer.objects.published().filter(published_version__citations__reference=reference).distinct()[:50]
        )
        if not explainers:
            return "No published page."
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                '<li><a href="{}">{}</a></li>',
                ((reverse("admin:explainers_explainer_change", args=[e.pk]), e.question) for e in explainers),
            ),
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and set(form.changed_data) & set(BIBLIOGRAPHIC_FIELDS):
            # Every working copy citing it now reads differently: each records the edit.
            for explainer in Explainer.objects.filter(sources__reference=obj).distinct():
                explainer.record_edit(by=request.user)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        reference = self.get_object(request, unquote(object_id))
        extra = {}
        if reference is not None and reference.mark_refusal(request.user) is None:
            extra["mark_url"] = reverse("admin:explainers_reference_mark", args=[reference.pk])
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **extra})

    def get_urls(self):
        return [
            path(
                "<path:object_id>/mark/",
                self.admin_site.admin_view(partial(mark_view, self)),
                name="explainers_reference_mark",
            ),
            *super().get_urls(),
        ]


def mark_view(model_admin, request, object_id):
    """Mark a reference superseded or retracted, after showing which published pages it will flag."""
    reference = model_admin.get_object(request, unquote(object_id))
    if reference is None:
        raise Http404("No reference with that id.")
    if not request.user.has_perm("explainers.mark_reference"):
        raise PermissionDenied
    change_url = reverse("admin:explainers_reference_change", args=[reference.pk])
    if refusal := reference.mark_refusal(request.user):
        messages.error(request, refusal)
        return redirect(change_url)
    form = MarkReferenceForm(request.POST or None, reference=reference, admin_site=model_admin.admin_site)
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["change"] == ReferenceStatus.SUPERSEDED:
                flags = reference.mark_superseded(
                    by=request.user, replacement=form.cleaned_data["replacement"], note=form.cleaned_data["note"]
                )
            else:
                flags = reference.mark_retracted(by=request.user, note=form.cleaned_data["note"])
        except TransitionNotAllowed as refusal:
            messages.error(request, str(refusal))
        else:
            count = len(flags)
            messages.success(
                request,
                f"“{reference}” is marked {reference.get_status_display().lower()}. "
                + (
                    f"{count} published page{'s' if count != 1 else ''} relying on it "
                    f"{'are' if count != 1 else 'is'} flagged for re-review, and their owners are told."
                    if count
                    else "No published page cites it."
                ),
            )
            return redirect(change_url)
    affected = Explainer.objects.published().filter(published_version__citations__reference=reference).distinct()
    return TemplateResponse(
        request,
        "admin/explainers/reference/mark.html",
        {
            **model_admin.admin_site.each_context(request),
            "opts": model_admin.opts,
            "original": reference,
            "reference": reference,
            "title": f"Mark “{reference}” superseded or retracted",
            "form": form,
            "media": model_admin.media + form.media,
            "affected": list(affected.select_related("owner")[:50]),
            "affected_count": affected.count(),
            "change_url": change_url,
        },
    )


@admin.register(ReviewFlag)
class ReviewFlagAdmin(RecordAdmin):
    """Read-only: flags are raised by marking a source and cleared by publishing a full review."""

    list_display = ["explainer", "reference", "reason", "raised_at", "raised_by", "cleared_at"]
    list_select_related = ["explainer", "reference", "raised_by"]
    list_filter = [("cleared_at", admin.EmptyFieldListFilter), "reason"]
    search_fields = ["explainer__question", "reference__citation"]


class LinkOwnerFilter(OwnerFilter):
    title = "page owner"
    explainer = "explainer__"


@admin.register(LinkCheck)
class LinkCheckAdmin(RecordAdmin):
    """What manage.py check_links found on each published page: owners filter for their broken links."""

    list_display = ["url", "result", "detail", "explainer", "page_owner", "checked_at"]
    list_select_related = ["explainer", "explainer__owner"]
    list_filter = ["result", LinkOwnerFilter]
    search_fields = ["url", "explainer__question"]
    show_full_result_count = False

    @admin.display(description="Owner", ordering="explainer__owner")
    def page_owner(self, check):
        owner = check.explainer.owner
        return (owner.get_full_name() or owner.get_username()) if owner else "—"
