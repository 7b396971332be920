"""
Record how each decision was signed (password re-entered, or a one-time code).

On SQLite, adding a NOT NULL column rebuilds the table, and the rebuilt table has none of the
triggers that refuse changes to the record (0009): they are installed again here. PostgreSQL adds
the column in place and keeps them.
"""

from django.db import migrations, models

from explainers import record_protection

TABLES = ["explainers_review", "explainers_explainerevent", "explainers_conditiondescriptionapproval"]


def protect_rebuilt_tables(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        record_protection.install(schema_editor, TABLES)


class Migration(migrations.Migration):
    dependencies = [
        ("explainers", "0013_public_search_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="conditiondescriptionapproval",
            name="signed_with",
            field=models.CharField(
                blank=True,
                choices=[("password", "Password re-entered"), ("one_time_code", "One-time code")],
                editable=False,
                help_text="How the signer proved it was them when signing: password re-entered or a one-time code (blank: not signed through the admin, e.g. demo content).",
                max_length=20,
            ),
        ),
        migrations.AddField(
            model_name="explainerevent",
            name="signed_with",
            field=models.CharField(
                blank=True,
                choices=[("password", "Password re-entered"), ("one_time_code", "One-time code")],
                editable=False,
                help_text="How the signer proved it was them when signing: password re-entered or a one-time code (blank: not signed through the admin, e.g. demo content).",
                max_length=20,
            ),
        ),
        migrations.AddField(
            model_name="review",
            name="signed_with",
            field=models.CharField(
                blank=True,
                choices=[("password", "Password re-entered"), ("one_time_code", "One-time code")],
                editable=False,
                help_text="How the signer proved it was them when signing: password re-entered or a one-time code (blank: not signed through the admin, e.g. demo content).",
                max_length=20,
            ),
        ),
        migrations.RunPython(protect_rebuilt_tables, migrations.RunPython.noop),
    ]
