"""The review record (snapshots, reviews, history, description approvals) is written once and never lost."""

import pytest
from django.db import transaction
from django.db.models import ProtectedError

from explainers.models import (
    Condition,
    ConditionDescriptionApproval,
    Explainer,
    ExplainerEvent,
    ExplainerVersion,
    ImmutableRecord,
    Review,
    Reviewer,
)
from tests.factories import make_explainer, make_published_explainer


def record_counts():
    return {
        model.__name__: model.objects.count()
        for model in (
            Condition,
            Explainer,
            ExplainerVersion,
            Review,
            ExplainerEvent,
            ConditionDescriptionApproval,
            Reviewer,
        )
    }


@pytest.fixture
def published(author, reviewer, publisher):
    """A published explainer whose condition also has an approved description."""
    explainer = make_explainer(author=author, question="What causes it?")
    explainer.submit_for_review(by=author)
    explainer.approve(by=reviewer, comments="Accurate.")
    explainer.publish(by=publisher)
    condition = explainer.condition
    condition.description = "An inflammatory muscle disease."
    condition.description_edited_by = author
    condition.save()
    condition.approve_description(by=reviewer)
    explainer.refresh_from_db()
    return explainer


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


@pytest.mark.parametrize("model", [Review, ExplainerVersion, ExplainerEvent, ConditionDescriptionApproval])
def test_deleting_a_record_is_refused(published, model):
    record = model.objects.first()

    with pytest.raises(ImmutableRecord, match="cannot be deleted"):
        record.delete()

    assert model.objects.filter(pk=record.pk).exists()


@pytest.mark.parametrize("model", [Review, ExplainerVersion, ExplainerEvent, ConditionDescriptionApproval])
def test_deleting_records_in_bulk_is_refused(published, model):
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
