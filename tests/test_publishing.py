"""The publication gate: only an approved snapshot ever reaches the public, and only through the named steps."""

import datetime
import html
import re

import pytest
from pytest_django.asserts import assertContains, assertNotContains

from explainers.models import (
    Explainer,
    ExplainerEvent,
    Review,
    ReviewKind,
    SiteSettings,
    Status,
    TransitionNotAllowed,
    add_months,
)
from tests.factories import make_explainer, make_published_explainer, make_reviewer, make_user, publish, today_is


def visible_text(response):
    """Return the words of a page as a reader sees them, tags removed and whitespace folded."""
    assert response.status_code == 200
    words = " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())
    return html.unescape(words).replace(" ,", ",")


def edit_first_section(explainer, *, by, body):
    section = explainer.sections.first()
    section.body = body
    section.save()
    explainer.record_edit(by=by)


def resubmit_and_approve(explainer, *, author, reviewer_user, kind=ReviewKind.FULL):
    version = explainer.submit_for_review(by=author)
    return explainer.approve(by=reviewer_user, version=version, kind=kind)


# -- the gate ----------------------------------------------------------------


def test_an_explainer_without_an_approval_cannot_be_published(author, publisher):
    explainer = make_explainer(author=author)
    version = explainer.submit_for_review(by=author)

    with pytest.raises(TransitionNotAllowed, match="only approved versions can be published"):
        explainer.publish(by=publisher, version=version)

    explainer.refresh_from_db()
    assert explainer.status == Status.IN_REVIEW
    assert explainer.published_version is None
    assert not Explainer.objects.published().exists()


def test_a_draft_cannot_be_published(author, publisher):
    explainer = make_explainer(author=author)

    with pytest.raises(TransitionNotAllowed, match="draft: only approved versions can be published"):
        explainer.publish(by=publisher, version=None)  # a draft has no version to show

    assert not Explainer.objects.published().exists()


def test_an_author_cannot_publish_an_approved_explainer(author, reviewer):
    explainer = make_explainer(author=author)
    version = explainer.submit_for_review(by=author)
    explainer.approve(by=reviewer, version=version)

    with pytest.raises(TransitionNotAllowed, match="Your role cannot publish"):
        explainer.publish(by=author, version=version)

    assert Explainer.objects.get().status == Status.APPROVED
    assert not Explainer.objects.published().exists()


def test_publishing_an_approved_explainer_makes_its_snapshot_public(author, reviewer, publisher):
    explainer = make_explainer(author=author, question="Is myositis inherited?", sections=("Not in a simple way.",))
    version = explainer.submit_for_review(by=author)
    review = explainer.approve(by=reviewer, version=version)

    explainer.publish(by=publisher, version=version)

    public = Explainer.objects.for_public_page().get()
    assert public.status == Status.PUBLISHED
    assert public.published_version == version
    assert public.public_review == review
    assert public.published_version.question == "Is myositis inherited?"
    assert [s["body"] for s in public.published_version.sections] == ["Not in a simple way."]
    assert public.last_updated == review.reviewed_on
    assert public.events.first().action == "published"


# -- edits after publication -----------------------------------------------


def test_an_edit_after_publishing_does_not_change_the_public_version(author):
    explainer = make_explainer(author=author, question="What causes it?", sections=("The original answer.",))
    publish(explainer)
    published_version = explainer.published_version

    explainer.question = "What really causes it?"
    explainer.save()
    edit_first_section(explainer, by=author, body="A rewritten answer that nobody has reviewed.")

    explainer.refresh_from_db()
    assert explainer.published_version == published_version
    assert explainer.published_version.question == "What causes it?"
    assert [s["body"] for s in explainer.published_version.sections] == ["The original answer."]
    assert Explainer.objects.published().get() == explainer
    assert explainer.status == Status.DRAFT


def test_an_edit_after_publishing_does_not_change_the_public_page(client, author):
    explainer = make_explainer(author=author, question="What causes it?", sections=("The original answer.",))
    publish(explainer)

    explainer.question = "What really causes it?"
    explainer.save()
    edit_first_section(explainer, by=author, body="A rewritten answer that nobody has reviewed.")

    response = client.get(explainer.get_absolute_url())
    assertContains(response, "What causes it?")
    assertContains(response, "The original answer.")
    assertNotContains(response, "What really causes it?")
    assertNotContains(response, "nobody has reviewed")


def test_a_published_explainer_being_re_edited_says_it_has_unpublished_changes(author, reviewer):
    explainer = make_published_explainer(author=author)
    assert explainer.status_label == "Published"

    edit_first_section(explainer, by=author, body="A new draft.")
    assert explainer.status_label == "Published, with unpublished changes (draft)"

    explainer.submit_for_review(by=author)
    assert explainer.status_label == "Published, with unpublished changes (in clinical review)"


