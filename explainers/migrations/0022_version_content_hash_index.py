from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("explainers", "0021_scheduled_publication"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="explainerversion",
            index=models.Index(fields=["content_hash"], name="version_content_hash"),
        ),
    ]
