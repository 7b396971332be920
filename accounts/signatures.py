"""
Re-authentication at the moment of signing: a clinical signature needs the signer's credentials.

Approving, requesting changes, publishing and approving condition details each ask the person to
type their password or a current one-time code on the decision form itself. A stolen or unattended
session can read the admin, but cannot sign. The record stores how each signature was made
(``SignedWith``). Passwords are checked through ``authenticate()``, so wrong ones count towards the
same django-axes lockout as the sign-in page; one-time codes are throttled by django-otp.
"""

from django import forms
from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied
from django_otp import match_token

from explainers.models import SignedWith

NOT_YOU = "That is neither your password nor a current one-time code, so nothing was signed. Try again."
LOCKED_OUT = "Too many wrong attempts: your account is locked for a while. Nothing was signed."


def signature_method(request, secret):
    """Return how ``secret`` proves the signed-in person is who they say (a SignedWith), or None if it does not.

    Raises PermissionDenied when django-axes has locked the account out.
    """
    user = request.user
    if not secret or not user.is_authenticated:
        return None
    if authenticate(request, username=user.get_username(), password=secret) == user:
        return SignedWith.PASSWORD
    if match_token(user, secret.replace(" ", "")) is not None:
        return SignedWith.ONE_TIME_CODE
    return None


class SignatureForm(forms.Form):
    """A decision form that the person signs by re-entering their password or a one-time code."""

    signature = forms.CharField(
        label="Sign with your password or a one-time code",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Sign the decision: type your password or a one-time code. Nothing was signed."},
        help_text="Your signature on this decision: it is recorded with your name, the time and exactly what "
        "you decided on.",
    )

    def __init__(self, *args, request, **kwargs):
        self.request = request
        super().__init__(*args, **kwargs)

    def clean_signature(self):
        try:
            method = signature_method(self.request, self.cleaned_data["signature"])
        except PermissionDenied as locked:
            raise forms.ValidationError(LOCKED_OUT) from locked
        if method is None:
            raise forms.ValidationError(NOT_YOU)
        self.cleaned_data["signed_with"] = method
        return ""  # the secret itself goes no further than this check
