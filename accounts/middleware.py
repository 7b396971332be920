"""Hold a signed-in reviewer or publisher at the two-factor step until a one-time code confirms it is them."""

from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse
from django_otp import user_has_device

from .rules import two_factor_required

GUARDED = ("/admin/", "/markdownx/")  # the editorial admin and its editor endpoints


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if path.startswith(GUARDED) and not path.startswith(exempt_paths()):
            user = request.user
            if two_factor_required(user) and not user.is_verified():
                step = "accounts:verify" if user_has_device(user) else "accounts:setup"
                return redirect(f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


def exempt_paths():
    """The two-factor pages themselves, and signing in and out."""
    return (reverse("accounts:setup"), reverse("admin:login"), reverse("admin:logout"))  # setup: /admin/two-factor/
