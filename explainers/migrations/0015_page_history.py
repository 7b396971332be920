"""
First publication dates and change summaries, for the page's public history.

Explainers already public get the date of their first publication from their history. On SQLite
the record tables rebuilt to add a column lose their protecting triggers: installed again here.
"""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone

from explainers import record_protection

TABLES = ["explainers_review", "explainers_explainerversion"]


def fill_first_published(apps, schema_editor):
    Explainer = apps.get_model("explainers", "Explainer")
    ExplainerEvent = apps.get_model("explainers", "ExplainerEvent")
    first = (
        ExplainerEvent.objects.filter(explainer=OuterRef("pk"), action="published")
        .order_by("pk")
        .annotate(day=TruncDate("at", tzinfo=timezone.get_current_timezone()))
        .values("day")[:1]
    )
    Explainer.objects.update(first_published_on=Subquery(first))  # one statement, however many explainers


def protect_rebuilt_tables(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        record_protection.install(schema_editor, TABLES)


class Migration(migrations.Migration):
    dependencies = [
        ("explainers", "0014_signed_decisions"),
    ]

    operations = [
        migrations.AddField(
            model_name="explainer",
            name="first_published_on",
            field=models.DateField(
                blank=True,
                editable=False,
                help_text="When the page first went public; it never changes after.",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="explainerversion",
            name="change_summary",
            field=models.CharField(
                blank=True, help_text="The author's one line for readers: what changed in this version.", max_length=200
            ),
        ),
        migrations.AddField(
            model_name="review",
            name="change_summary",
            field=models.CharField(
                blank=True,
                help_text="What changed, in one line, as the reviewer approved it: shown in the page's public history.",
                max_length=200,
            ),
        ),
        migrations.RunPython(fill_first_published, migrations.RunPython.noop),
        migrations.RunPython(protect_rebuilt_tables, migrations.RunPython.noop),
    ]
