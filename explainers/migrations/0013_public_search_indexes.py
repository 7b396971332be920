"""
Trigram indexes behind the public search's condition matches on PostgreSQL.

A search lists the public conditions whose approved name or other names contain every word
(``icontains`` on the approval snapshot, which PostgreSQL runs as ``UPPER(column::text) LIKE``):
without an index that reads every approval, about 8 ms of each search at 10,000 conditions.
A GIN trigram index on exactly that expression answers it in well under a millisecond.
SQLite has no such index; its local databases are small.
"""

from django.db import migrations

INDEXES = {
    "explainers_approval_name_trgm": ("explainers_conditiondescriptionapproval", "name"),
    "explainers_approval_alternate_names_trgm": ("explainers_conditiondescriptionapproval", "alternate_names"),
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")  # as 0012 does, should it have been dropped
    for name, (table, column) in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("explainers", "0012_admin_search_indexes")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
