"""
Declared interests: each reviewer's declaration and its date, frozen on every review.

Existing reviewers have no declaration yet, so they cannot approve until they make one (the
approval says so). On SQLite, adding a column rebuilds the review and reviewer tables without the
triggers that refuse changes to the record and to a profile's account (0009): installed again here.
"""

import django.core.validators
from django.db import migrations, models

from explainers import record_protection


def protect_rebuilt_tables(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        record_protection.install(schema_editor, ["explainers_review"])
        record_protection.install_reviewer_account_lock(schema_editor)  # the reviewer table was rebuilt too


class Migration(migrations.Migration):
    dependencies = [
        ("explainers", "0019_corrections"),
    ]

    operations = [
        migrations.AddField(
            model_name="review",
            name="reviewer_interests",
            field=models.TextField(
                blank=True, help_text="The reviewer's declaration of interests as it stood that day, with its date."
            ),
        ),
        migrations.AddField(
            model_name="reviewer",
            name="interests_declaration",
            field=models.TextField(
                blank=True,
                help_text="Your declaration of interests that could bear on your reviews: funding, consultancy, shares, roles, relationships. Write “None” if you have none: that is a declaration too. Shown on your public page.",
                verbose_name="declared interests",
            ),
        ),
        migrations.AddField(
            model_name="reviewer",
            name="interests_declared_on",
            field=models.DateField(
                blank=True,
                help_text="When you made or last confirmed this declaration. An approval is refused once it is older than the site settings allow (12 months unless changed): confirm it again by setting today's date.",
                null=True,
                verbose_name="interests declared on",
            ),
        ),
        migrations.AddField(
            model_name="sitesettings",
            name="interests_declaration_months",
            field=models.PositiveSmallIntegerField(
                default=12,
                help_text="A reviewer whose declaration of interests was made longer ago than this cannot approve.",
                validators=[django.core.validators.MinValueValidator(1)],
            ),
        ),
        migrations.RunPython(protect_rebuilt_tables, migrations.RunPython.noop),
    ]
