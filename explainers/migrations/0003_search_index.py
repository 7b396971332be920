from django.db import migrations

INDEX = "explainers_version_search_gin"


def create_index(apps, schema_editor):
    # A GIN index over the weighted tsvector; SQLite has no tsvector and searches plain columns.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON explainers_explainerversion USING gin (search_vector)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("explainers", "0002_roles")]

    operations = [migrations.RunPython(create_index, drop_index)]
