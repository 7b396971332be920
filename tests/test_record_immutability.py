"""The review record (snapshots, reviews, history, approvals, profile and settings changes) is never lost."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError

from explainers.models import (
    Condition,
    ConditionDescriptionApproval,
    ConditionEvent,
    Explainer,
    ExplainerEvent,
    ExplainerVersion,
    ImmutableRecord,
    Review,
    Reviewer,
    ReviewerProfileChange,
    SiteSettings,
    SiteSettingsChange,
    VersionCitation,
)
from tests.factories import make_explainer, make_published_explainer

# Every model whose rows are part of the record.
RECORD_MODELS = [
    ExplainerVersion,
    Review,
    ExplainerEvent,
    ConditionDescriptionApproval,
    ConditionEvent,
    ReviewerProfileChange,
    SiteSettingsChange,
    VersionCitation,
]


def record_counts():
    return {
        model.__name__: model.objects.count()
        for model in (
            Condition,
            Explainer,
            Reviewer,
            *RECORD_MODELS,
        )
    }


@pytest.fixture
def published(author, reviewer, publisher):
    """A published explainer whose condition also has an approved description."""
    explainer = make_explainer(author=author, question="What causes it?", sources=["Okafor A. Causes. 2024."])
    version = explainer.submit_for_review(by=author)
    explainer.approve(by=reviewer, version=version, comments="Accurate.")
    explainer.publish(by=publisher, version=version)
    condition = explainer.condition
    condition.description = "An inflammatory muscle disease."
    condition.save()
    condition.record_edit(by=author)
    condition.approve_description(by=reviewer, content_hash=condition.working_hash())
    explainer.refresh_from_db()
    return explainer


@pytest.fixture
def every_record(published, reviewer, publisher):
    """The published explainer, plus a change to a reviewer's profile and one to the site settings."""
    profile = reviewer.reviewer_profile
    profile.bio = "Consultant rheumatologist with an interest in myositis."
    profile.save_with_history(by=reviewer)
    site = SiteSettings.load()
    site.disclaimer = "General information only: ask your own doctor about your care."
    site.save_with_history(by=publisher)
    assert all(model.objects.exists() for model in RECORD_MODELS)
    return published


# Each record type, with a field to tamper with and the value to try.
RECORDS = [
    (Review, "comments", "Rewritten after the fact."),
    (Review, "reviewer_name", "Someone else"),
    (ExplainerVersion, "question", "A different question?"),
    (ExplainerEvent, "comment", "A different history."),
    (ConditionDescriptionApproval, "text", "A description nobody approved."),
]


@pytest.mark.parametrize(("model", "field", "value"), RECORDS)
def test_saving_a_changed_record_is_refused(published, model, field, value):
    record = model.objects.first()
    original = getattr(record, field)
    setattr(record, field, value)

    with pytest.raises(ImmutableRecord, match="cannot be changed"):
        record.save()

    assert getattr(model.objects.get(pk=record.pk), field) == original


@pytest.mark.parametrize("model", RECORD_MODELS)
def test_deleting_a_record_is_refused(every_record, model):
    record = model.objects.first()

    with pytest.raises(ImmutableRecord, match="cannot be deleted"):
        record.delete()

    assert model.objects.filter(pk=record.pk).exists()


@pytest.mark.parametrize("model", RECORD_MODELS)
def test_deleting_records_in_bulk_is_refused(every_record, model):
    before = model.objects.count()

    with pytest.raises(ImmutableRecord, match="cannot be deleted"):
        model.objects.all().delete()

    assert model.objects.count() == before > 0


def test_deleting_records_through_an_explainer_is_refused(published):
    with pytest.raises(ImmutableRecord, match="cannot be deleted"):
        published.events.all().delete()

    assert published.events.count() == ExplainerEvent.objects.count() > 0


@pytest.mark.parametrize("change", ["remove author", "add reviewer", "clear"])
def test_changing_the_contributors_of_a_version_is_refused(published, author, reviewer, change):
    version = ExplainerVersion.objects.get()
    attempts = {
        "remove author": lambda: version.contributors.remove(author),
        "add reviewer": lambda: version.contributors.add(reviewer),
        "clear": lambda: version.contributors.clear(),
    }

    # Django changes many-to-many rows without a savepoint; this one keeps the test's transaction usable.
    with pytest.raises(ImmutableRecord, match="contributors of an explainer version cannot be changed"):
        with transaction.atomic():
            attempts[change]()

    assert list(ExplainerVersion.objects.get().contributors.all()) == [author]


def test_deleting_a_published_explainer_is_refused_and_nothing_is_lost(published):
    before = record_counts()

    with pytest.raises(ProtectedError):
        published.delete()

    assert record_counts() == before
    assert Explainer.objects.published().get() == published


def test_deleting_the_condition_of_a_published_explainer_is_refused(published):
    before = record_counts()

    with pytest.raises(ProtectedError):
        published.condition.delete()

    assert record_counts() == before


