"""
Who must sign in with a second factor, asked in one place by the middleware, the views and the tests.

Medical reviewers and publishers sign clinical decisions: their accounts must use two-factor
authentication wherever settings.TWO_FACTOR_REQUIRED is on (production; the demo leaves it off).
Anyone else who has set up an authenticator has asked for it, and is held to it too.
"""

from django.conf import settings
from django_otp import user_has_device

from explainers.models import APPROVE, PUBLISH

SIGNING_PERMISSIONS = (APPROVE, PUBLISH)


def signs_decisions(user):
    """Whether ``user`` may approve or publish: their word puts text in front of patients."""
    return any(user.has_perm(permission) for permission in SIGNING_PERMISSIONS)


def two_factor_required(user):
    """Whether ``user`` must confirm a one-time code after their password before using the admin."""
    if not (user.is_authenticated and user.is_staff):
        return False
    return user_has_device(user) or (settings.TWO_FACTOR_REQUIRED and signs_decisions(user))
