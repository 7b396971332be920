from django.apps import AppConfig


class ExplainersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "explainers"
    verbose_name = "Explainers and clinical review"
