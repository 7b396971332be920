from django.db import migrations

from explainers import record_protection

TABLES = [
    "explainers_explainerversion",
    "explainers_explainerversion_contributors",
    "explainers_review",
    "explainers_explainerevent",
    "explainers_conditiondescriptionapproval",
    "explainers_conditionevent",
    "explainers_reviewerprofilechange",
    "explainers_sitesettingschange",
]


def forwards(apps, schema_editor):
    record_protection.install(schema_editor, TABLES)
    record_protection.install_reviewer_account_lock(schema_editor)


def backwards(apps, schema_editor):
    record_protection.uninstall(schema_editor, TABLES)
    record_protection.uninstall_reviewer_account_lock(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("explainers", "0008_review_integrity_constraints")]

    operations = [migrations.RunPython(forwards, backwards)]
