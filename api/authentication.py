"""Syndicators send their key in the X-Api-Key header; no key or a revoked key is answered 401."""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from rest_framework import exceptions, permissions, throttling
from rest_framework.authentication import BaseAuthentication

from .models import ApiKey

HEADER = "X-Api-Key"


def how_to_get_a_key():
    return settings.API_KEY_HOW_TO_GET


class ApiKeyAuthentication(BaseAuthentication):
    def authenticate(self, request):
        key = request.headers.get(HEADER, "").strip()
        if not key:
            return None
        api_key = ApiKey.find(key)
        if api_key is None:
            raise exceptions.AuthenticationFailed(f"This API key is not valid. {how_to_get_a_key()}")
        if api_key.is_revoked:
            raise exceptions.AuthenticationFailed(f"This API key has been revoked. {how_to_get_a_key()}")
        return AnonymousUser(), api_key

    def authenticate_header(self, request):
        # Makes DRF answer 401 (not 403) when the key is missing or refused.
        return f'Api-Key realm="api", header="{HEADER}"'


class HasApiKey(permissions.BasePermission):
    def has_permission(self, request, view):
        if isinstance(request.auth, ApiKey):
            return True
        raise exceptions.NotAuthenticated(
            f"An API key is required: send it in the {HEADER} header. {how_to_get_a_key()}"
        )


class ApiKeyRateThrottle(throttling.SimpleRateThrottle):
    """Limit each key to the rate in REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["api_key"] (API_RATE).

    Keyed on the key, not the address: syndicators' servers share addresses (cloud NAT), and a key
    names who is calling. Requests without a valid key never reach a throttle (401 first).
    """

    scope = "api_key"

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, ApiKey):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}
