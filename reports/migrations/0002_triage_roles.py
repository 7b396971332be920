"""Let medical reviewers and publishers read and triage reader reports (groups made in explainers 0002)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

TRIAGE_ROLES = ["Medical reviewers", "Publishers"]
CODENAMES = ["view_report", "view_reportevent", "triage_report"]


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations; create this app's now so groups can use them.
    app_config = apps.get_app_config("reports")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(content_type__app_label="reports", codename__in=CODENAMES)
    for group in Group.objects.filter(name__in=TRIAGE_ROLES):
        group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(content_type__app_label="reports", codename__in=CODENAMES)
    for group in Group.objects.filter(name__in=TRIAGE_ROLES):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("explainers", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
