"""The public "Report a problem with this page" form: plain text in, nothing rendered as markup."""

import re

from django import forms

from .models import DESCRIPTION_MAX_LENGTH, Report, ReportKind

# Control characters carry no meaning in a report and PostgreSQL refuses NUL in text. Tab, line feed
# and carriage return stay: they are how people lay out what they write.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
WHOLE_PAGE = ""


class PlainTextField(forms.CharField):
    """A CharField that drops control characters before its length and other checks run."""

    def to_python(self, value):
        if isinstance(value, str):
            value = CONTROL_CHARACTERS.sub("", value)
        return super().to_python(value)


def section_choices(version):
    """Return (value, label) for each section of the published version, as the page shows it."""
    return [
        (f"section-{number}", section.get("heading") or f"Section {number} (no heading)")
        for number, section in enumerate(version.sections, start=1)
    ]


class ReportForm(forms.Form):
    kind = forms.ChoiceField(
        label="What is wrong?",
        choices=ReportKind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose what is wrong with the page.",
        },
    )
    section = forms.ChoiceField(label="Which part of the page? (optional)", required=False)
    description = PlainTextField(
        label="Tell us about the problem",
        help_text=f"Up to {DESCRIPTION_MAX_LENGTH:,} characters. Please do not include personal medical details.",
        max_length=DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={
            "required": "Describe the problem, so we can find and fix it.",
            "max_length": (
                f"Your description is too long: keep it to {DESCRIPTION_MAX_LENGTH:,} characters "
                "(it has %(show_value)s). Your text is still in the box below."
            ),
        },
    )
    email = forms.EmailField(
        label="Your e-mail address (optional)",
        required=False,
        max_length=254,
        error_messages={"invalid": "Enter an e-mail address like name@example.com, or leave it empty."},
    )
    # The trap: hidden from people by the stylesheet and from assistive technology by aria-hidden;
    # form-filling robots that read only the HTML fill it in.
    website = forms.CharField(label="Leave this field empty", required=False, max_length=200)
    # The version whose sections the form offered: a report is only stored against what the reader saw.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, version, **kwargs):
        super().__init__(*args, **kwargs)
        self.version = version
        self.fields["section"].choices = [(WHOLE_PAGE, "The whole page, or I am not sure"), *section_choices(version)]
        self.fields["email"].widget.attrs.update(autocomplete="email", spellcheck="false")
        self.fields["website"].widget.attrs.update(tabindex="-1", autocomplete="off")
        self.fields["version"].initial = version.pk

    def clean_version(self):
        shown = self.cleaned_data["version"]
        if shown is not None and shown != self.version.pk:
            raise forms.ValidationError(
                "The page was updated while you were writing. Check that the part of the page you chose is still "
                "right, then send your report again: your text is kept below."
            )
        return shown

    @property
    def is_trap_filled(self):
        return bool(self.cleaned_data.get("website"))

    def save(self, *, explainer):
        """Store the report against the published version and section the form offered."""
        anchor = self.cleaned_data["section"]
        position = int(anchor.removeprefix("section-")) if anchor else None
        return Report.objects.create(
            explainer=explainer,
            version=self.version,
            section_position=position,
            section_anchor=anchor,
            section_heading=self.version.sections[position - 1].get("heading", "") if position else "",
            kind=self.cleaned_data["kind"],
            description=self.cleaned_data["description"],
            email=self.cleaned_data["email"],
        )
