"""Admin forms: the explainer's edit form with its edit lock, and the workflow decision forms."""

from django import forms
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from accounts.signatures import SignatureForm

from .models import Explainer, ReviewKind, SiteSettings


class ExplainerAdminForm(forms.ModelForm):
    """The explainer edit form, refused when someone else saved since it was opened."""

    lock_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Explainer
        fields = [
            "condition",
            "question",
            "slug",
            "tldr",
            "get_help_level",
            "get_help_text",
            "format_labels",
            "experience_count",
            "position",
            "review_interval_months",
            "owner",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Who owned the page when the form opened, so the history can say whom it was handed from.
        self.initial_owner = self.instance.owner if self.instance.pk else None
        if self.instance.pk:
            self.fields["lock_version"].initial = self.instance.lock_version

    def clean(self):
        cleaned_data = super().clean()
        if self.instance.pk and self.is_stale(cleaned_data.get("lock_version")):
            raise ValidationError(stale_edit_message(self.instance), code="stale")
        return cleaned_data

    def is_stale(self, submitted):
        current = Explainer.objects.filter(pk=self.instance.pk).values_list("lock_version", flat=True).first()
        return submitted is None or submitted != current


def stale_edit_message(explainer):
    """Say who saved the newer version and when, with a link to open it beside the unsaved text."""
    entry = (
        LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(Explainer), object_id=str(explainer.pk))
        .select_related("user")
        .order_by("-action_time", "-pk")
        .first()
    )
    who = (entry.user.get_full_name() or entry.user.get_username()) if entry else "Someone else"
    when = timezone.localtime(entry.action_time if entry else explainer.updated_at).strftime("%H:%M")
    return format_html(
        "{} saved a newer version at {}; your text is still below and has not been saved. "
        '<a href="{}" target="_blank" rel="noopener">Open the newer version in a new tab</a> '
        "and merge your changes into it.",
        who,
        when,
        reverse("admin:explainers_explainer_change", args=[explainer.pk]),
    )


class SectionFormSet(forms.BaseInlineFormSet):
    """The explainer form's sections, refused when a section or the whole explainer is longer than the site allows.

    A save may not make text longer than the limits; one that leaves it as long as before, or
    shorter, is let through, so lowering a limit never traps existing text (publishers, who cannot
    shorten it, still save page details) and submitting for review refuses it until it fits.
    """

    default_error_messages = {
        "too_many_forms": "An explainer can have at most %(num)d sections: merge some, or split the explainer in two.",
    }

    def clean(self):
        super().clean()
        site = SiteSettings.load()
        bodies, saved_bodies = [], [form.initial.get("body", "") for form in self.initial_forms]
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or self._should_delete_form(form) or "body" not in form.cleaned_data:
                continue
            body = form.cleaned_data["body"]
            bodies.append(body)
            if len(body) > len(form.initial.get("body", "")) and (reason := site.section_length_refusal(body)):
                form.add_error("body", ValidationError(reason, code="section_too_long"))
        explainer = self.instance
        total = len(explainer.question) + len(explainer.tldr) + sum(map(len, bodies))
        if site.explainer_length_refusal(total) and total > self.saved_length(explainer, saved_bodies):
            raise ValidationError(site.explainer_length_refusal(total), code="explainer_too_long")

    @staticmethod
    def saved_length(explainer, saved_bodies):
        saved = Explainer.objects.filter(pk=explainer.pk).values_list("question", "tldr").first() or ("", "")
        return sum(map(len, saved)) + sum(map(len, saved_bodies))


class VersionSeenForm(SignatureForm):
    """Carry the version a decision page showed, so the decision applies to exactly what the person read.

    The person signs the decision with their password or a one-time code (accounts.signatures).
    """

    version_number = forms.IntegerField(widget=forms.HiddenInput)
    content_hash = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, explainer, version=None, **kwargs):
        self.explainer = explainer
        if version is not None:
            kwargs.setdefault("initial", {}).update(version_number=version.number, content_hash=version.content_hash)
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned_data = super().clean()
        number, digest = cleaned_data.get("version_number"), cleaned_data.get("content_hash")
        if number is not None and digest:
            version = self.explainer.versions.filter(number=number, content_hash=digest).first()
            if version is None:
                raise ValidationError("This page showed a version that does not exist: open it again before deciding.")
            cleaned_data["version"] = version
        return cleaned_data


