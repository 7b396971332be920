"""
Trigram indexes behind the admin's searches on PostgreSQL.

The admin searches with ``icontains``, which Django runs on PostgreSQL as
``UPPER(column::text) LIKE UPPER('%term%')``: with nothing behind it, every search reads every
explainer. A GIN trigram index (pg_trgm) on exactly that expression answers it instead, for the
explainer change list's search (question, slug), its condition filter (condition name, slug)
and the condition autocomplete (name, other names). SQLite has no such index; its local
databases are small.
"""

from django.db import migrations

INDEXES = {
    "explainers_explainer_question_trgm": ("explainers_explainer", "question"),
    "explainers_explainer_slug_trgm": ("explainers_explainer", "slug"),
    "explainers_condition_name_trgm": ("explainers_condition", "name"),
    "explainers_condition_slug_trgm": ("explainers_condition", "slug"),
    "explainers_condition_alternate_names_trgm": ("explainers_condition", "alternate_names"),
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # pg_trgm is a trusted extension (PostgreSQL 13+): the database's owner may create it.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, (table, column) in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    # The extension stays: other database objects may have come to use it.


class Migration(migrations.Migration):
    dependencies = [("explainers", "0011_public_page_indexes")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
