"""Admin forms: the explainer's edit form with its edit lock, and the workflow decision forms."""

from django import forms
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from .models import Explainer, ReviewKind


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
            "format_labels",
            "experience_count",
            "position",
            "review_interval_months",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
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


class VersionSeenForm(forms.Form):
    """Carry the version a decision page showed, so the decision applies to exactly what the person read."""

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
    comment = forms.CharField(
        label="Note for the medical reviewer (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="E.g. what changed since the last approval and why.",
    )


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

    def clean(self):
        cleaned_data = super().clean()
        comments = cleaned_data.get("comments", "").strip()
        if cleaned_data.get("decision") == ReviewKind.CHANGES_REQUESTED and not comments:
            self.add_error("comments", "Say what needs to change: the comment is what the author will work from.")
        return cleaned_data


class PublishForm(VersionSeenForm):
    """Nothing to fill in: publishing the approved version the page showed is confirmed by the button."""


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Reason for withdrawing",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept in the explainer's history, e.g. “Guidance changed; being rewritten”.",
    )


class ScheduleReviewForm(forms.Form):
    due = forms.DateField(
        label="Next review due",
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        help_text="The date by which a medical reviewer should review this explainer again.",
    )


class ConditionApprovalForm(forms.Form):
    """Carry the fingerprint of the condition details the approval page showed."""

    content_hash = forms.CharField(widget=forms.HiddenInput, max_length=64)
