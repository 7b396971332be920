import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("explainers", "0007_review_integrity_data")]

    operations = [
        migrations.RemoveField(model_name="condition", name="description_edited_by"),
        migrations.AlterField(
            model_name="explainerversion",
            name="condition",
            field=models.ForeignKey(
                help_text="The condition the page is filed under.",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="explainers.condition",
            ),
        ),
    ] + [
        migrations.AlterField(
            model_name=name,
            name="record_hash",
            field=models.CharField(editable=False, max_length=64, unique=True),
        )
        for name in ["conditiondescriptionapproval", "explainerevent", "explainerversion", "review"]
    ]
