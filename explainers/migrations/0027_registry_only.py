"""
Sources now live in the registry only: drop the copies on each explainer's source rows, and make
the frozen versions' citations refuse changes like the rest of the record (0009).
"""

import django.db.models.deletion
from django.db import migrations, models

from explainers import record_protection

TABLES = ["explainers_versioncitation"]


def protect(apps, schema_editor):
    record_protection.install(schema_editor, TABLES)


def unprotect(apps, schema_editor):
    record_protection.uninstall(schema_editor, TABLES)


class Migration(migrations.Migration):
    dependencies = [("explainers", "0026_move_sources_into_registry")]

    operations = [
        migrations.RemoveField(model_name="source", name="citation"),
        migrations.RemoveField(model_name="source", name="doi"),
        migrations.RemoveField(model_name="source", name="pmid"),
        migrations.RemoveField(model_name="source", name="url"),
        migrations.AlterField(
            model_name="source",
            name="reference",
            field=models.ForeignKey(
                help_text="Find the source in the registry by its title, DOI, PMID or address; add it there if it is new.",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="sources",
                to="explainers.reference",
            ),
        ),
        migrations.RunPython(protect, unprotect),
    ]
