from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Site-wide pieces that are not explainers: the public page cache, front-end purges, health checks."""

    name = "core"
    default_auto_field = "django.db.models.BigAutoField"