class SubmitForm(forms.Form):
    change_summary = forms.CharField(
        label="What changed, for readers",
        max_length=200,
        required=False,
        help_text="One line shown in the page's public history once published, e.g. “Added the 2026 guidance on "
        "exercise.” The medical reviewer reads it and may correct it.",
    )
    comment = forms.CharField(
        label="Note for the medical reviewer (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="E.g. why it changed, or what to check closely. Kept in the record, not shown to readers.",
    )

    def __init__(self, *args, explainer, **kwargs):
        self.explainer = explainer
        super().__init__(*args, **kwargs)
        if explainer.first_published_on is None:  # a first version has nothing to compare with
            del self.fields["change_summary"]

    def clean_change_summary(self):
        summary = self.cleaned_data["change_summary"]
        if reason := self.explainer.change_summary_refusal(summary):
            raise ValidationError(reason)
        return summary


class ReviewDecisionForm(VersionSeenForm):
    """A reviewer's decision on the version their page showed; requesting changes needs a comment."""

    DECISIONS = [
        (ReviewKind.FULL, "Approve as full clinical review"),
        (ReviewKind.MINOR, "Approve as minor change"),
        (ReviewKind.CHANGES_REQUESTED, "Request changes"),
    ]

    comments = forms.CharField(
        label="Comments",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Required when requesting changes: it is what the author will work from. Kept in the record.",
    )
    decision = forms.ChoiceField(choices=DECISIONS)
    change_summary = forms.CharField(
        label="What changed, for readers",
        max_length=200,
        required=False,
        help_text="The author's line for the page's public history: correct it if it does not say what changed.",
    )

    corrects_error = forms.BooleanField(
        label="This version corrects a clinically significant error",
        required=False,
        help_text="The page then shows a correction notice with the note below for a while, and its history keeps it.",
    )
    correction_note = forms.CharField(
        label="Public correction note",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For readers: what was wrong and what we corrected, e.g. “An earlier version gave the wrong "
        "dose of prednisolone for children.”",
    )

    confirm_sources = forms.BooleanField(
        label="I checked this version against the changed sources above, and it is still right",
        required=False,
        help_text="Only with a full clinical review. Leave it unticked if the text needs to change: the page stays "
        "flagged for re-review until a version that no longer relies on them is published.",
    )

    def __init__(self, *args, explainer, version=None, **kwargs):
        super().__init__(*args, explainer=explainer, version=version, **kwargs)
        if version is not None:
            self.fields["change_summary"].initial = version.change_summary
        self.changed_sources = version.changed_sources() if version is not None else []
        if not self.changed_sources:
            del self.fields["confirm_sources"]

    def clean(self):
        cleaned_data = super().clean()
        comments = cleaned_data.get("comments", "").strip()
        decision = cleaned_data.get("decision")
        if decision == ReviewKind.CHANGES_REQUESTED and not comments:
            self.add_error("comments", "Say what needs to change: the comment is what the author will work from.")
        corrects, note = cleaned_data.get("corrects_error"), cleaned_data.get("correction_note", "").strip()
        if corrects and decision == ReviewKind.CHANGES_REQUESTED:
            self.add_error("corrects_error", "Only an approval can correct an error on the public page.")
        elif corrects and not note:
            self.add_error("correction_note", "Say what was wrong and what was corrected: readers see this note.")
        elif note and not corrects:
            self.add_error("corrects_error", "Tick this box to publish the note as a correction, or clear the note.")
        cleaned_data["correction_note"] = note if corrects else ""
        if cleaned_data.get("confirm_sources") and decision != ReviewKind.FULL:
            self.add_error(
                "confirm_sources", "Confirming a page against a changed source takes a full clinical review."
            )
        return cleaned_data


def later_field(label, help_text):
    """An optional local date and time at which to carry out a step instead of now."""
    return forms.DateTimeField(
        label=label,
        required=False,
        widget=forms.DateTimeInput(format="%Y-%m-%dT%H:%M", attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text=help_text,
    )


class PublishForm(VersionSeenForm):
    """Publish the approved version the page showed, now or at a chosen time."""

    publish_at = later_field(
        "Publish later, at (optional)",
        "Leave empty to publish now. At the time given, the page is published as you, if the approval still stands.",
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Reason for withdrawing",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept in the explainer's history, e.g. “Guidance changed; being rewritten”.",
    )
    withdraw_at = later_field(
        "Withdraw later, at (optional)",
        "Leave empty to withdraw now, or give the date and time the page should come off the public site.",
    )


class ScheduleReviewForm(forms.Form):
    due = forms.DateField(
        label="Next review due",
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        help_text="The date by which a medical reviewer should review this explainer again.",
    )


class ConditionApprovalForm(SignatureForm):
    """Carry the fingerprint of the condition details the approval page showed; the reviewer signs it."""

    content_hash = forms.CharField(widget=forms.HiddenInput, max_length=64)
