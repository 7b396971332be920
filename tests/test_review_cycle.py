"""Who may approve what, full reviews against minor changes, and when the next review falls due."""

import datetime
import html
import re

import pytest
from django.contrib.auth.models import Group

from explainers.models import (
    Condition,
    EventAction,
    Explainer,
    ExplainerEvent,
    Review,
    ReviewKind,
    Status,
    TransitionNotAllowed,
)
from tests.factories import (
    make_condition,
    make_explainer,
    make_published_explainer,
    make_reviewer,
    make_user,
    publish,
    today_is,
)


def edit_first_section(explainer, *, by, body):
    section = explainer.sections.first()
    section.body = body
    section.save()
    explainer.record_edit(by=by)


def author_and_reviewer(**fields):
    """Return a user in both the Authors and Medical reviewers groups, with a reviewer profile."""
    user = make_user("Authors", **fields)
    user.groups.add(Group.objects.get(name="Medical reviewers"))
    make_reviewer(user)
    return user


# -- separation of duties ------------------------------------------------------


def test_an_author_who_is_also_a_reviewer_cannot_approve_their_own_version(reviewer):
    dual = author_and_reviewer()
    explainer = make_explainer(author=dual)
    version = explainer.submit_for_review(by=dual)

    with pytest.raises(TransitionNotAllowed, match="You edited this version"):
        explainer.approve(by=dual, version=version)

    assert not Review.objects.exists()
    assert Explainer.objects.get().status == Status.IN_REVIEW


def test_another_reviewer_can_approve_a_version_a_reviewer_wrote(reviewer):
    dual = author_and_reviewer()
    explainer = make_explainer(author=dual)
    version = explainer.submit_for_review(by=dual)

    review = explainer.approve(by=reviewer, version=version)

    assert review.reviewer == reviewer.reviewer_profile
    assert Explainer.objects.get().status == Status.APPROVED


def test_a_reviewer_who_edited_someone_elses_draft_cannot_approve_it(author, reviewer):
    dual = author_and_reviewer()
    explainer = make_explainer(author=author)
    edit_first_section(explainer, by=dual, body="A reviewer's wording.")
    version = explainer.submit_for_review(by=author)

    with pytest.raises(TransitionNotAllowed, match="You edited this version"):
        explainer.approve(by=dual, version=version)

    explainer.approve(by=reviewer, version=version)
    assert Explainer.objects.get().status == Status.APPROVED


def test_a_superuser_who_edited_a_version_cannot_approve_it(superuser, reviewer):
    make_reviewer(superuser, display_name="Dr Admin")
    explainer = make_explainer(author=superuser)
    version = explainer.submit_for_review(by=superuser)

    with pytest.raises(TransitionNotAllowed, match="You edited this version"):
        explainer.approve(by=superuser, version=version)

    assert not Review.objects.exists()


def test_a_superuser_who_did_not_edit_a_version_can_approve_it(superuser, author):
    make_reviewer(superuser, display_name="Dr Admin")
    explainer = make_explainer(author=author)
    version = explainer.submit_for_review(by=author)

    review = explainer.approve(by=superuser, version=version)

    assert review.reviewer_name == "Dr Admin"


def test_everyone_who_edited_is_recorded_as_a_contributor_of_the_version(author):
    co_author = make_user("Authors")
    explainer = make_explainer(author=author)
    edit_first_section(explainer, by=co_author, body="A clearer answer.")

    version = explainer.submit_for_review(by=author)

    assert set(version.contributors.all()) == {author, co_author}


def test_submitting_without_editing_does_not_make_a_reviewer_a_contributor(author):
    dual = author_and_reviewer()
    explainer = make_explainer(author=author)

    version = explainer.submit_for_review(by=dual)

    assert set(version.contributors.all()) == {author}
    review = explainer.approve(by=dual, version=version)
    assert review.version == version


def test_only_edits_since_the_last_approval_count_towards_the_next_version(author, reviewer):
    second_reviewer = make_reviewer(display_name="Dr Second").user
    explainer = make_explainer(author=author)
    publish(explainer, reviewer=reviewer.reviewer_profile)

    dual = author_and_reviewer()
    edit_first_section(explainer, by=dual, body="An update from a reviewer.")
    version = explainer.submit_for_review(by=author)

    assert set(version.contributors.all()) == {dual}
    with pytest.raises(TransitionNotAllowed, match="You edited this version"):
        explainer.approve(by=dual, version=version)
    assert explainer.approve(by=second_reviewer, version=version).version == version


