from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The read-only content API for syndicators (/api/v1/): published snapshots, keys, usage."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "api"
    verbose_name = "Content API"
