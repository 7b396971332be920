from django.contrib.auth.management import create_permissions
from django.db import migrations

from explainers.roles import ROLES


def add_reference_permissions(apps, schema_editor):
    """Give the roles their registry permissions (explainers/roles.py), adding only: other apps' grants stay."""
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="explainers", content_type__model__in=["reference", "reviewflag", "linkcheck"]
            ).filter(codename__in=codenames)
        )


class Migration(migrations.Migration):
    dependencies = [("explainers", "0029_link_checks")]

    operations = [migrations.RunPython(add_reference_permissions, migrations.RunPython.noop)]
