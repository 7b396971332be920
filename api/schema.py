"""Describe the API-key header to drf-spectacular, so the schema and the docs page show how to send it."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension

from .authentication import HEADER


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": HEADER}