def test_approving_and_publishing_a_new_version_changes_the_public_text_and_dates(author, reviewer, publisher):
    explainer = make_explainer(author=author, sections=("The first answer.",))
    with today_is(datetime.date(2026, 1, 10)):
        publish(explainer, reviewer=reviewer.reviewer_profile, publisher=publisher)
    first_review = explainer.public_review

    edit_first_section(explainer, by=author, body="The second answer.")
    with today_is(datetime.date(2026, 3, 5)):
        second_review = resubmit_and_approve(explainer, author=author, reviewer_user=reviewer)
        explainer.publish(by=publisher, version=second_review.version)

    explainer.refresh_from_db()
    assert [s["body"] for s in explainer.published_version.sections] == ["The second answer."]
    assert explainer.public_review == second_review != first_review
    assert explainer.public_review.reviewed_on == datetime.date(2026, 3, 5)
    assert explainer.last_updated == datetime.date(2026, 3, 5)
    assert explainer.next_review_due == datetime.date(2027, 3, 5)


def test_a_full_re_review_of_unchanged_text_keeps_last_updated_but_restarts_the_cycle(author, reviewer, publisher):
    explainer = make_explainer(author=author, sections=("The answer.",))
    with today_is(datetime.date(2026, 1, 10)):
        publish(explainer, reviewer=reviewer.reviewer_profile, publisher=publisher)

    with today_is(datetime.date(2027, 1, 4)):
        version = explainer.submit_for_review(by=publisher)
        explainer.approve(by=reviewer, version=version)
        explainer.publish(by=publisher, version=version)

    explainer.refresh_from_db()
    assert explainer.last_updated == datetime.date(2026, 1, 10)  # the public text did not change
    assert explainer.public_review.reviewed_on == datetime.date(2027, 1, 4)
    assert explainer.next_review_due == datetime.date(2028, 1, 4)


def test_a_new_version_changes_the_public_page_only_once_it_is_published(client, author, reviewer, publisher):
    explainer = make_explainer(author=author, sections=("The first answer.",))
    publish(explainer, reviewer=reviewer.reviewer_profile, publisher=publisher)
    edit_first_section(explainer, by=author, body="The second answer.")
    second_review = resubmit_and_approve(explainer, author=author, reviewer_user=reviewer)

    assertContains(client.get(explainer.get_absolute_url()), "The first answer.")

    explainer.publish(by=publisher, version=second_review.version)

    response = client.get(explainer.get_absolute_url())
    assertContains(response, "The second answer.")
    assertNotContains(response, "The first answer.")


def test_what_gets_published_is_the_approved_snapshot_not_the_latest_working_copy(author, reviewer, publisher):
    explainer = make_explainer(author=author, sections=("The reviewed answer.",))
    version = explainer.submit_for_review(by=author)
    review = explainer.approve(by=reviewer, version=version)
    # A change that bypasses record_edit (a shell, a bug elsewhere) must still not reach the public.
    section = explainer.sections.get()
    section.body = "Text no reviewer has seen."
    section.save()

    explainer.publish(by=publisher, version=version)

    explainer.refresh_from_db()
    assert explainer.published_version == review.version
    assert [s["body"] for s in explainer.published_version.sections] == ["The reviewed answer."]
    assert "no reviewer has seen" not in explainer.published_version.sections[0]["html"]


def test_an_edit_after_approval_returns_the_explainer_to_draft_and_blocks_publishing(author, reviewer, publisher):
    explainer = make_explainer(author=author)
    version = explainer.submit_for_review(by=author)
    explainer.approve(by=reviewer, version=version)

    edit_first_section(explainer, by=author, body="Changed after approval.")

    assert Explainer.objects.get().status == Status.DRAFT
    with pytest.raises(TransitionNotAllowed, match="draft: only approved versions can be published"):
        explainer.publish(by=publisher, version=version)
    assert not Explainer.objects.published().exists()


def test_an_edit_while_in_review_returns_the_explainer_to_draft_and_approval_is_refused(author, reviewer):
    explainer = make_explainer(author=author)
    version = explainer.submit_for_review(by=author)

    edit_first_section(explainer, by=author, body="Changed while the reviewer was reading.")

    assert Explainer.objects.get().status == Status.DRAFT
    with pytest.raises(TransitionNotAllowed, match="is not awaiting review"):
        explainer.approve(by=reviewer, version=version)
    assert not Review.objects.exists()


def test_approval_is_refused_when_the_working_copy_changed_without_a_recorded_edit(author, reviewer):
    explainer = make_explainer(author=author)
    version = explainer.submit_for_review(by=author)
    section = explainer.sections.get()
    section.body = "Changed behind the workflow's back."
    section.save()

    with pytest.raises(TransitionNotAllowed, match="changed after it was submitted"):
        explainer.approve(by=reviewer, version=version)

    assert not Review.objects.exists()
    assert Explainer.objects.get().status == Status.IN_REVIEW


