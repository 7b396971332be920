"""
Bring the existing record up to the review-integrity rules of migration 0006.

* History actions become the EventAction choices they always meant.
* Each version learns the address it was frozen under (the explainer's condition and slug
  at the time of this migration, the best knowledge there is). Its content is left alone, so
  its hash keeps meaning what it meant (see ``ExplainerVersion.hashed_content``).
* Each condition approval records the name and other names that were public beside the
  description it approved, and the condition's history gets its approvals and last edit.
* A published explainer points at the approval of exactly its published text.
* Every record row is chained, in the order it was written.

Conditions that never had an approval are not approved here: nobody reviewed their names, so
a medical reviewer must approve them before their explainers are public again.
"""

from django.db import migrations

from explainers.models.records import GENESIS, chain_hash, chain_payload, content_hash

ACTIONS = {
    "approved (full clinical review)": "approved",
    "approved (minor change)": "approved",
    "changes requested": "changes_requested",
    "review scheduled": "review_scheduled",
}
# (model, fields the chain covers): the same lists as the models' CHAIN_FIELDS today.
CHAINS = [
    (
        "ExplainerVersion",
        (
            "explainer_id",
            "number",
            "condition_id",
            "slug",
            "question",
            "tldr",
            "format_labels",
            "content",
            "body_text",
            "content_hash",
            "created_by_id",
            "created_at",
        ),
    ),
    (
        "Review",
        (
            "explainer_id",
            "version_id",
            "reviewer_id",
            "reviewer_name",
            "reviewer_credentials",
            "reviewer_registration",
            "kind",
            "comments",
            "content_hash",
            "words_changed_percent",
            "reviewed_on",
            "created_at",
        ),
    ),
    (
        "ExplainerEvent",
        ("explainer_id", "actor_id", "action", "from_status", "to_status", "comment", "version_id", "at"),
    ),
    (
        "ConditionDescriptionApproval",
        (
            "condition_id",
            "name",
            "alternate_names",
            "text",
            "content_hash",
            "reviewer_id",
            "reviewer_name",
            "reviewer_credentials",
            "approved_at",
        ),
    ),
    ("ConditionEvent", ("condition_id", "actor_id", "action", "approval_id", "at")),
]


def forwards(apps, schema_editor):
    model = lambda name: apps.get_model("explainers", name)  # noqa: E731
    Condition, Explainer, Event = model("Condition"), model("Explainer"), model("ExplainerEvent")
    Version, Review, Approval, ConditionEvent = (
        model("ExplainerVersion"),
        model("Review"),
        model("ConditionDescriptionApproval"),
        model("ConditionEvent"),
    )
    for old, new in ACTIONS.items():
        Event.objects.filter(action=old).update(action=new)

    for version in Version.objects.select_related("explainer__condition"):
        version.condition_id = version.explainer.condition_id
        version.slug = version.explainer.slug
        version.save(update_fields=["condition_id", "slug"])

    for condition in Condition.objects.all():
        for approval in Approval.objects.filter(condition=condition).select_related("reviewer").order_by("pk"):
            approval.name = condition.name
            approval.alternate_names = condition.alternate_names.strip()
            approval.content_hash = content_hash(
                {
                    "name": approval.name,
                    "alternate_names": approval.alternate_names,
                    "description": approval.text.strip(),
                }
            )
            approval.save(update_fields=["name", "alternate_names", "content_hash"])
            ConditionEvent.objects.create(
                condition=condition,
                actor_id=approval.reviewer.user_id,
                action="approved",
                approval=approval,
                at=approval.approved_at,
            )
        if condition.description_edited_by_id:
            ConditionEvent.objects.create(
                condition=condition,
                actor_id=condition.description_edited_by_id,
                action="edited",
                at=condition.updated_at,
            )

    for explainer in Explainer.objects.filter(published_version__isnull=False):
        approval = (
            Review.objects.filter(version_id=explainer.published_version_id, kind__in=["full", "minor"])
            .order_by("-pk")
            .first()
        )
        explainer.published_review = approval
        explainer.save(update_fields=["published_review"])

    for name, fields in CHAINS:
        previous = GENESIS
        for row in model(name).objects.order_by("pk"):
            payload = chain_payload(row, fields)
            if name == "ExplainerVersion":
                payload["contributors"] = sorted(row.contributors.values_list("pk", flat=True))
            row.previous_hash, row.record_hash = previous, chain_hash(previous, payload)
            row.save(update_fields=["previous_hash", "record_hash"])
            previous = row.record_hash


class Migration(migrations.Migration):
    dependencies = [("explainers", "0006_review_integrity")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