def test_edits_made_during_a_changes_requested_round_still_count(author, reviewer):
    dual = author_and_reviewer()
    explainer = make_explainer(author=author)
    version = explainer.submit_for_review(by=author)
    explainer.request_changes(by=dual, version=version, comments="Soften the second sentence.")
    edit_first_section(explainer, by=dual, body="Softer wording, by the reviewer.")

    version = explainer.submit_for_review(by=author)

    assert set(version.contributors.all()) == {author, dual}
    with pytest.raises(TransitionNotAllowed, match="You edited this version"):
        explainer.approve(by=dual, version=version)


# -- full review against minor change --------------------------------------------


def test_a_minor_change_updates_the_public_text_but_not_the_review_dates(author, reviewer, publisher):
    explainer = make_explainer(author=author, sections=("Teh first answer.",))
    with today_is(datetime.date(2026, 1, 10)):
        full = publish(explainer, reviewer=reviewer.reviewer_profile, publisher=publisher)

    edit_first_section(explainer, by=author, body="The first answer.")
    with today_is(datetime.date(2026, 2, 20)):
        version = explainer.submit_for_review(by=author)
        minor = explainer.approve(by=reviewer, version=version, kind=ReviewKind.MINOR)
        explainer.publish(by=publisher, version=version)

    explainer.refresh_from_db()
    assert [s["body"] for s in explainer.published_version.sections] == ["The first answer."]
    assert explainer.published_version == minor.version
    assert explainer.last_updated == datetime.date(2026, 2, 20)
    assert explainer.public_review == full
    assert explainer.public_review.reviewed_on == datetime.date(2026, 1, 10)
    assert explainer.next_review_due == datetime.date(2027, 1, 10)