# -- refused transitions -----------------------------------------------------


def test_approving_a_draft_is_refused(author, reviewer):
    explainer = make_explainer(author=author)

    with pytest.raises(TransitionNotAllowed, match="is not awaiting review"):
        explainer.approve(by=reviewer, version=None)  # a draft has no version to show

    assert not Review.objects.exists()
    assert Explainer.objects.get().status == Status.DRAFT


def test_approving_an_already_approved_explainer_is_refused(author, reviewer):
    explainer = make_explainer(author=author)
    version = explainer.submit_for_review(by=author)
    explainer.approve(by=reviewer, version=version)

    with pytest.raises(TransitionNotAllowed, match="is not awaiting review"):
        explainer.approve(by=reviewer, version=version)

    assert Review.objects.count() == 1


def test_withdrawing_an_explainer_that_is_not_public_is_refused(author, publisher):
    explainer = make_explainer(author=author)

    with pytest.raises(TransitionNotAllowed, match="is not published"):
        explainer.withdraw(by=publisher, reason="Out of date.")

    assert Explainer.objects.get().status == Status.DRAFT


def test_submitting_an_explainer_already_in_review_is_refused(author):
    explainer = make_explainer(author=author)
    explainer.submit_for_review(by=author)

    with pytest.raises(TransitionNotAllowed, match="in clinical review and cannot be submitted"):
        explainer.submit_for_review(by=author)

    assert explainer.versions.count() == 1


def test_submitting_an_explainer_without_sections_is_refused(author):
    explainer = make_explainer(author=author, sections=())

    with pytest.raises(TransitionNotAllowed, match="has no sections yet"):
        explainer.submit_for_review(by=author)

    assert not explainer.versions.exists()


def test_a_reviewer_cannot_submit_an_explainer(author, reviewer):
    explainer = make_explainer(author=author)

    with pytest.raises(TransitionNotAllowed, match="Your role cannot submit"):
        explainer.submit_for_review(by=reviewer)

    assert Explainer.objects.get().status == Status.DRAFT


@pytest.mark.parametrize("comments", ["", "   \n "])
def test_requesting_changes_without_a_comment_is_refused(author, reviewer, comments):
    explainer = make_explainer(author=author)
    version = explainer.submit_for_review(by=author)

    with pytest.raises(TransitionNotAllowed, match="Say what needs to change"):
        explainer.request_changes(by=reviewer, version=version, comments=comments)

    assert not Review.objects.exists()
    assert Explainer.objects.get().status == Status.IN_REVIEW


def test_requesting_changes_sends_the_explainer_back_with_the_comment(author, reviewer):
    explainer = make_explainer(author=author)
    version = explainer.submit_for_review(by=author)

    review = explainer.request_changes(by=reviewer, version=version, comments="Cite the 2024 cohort study.")

    assert Explainer.objects.get().status == Status.CHANGES_REQUESTED
    assert review.kind == ReviewKind.CHANGES_REQUESTED
    assert review.comments == "Cite the 2024 cohort study."
    assert explainer.events.first().comment == "Cite the 2024 cohort study."


def test_a_minor_change_cannot_be_the_first_approval(author, reviewer):
    explainer = make_explainer(author=author)
    version = explainer.submit_for_review(by=author)

    with pytest.raises(TransitionNotAllowed, match="first approval of an explainer must be a full clinical review"):
        explainer.approve(by=reviewer, version=version, kind=ReviewKind.MINOR)

    assert not Review.objects.exists()
    assert Explainer.objects.get().status == Status.IN_REVIEW


def test_an_author_cannot_approve_an_explainer(author):
    other_author = make_user("Authors")
    explainer = make_explainer(author=other_author)
    version = explainer.submit_for_review(by=other_author)

    with pytest.raises(TransitionNotAllowed, match="Only medical reviewers"):
        explainer.approve(by=author, version=version)

    assert not Review.objects.exists()


def test_a_reviewer_without_a_profile_cannot_approve(author):
    explainer = make_explainer(author=author)
    version = explainer.submit_for_review(by=author)

    with pytest.raises(TransitionNotAllowed, match="You need a reviewer profile"):
        explainer.approve(by=make_user("Medical reviewers"), version=version)

    assert not Review.objects.exists()


# -- withdrawal ----------------------------------------------------------------


