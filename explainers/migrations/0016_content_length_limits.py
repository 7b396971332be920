"""
The longest a section and a whole explainer may be, as site settings (issue 11).

Without them a 3 MiB section saved, then ran past the worker's timeout when submitted.
"""

import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("explainers", "0015_page_history"),
    ]

    operations = [
        migrations.AddField(
            model_name="sitesettings",
            name="max_explainer_length",
            field=models.PositiveIntegerField(
                default=200000,
                help_text="The most characters a whole explainer may have: its question, TL;DR and every section "
                "together. A longer explainer cannot be saved or submitted for review; split it into two explainers.",
                validators=[
                    django.core.validators.MinValueValidator(1000),
                    django.core.validators.MaxValueValidator(1000000),
                ],
            ),
        ),
        migrations.AddField(
            model_name="sitesettings",
            name="max_section_length",
            field=models.PositiveIntegerField(
                default=50000,
                help_text="The most characters one section may have, spaces and Markdown included. 50,000 is about "
                "twenty printed pages: more is hard to read on a phone and slow to prepare. A longer section is "
                "refused when saved, with a message asking for it to be split in two; nothing typed is lost.",
                validators=[
                    django.core.validators.MinValueValidator(1000),
                    django.core.validators.MaxValueValidator(1000000),
                ],
            ),
        ),
    ]