def test_after_a_minor_change_the_page_keeps_the_date_of_the_full_review(client, author, reviewer, publisher):
    explainer = make_explainer(author=author, sections=("Teh first answer.",))
    with today_is(datetime.date(2026, 1, 10)):
        publish(explainer, reviewer=reviewer.reviewer_profile, publisher=publisher)
    edit_first_section(explainer, by=author, body="The first answer.")
    with today_is(datetime.date(2026, 2, 20)):
        version = explainer.submit_for_review(by=author)
        explainer.approve(by=reviewer, version=version, kind=ReviewKind.MINOR)
        explainer.publish(by=publisher, version=version)

    response = client.get(explainer.get_absolute_url())

    assert response.status_code == 200
    text = html.unescape(" ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())).replace(" ,", ",")
    assert "The first answer." in text
    assert "Last updated 20 February 2026" in text
    assert "Medically reviewed by Dr Amina Okafor, MD, rheumatologist on 10 January 2026" in text
    assert "Next review due 10 January 2027" in text


def test_a_full_review_restarts_the_review_cycle(author, reviewer, publisher):
    explainer = make_explainer(author=author)
    with today_is(datetime.date(2026, 1, 10)):
        publish(explainer, reviewer=reviewer.reviewer_profile, publisher=publisher)

    edit_first_section(explainer, by=author, body="Updated for the new guideline.")
    with today_is(datetime.date(2026, 9, 1)):
        version = explainer.submit_for_review(by=author)
        full = explainer.approve(by=reviewer, version=version, kind=ReviewKind.FULL)
        explainer.publish(by=publisher, version=version)

    explainer.refresh_from_db()
    assert explainer.public_review == full
    assert explainer.public_review.reviewed_on == datetime.date(2026, 9, 1)
    assert explainer.next_review_due == datetime.date(2027, 9, 1)
    assert explainer.last_updated == datetime.date(2026, 9, 1)


def test_a_review_records_its_kind_and_the_reviewers_name_as_it_was(author, reviewer):
    explainer = make_explainer(author=author)
    version = explainer.submit_for_review(by=author)
    review = explainer.approve(by=reviewer, version=version, kind=ReviewKind.FULL, comments="Accurate and clear.")

    profile = reviewer.reviewer_profile
    profile.display_name = "Prof Amina Okafor"
    profile.credentials = "FRCP, consultant rheumatologist"
    profile.save()

    review = Review.objects.get(pk=review.pk)
    assert review.kind == ReviewKind.FULL
    assert review.reviewer_name == "Dr Amina Okafor"
    assert review.reviewer_credentials == "MD, rheumatologist"
    assert review.comments == "Accurate and clear."
    assert review.content_hash == review.version.content_hash


def test_a_minor_change_is_recorded_as_a_minor_change(author, reviewer):
    explainer = make_published_explainer(author=author, sections=("The answer, in plian words.",))
    edit_first_section(explainer, by=author, body="The answer, in plain words.")
    version = explainer.submit_for_review(by=author)

    review = explainer.approve(by=reviewer, version=version, kind=ReviewKind.MINOR)

    assert Review.objects.get(pk=review.pk).kind == ReviewKind.MINOR
    event = explainer.events.first()
    assert (event.action, event.comment) == (EventAction.APPROVED, "Minor change.")


def test_an_approval_cannot_be_of_the_changes_requested_kind(author, reviewer):
    explainer = make_explainer(author=author)
    version = explainer.submit_for_review(by=author)

    with pytest.raises(TransitionNotAllowed, match="either a full clinical review or a minor change"):
        explainer.approve(by=reviewer, version=version, kind=ReviewKind.CHANGES_REQUESTED)

    assert not Review.objects.exists()


# -- when reviews fall due ---------------------------------------------------------


def published_on(day, **fields):
    explainer = make_explainer(**fields)
    with today_is(day):
        publish(explainer)
    return explainer


def test_due_for_review_lists_published_explainers_due_on_or_before_the_day(db):
    overdue = published_on(datetime.date(2025, 1, 1))  # due 2026-01-01
    due_today = published_on(datetime.date(2025, 3, 1))  # due 2026-03-01
    published_on(datetime.date(2025, 3, 2))  # due 2026-03-02

    due = Explainer.objects.due_for_review(on=datetime.date(2026, 3, 1))

    assert set(due) == {overdue, due_today}


def test_due_for_review_leaves_out_withdrawn_explainers(publisher):
    withdrawn = published_on(datetime.date(2025, 1, 1))
    withdrawn.withdraw(by=publisher, reason="Merged into another explainer.")

    assert withdrawn.next_review_due == datetime.date(2026, 1, 1)
    assert not Explainer.objects.due_for_review(on=datetime.date(2026, 3, 1)).exists()


def test_due_for_review_defaults_to_today(db):
    overdue = published_on(datetime.date(2020, 1, 1))
    published_on(datetime.date.today())

    assert list(Explainer.objects.due_for_review()) == [overdue]


def test_due_soon_lists_explainers_due_within_the_window_but_not_yet_due(db):
    published_on(datetime.date(2025, 3, 1))  # due 2026-03-01: due, not "soon"
    tomorrow = published_on(datetime.date(2025, 3, 2))
    last_day = published_on(datetime.date(2025, 3, 31))
    published_on(datetime.date(2025, 4, 1))  # due 2026-04-01: 31 days away

    soon = Explainer.objects.due_soon(on=datetime.date(2026, 3, 1), days=30)

    assert set(soon) == {tomorrow, last_day}


def test_due_soon_uses_the_configured_window_by_default(settings, db):
    settings.CONDINFO_DUE_SOON_DAYS = 10
    in_ten_days = published_on(datetime.date(2025, 3, 11))
    published_on(datetime.date(2025, 3, 12))

    assert list(Explainer.objects.due_soon(on=datetime.date(2026, 3, 1))) == [in_ten_days]


def test_an_explainer_is_overdue_only_after_its_review_date(db):
    explainer = published_on(datetime.date(2025, 3, 1))

    assert not explainer.is_overdue(on=datetime.date(2026, 2, 28))
    assert not explainer.is_overdue(on=datetime.date(2026, 3, 1))
    assert explainer.is_overdue(on=datetime.date(2026, 3, 2))


def test_an_unpublished_explainer_is_never_overdue(author):
    assert not make_explainer(author=author).is_overdue(on=datetime.date(2100, 1, 1))


def test_a_publisher_can_reschedule_the_next_review_and_it_is_logged(publisher):
    explainer = published_on(datetime.date(2025, 3, 1))

    with today_is(datetime.date(2026, 2, 15)):
        explainer.schedule_review(by=publisher, due=datetime.date(2026, 6, 1))

    explainer.refresh_from_db()
    assert explainer.next_review_due == datetime.date(2026, 6, 1)
    # The last line written (the explainer was created today, so its edit is later by the clock).
    event = ExplainerEvent.objects.filter(explainer=explainer).order_by("-pk").first()
    assert event.action == EventAction.REVIEW_SCHEDULED
    assert event.comment == "Next review due changed from 2026-03-01 to 2026-06-01."
    assert not Explainer.objects.due_for_review(on=datetime.date(2026, 3, 1)).exists()


def test_an_author_cannot_reschedule_a_review(author):
    explainer = published_on(datetime.date(2025, 3, 1), author=author)

    with pytest.raises(TransitionNotAllowed, match="Your role cannot schedule reviews"):
        explainer.schedule_review(by=author, due=datetime.date(2030, 1, 1))

    assert Explainer.objects.get().next_review_due == datetime.date(2026, 3, 1)


# -- condition descriptions --------------------------------------------------------


def edit_description(condition, *, by, text):
    condition.description = text
    condition.save()
    condition.record_edit(by=by)


def approve_description(condition, *, by):
    """Approve the details exactly as the approval page would show them."""
    return condition.approve_description(by=by, content_hash=condition.working_hash())


def test_an_edited_description_is_not_public_until_a_reviewer_approves_it(author, reviewer):
    condition = make_condition()
    edit_description(condition, by=author, text="An inflammatory muscle disease.")

    condition.refresh_from_db()
    assert condition.public_description == ""
    assert condition.awaits_approval
    assert not Condition.objects.public().exists()

    approval = approve_description(condition, by=reviewer)

    condition.refresh_from_db()
    assert condition.public_description == "An inflammatory muscle disease."
    assert not condition.awaits_approval
    assert list(Condition.objects.public()) == [condition]
    assert (approval.reviewer_name, approval.reviewer_credentials) == ("Dr Amina Okafor", "MD, rheumatologist")


def test_editing_an_approved_description_keeps_the_approved_text_public(author, reviewer):
    condition = make_condition()
    edit_description(condition, by=author, text="An inflammatory muscle disease.")
    approve_description(condition, by=reviewer)

    edit_description(condition, by=author, text="A contagious disease.")

    condition.refresh_from_db()
    assert condition.public_description == "An inflammatory muscle disease."
    assert condition.awaits_approval


def test_a_reviewer_cannot_approve_a_description_they_edited(reviewer):
    dual = author_and_reviewer()
    condition = make_condition()
    edit_description(condition, by=dual, text="A reviewer's description.")

    with pytest.raises(TransitionNotAllowed, match="You edited these details"):
        approve_description(condition, by=dual)

    condition.refresh_from_db()
    assert condition.public_description == ""
    approve_description(condition, by=reviewer)
    condition.refresh_from_db()
    assert condition.public_description == "A reviewer's description."


def test_an_author_cannot_approve_a_description(author):
    condition = make_condition()
    edit_description(condition, by=make_user("Authors"), text="An inflammatory muscle disease.")

    with pytest.raises(TransitionNotAllowed, match="Only a medical reviewer"):
        approve_description(condition, by=author)

    assert Condition.objects.get().public_description == ""


def test_approving_an_unchanged_description_is_refused(author, reviewer):
    condition = make_condition(approved=False)
    edit_description(condition, by=author, text="An inflammatory muscle disease.")
    approve_description(condition, by=reviewer)

    with pytest.raises(TransitionNotAllowed, match="have no changes to approve"):
        approve_description(condition, by=reviewer)

    assert condition.description_approvals.count() == 1


def test_a_description_approval_keeps_the_reviewers_name_as_it_was(author, reviewer):
    condition = make_condition()
    edit_description(condition, by=author, text="An inflammatory muscle disease.")
    approval = approve_description(condition, by=reviewer)

    profile = reviewer.reviewer_profile
    profile.display_name = "Prof Amina Okafor"
    profile.save()

    assert type(approval).objects.get(pk=approval.pk).reviewer_name == "Dr Amina Okafor"


def test_a_review_interval_of_zero_months_is_refused(db):
    from django.core.exceptions import ValidationError

    from explainers.models import SiteSettings

    site = SiteSettings.load()
    site.review_interval_months = 0
    with pytest.raises(ValidationError, match="greater than or equal to 1"):
        site.full_clean()
