"""
Corrections of clinically significant errors: the public note on the approving review, the page's
latest correction, and how long pages announce one.

On SQLite, adding a column rebuilds the review table without the triggers that refuse changes to
the record (0009): they are installed again here.
"""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models

from explainers import record_protection


def protect_rebuilt_tables(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        record_protection.install(schema_editor, ["explainers_review"])


class Migration(migrations.Migration):
    dependencies = [
        ("explainers", "0018_get_help"),
    ]

    operations = [
        migrations.AddField(
            model_name="explainer",
            name="corrected_on",
            field=models.DateField(
                blank=True, editable=False, help_text="When that correction went public.", null=True
            ),
        ),
        migrations.AddField(
            model_name="explainer",
            name="correction",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                help_text="The latest published approval that corrected a clinically significant error.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="explainers.review",
            ),
        ),
        migrations.AddField(
            model_name="review",
            name="correction_note",
            field=models.TextField(
                blank=True,
                help_text="When this approval corrects a clinically significant error: the public note saying what was wrong and what changed. Shown on the page for a while, and in its history for good.",
            ),
        ),
        migrations.AddField(
            model_name="sitesettings",
            name="correction_notice_days",
            field=models.PositiveSmallIntegerField(
                default=90,
                help_text="How many days a page shows the notice of a correction of a clinically significant error. The page's history keeps it for good.",
                validators=[django.core.validators.MinValueValidator(1)],
            ),
        ),
        migrations.RunPython(protect_rebuilt_tables, migrations.RunPython.noop),
    ]