def test_deleting_a_reviewer_profile_with_reviews_is_refused(published, reviewer):
    before = record_counts()

    with pytest.raises(ProtectedError):
        reviewer.reviewer_profile.delete()

    assert record_counts() == before
    assert Review.objects.get().reviewer_name == "Dr Amina Okafor"


def test_deleting_the_user_of_a_reviewer_is_refused(published, reviewer):
    before = record_counts()

    with pytest.raises(ProtectedError):
        reviewer.delete()

    assert record_counts() == before


def test_deleting_an_author_with_recorded_edits_is_refused(published, author):
    before = record_counts()

    with pytest.raises(ProtectedError):
        author.delete()

    assert record_counts() == before
    assert author in ExplainerVersion.objects.get().contributors.all()


def test_deleting_a_section_of_the_working_copy_leaves_the_published_snapshot_intact(author):
    explainer = make_published_explainer(author=author, sections=("First part.", "Second part."))

    explainer.sections.last().delete()

    explainer.refresh_from_db()
    assert explainer.sections.count() == 1
    assert [s["body"] for s in explainer.published_version.sections] == ["First part.", "Second part."]


# -- bulk queryset methods, which skip save() and delete() ------------------------------

# Each record model, with a column to tamper with and the value to try.
ANOTHER_USER = object()  # stands for the id of the publisher, who wrote none of the rows it is tried on
TAMPERING = {
    ExplainerVersion: ("question", "A different question?"),
    Review: ("comments", "Rewritten after the fact."),
    ExplainerEvent: ("comment", "A different history."),
    ConditionDescriptionApproval: ("text", "A description nobody approved."),
    ConditionEvent: ("actor_id", ANOTHER_USER),
    ReviewerProfileChange: ("new_value", "A biography the reviewer never wrote."),
    SiteSettingsChange: ("new_value", "A disclaimer nobody agreed to."),
    VersionCitation: ("position", 7),
}


def tampered_value(value, publisher):
    return publisher.pk if value is ANOTHER_USER else value


@pytest.mark.parametrize("model", RECORD_MODELS)
def test_changing_records_with_a_queryset_update_is_refused(every_record, publisher, model):
    field, value = TAMPERING[model]
    before = list(model.objects.order_by("pk").values_list("pk", field))

    with pytest.raises(ImmutableRecord, match="cannot be changed"):
        model.objects.update(**{field: tampered_value(value, publisher)})

    assert list(model.objects.order_by("pk").values_list("pk", field)) == before


@pytest.mark.parametrize("model", RECORD_MODELS)
def test_changing_records_with_bulk_update_is_refused(every_record, publisher, model):
    field, value = TAMPERING[model]
    record = model.objects.first()
    original = getattr(record, field)
    setattr(record, field, tampered_value(value, publisher))

    with pytest.raises(ImmutableRecord, match="cannot be changed"):
        model.objects.bulk_update([record], [field])

    assert getattr(model.objects.get(pk=record.pk), field) == original


@pytest.mark.parametrize("model", RECORD_MODELS)
def test_creating_records_in_bulk_is_refused(every_record, model):
    before = model.objects.count()
    # A copy of an existing row, as someone forging a second approval or history line might write it.
    forged = model.objects.first()
    forged.pk = None
    forged._state.adding = True

    with pytest.raises(ImmutableRecord, match="cannot be created in bulk"):
        model.objects.bulk_create([forged])

    assert model.objects.count() == before


# -- the database's own refusal, for raw SQL and database shells ---------------------------

# Each record table (the version's contributors too), with a column to tamper with and the value to try.
RECORD_TABLES = [
    pytest.param(model._meta.db_table, column, value, id=model._meta.db_table)
    for model, (column, value) in TAMPERING.items()
] + [
    pytest.param(
        ExplainerVersion.contributors.through._meta.db_table,
        "user_id",
        ANOTHER_USER,
        id=ExplainerVersion.contributors.through._meta.db_table,
    )
]


def table_rows(table):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)} ORDER BY id")
        return cursor.fetchall()


@pytest.mark.parametrize(("table", "column", "value"), RECORD_TABLES)
def test_the_database_refuses_to_update_a_record_table(every_record, publisher, table, column, value):
    before = table_rows(table)
    assert before, f"{table} has no rows to protect"
    quote = connection.ops.quote_name

    with pytest.raises(IntegrityError, match="the review record cannot be changed or deleted"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {quote(table)} SET {quote(column)} = %s",
                [tampered_value(value, publisher)],
            )

    assert table_rows(table) == before


@pytest.mark.parametrize("table", [param.values[0] for param in RECORD_TABLES], ids=str)
def test_the_database_refuses_to_delete_from_a_record_table(every_record, table):
    before = table_rows(table)
    assert before, f"{table} has no rows to protect"

    with pytest.raises(IntegrityError, match="the review record cannot be changed or deleted"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")

    assert table_rows(table) == before
