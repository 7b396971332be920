from django.db import migrations

# Migration 0002 builds the groups from explainers/roles.py; run it again so existing groups get
# the new record permissions and publishers lose "add reviewer" (creating a profile now takes
# the manage_reviewer_profiles permission, which no role has by default).


def sync_roles(apps, schema_editor):
    from importlib import import_module

    import_module("explainers.migrations.0002_roles").create_roles(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("explainers", "0009_record_tables_refuse_changes")]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
