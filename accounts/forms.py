from django import forms


class OneTimeCodeForm(forms.Form):
    code = forms.CharField(
        label="One-time code",
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
        help_text="The six-digit code your authenticator app shows now, or one of your recovery codes.",
    )

    def clean_code(self):
        return self.cleaned_data["code"].replace(" ", "")