def test_withdrawing_removes_the_explainer_from_public_and_records_the_reason(author, publisher):
    explainer = make_published_explainer(author=author)

    explainer.withdraw(by=publisher, reason="Superseded by the 2026 guideline.")

    explainer.refresh_from_db()
    assert not Explainer.objects.published().exists()
    assert explainer.status == Status.WITHDRAWN
    event = ExplainerEvent.objects.filter(explainer=explainer).first()
    assert (event.action, event.actor, event.comment) == ("withdrawn", publisher, "Superseded by the 2026 guideline.")
    assert (event.from_status, event.to_status) == (Status.PUBLISHED, Status.WITHDRAWN)


def test_a_withdrawn_explainer_page_is_not_found(client, author, publisher):
    explainer = make_published_explainer(author=author)
    explainer.withdraw(by=publisher, reason="Superseded by the 2026 guideline.")

    assert client.get(explainer.get_absolute_url()).status_code == 404


def test_withdrawing_without_a_reason_is_refused(author, publisher):
    explainer = make_published_explainer(author=author)

    with pytest.raises(TransitionNotAllowed, match="Give a reason for withdrawing"):
        explainer.withdraw(by=publisher, reason=" ")

    assert Explainer.objects.published().get() == explainer


def test_an_author_cannot_withdraw_an_explainer(author):
    explainer = make_published_explainer(author=author)

    with pytest.raises(TransitionNotAllowed, match="Your role cannot withdraw"):
        explainer.withdraw(by=author, reason="I changed my mind.")

    assert Explainer.objects.published().get() == explainer


# -- next review date ------------------------------------------------------------


def test_next_review_is_due_twelve_months_after_the_review_by_default(author):
    explainer = make_explainer(author=author)

    with today_is(datetime.date(2026, 5, 20)):
        publish(explainer)

    assert SiteSettings.load().review_interval_months == 12
    assert explainer.next_review_due == datetime.date(2027, 5, 20)


def test_next_review_follows_the_site_setting(author):
    site = SiteSettings.load()
    site.review_interval_months = 6
    site.save()
    explainer = make_explainer(author=author)

    with today_is(datetime.date(2026, 5, 20)):
        publish(explainer)

    assert explainer.next_review_due == datetime.date(2026, 11, 20)


def test_an_explainer_review_interval_overrides_the_site_setting(author):
    site = SiteSettings.load()
    site.review_interval_months = 6
    site.save()
    explainer = make_explainer(author=author, review_interval_months=3)

    with today_is(datetime.date(2026, 5, 20)):
        publish(explainer)

    assert explainer.next_review_due == datetime.date(2026, 8, 20)


def test_next_review_counts_from_the_review_date_not_the_publication_date(author, reviewer, publisher):
    explainer = make_explainer(author=author)
    with today_is(datetime.date(2026, 5, 20)):
        version = explainer.submit_for_review(by=author)
        explainer.approve(by=reviewer, version=version)
    with today_is(datetime.date(2026, 6, 2)):
        explainer.publish(by=publisher, version=version)

    explainer.refresh_from_db()
    assert explainer.public_review.reviewed_on == datetime.date(2026, 5, 20)
    assert explainer.next_review_due == datetime.date(2027, 5, 20)
    assert explainer.last_updated == datetime.date(2026, 6, 2)


def test_a_review_on_the_last_day_of_january_is_next_due_at_the_end_of_february(author):
    explainer = make_explainer(author=author, review_interval_months=1)

    with today_is(datetime.date(2027, 1, 31)):
        publish(explainer)

    assert explainer.next_review_due == datetime.date(2027, 2, 28)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (datetime.date(2027, 1, 31), 1, datetime.date(2027, 2, 28)),
        (datetime.date(2028, 1, 31), 1, datetime.date(2028, 2, 29)),
        (datetime.date(2026, 8, 31), 1, datetime.date(2026, 9, 30)),
        (datetime.date(2028, 2, 29), 12, datetime.date(2029, 2, 28)),
        (datetime.date(2026, 12, 15), 1, datetime.date(2027, 1, 15)),
        (datetime.date(2026, 4, 7), 12, datetime.date(2027, 4, 7)),
        (datetime.date(2026, 11, 30), 27, datetime.date(2029, 2, 28)),
    ],
)
def test_adding_months_clamps_to_the_end_of_shorter_months(day, months, expected):
    assert add_months(day, months) == expected


def test_the_review_and_its_dates_are_shown_on_the_public_page(client, author):
    explainer = make_explainer(author=author)
    reviewer = make_reviewer(display_name="Dr Amina Okafor", credentials="MD, rheumatologist")
    with today_is(datetime.date(2026, 4, 7)):
        publish(explainer, reviewer=reviewer)

    text = visible_text(client.get(explainer.get_absolute_url()))

    assert "Last updated 7 April 2026" in text
    assert "Medically reviewed by Dr Amina Okafor, MD, rheumatologist on 7 April 2026" in text
    assert "Next review due 7 April 2027" in text
