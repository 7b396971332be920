"""The clinical review workflow as people use it in the admin: submit, review, approve, publish."""

import datetime

import pytest
from django.test.html import parse_html
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from explainers.models import EventAction, Explainer, ExplainerEvent, ReviewKind, Status, TransitionNotAllowed
from tests.admin_forms import change_url, explainer_form_data, version_fields, workflow_url
from tests.factories import make_condition, make_explainer, make_published_explainer, make_reviewer, make_user
from tests.html import elements, text_of


def reload(explainer):
    return Explainer.objects.get(pk=explainer.pk)


def submitted(author, **fields):
    explainer = make_explainer(author=author, **fields)
    explainer.submit_for_review(by=author)
    return explainer


def decision(explainer, choice, comments=""):
    """Return what the review page POSTs: the decision on the version it showed (the latest)."""
    return {**version_fields(explainer.latest_version()), "decision": choice, "comments": comments}


def approve(explainer, reviewer):
    return explainer.approve(by=reviewer, version=explainer.latest_version())


def approved_version_fields(explainer):
    """Return what the publish page POSTs: the approved version it showed."""
    return version_fields(explainer.pending_review().version)


def test_an_author_submits_a_draft_with_a_note_and_it_appears_in_the_history(client, author):
    explainer = make_explainer(author=author)
    client.force_login(author)
    page = client.get(workflow_url("submit", explainer))
    assertContains(page, '<button type="submit" class="workflow-button default">Submit for review</button>', html=True)

    response = client.post(workflow_url("submit", explainer), {"comment": "First draft, ready."}, follow=True)

    assertContains(response, "Submitted version 1")
    assertContains(response, "First draft, ready.")
    assert reload(explainer).status == Status.IN_REVIEW


def test_a_reviewer_approves_the_submitted_version_from_the_review_page(client, author, reviewer):
    explainer = submitted(author)
    client.force_login(reviewer)
    page = client.get(workflow_url("review", explainer))
    assertContains(page, "Approve as full clinical review")
    assertContains(page, "Request changes")
    assertNotContains(page, "Approve as minor change</button>")

    response = client.post(workflow_url("review", explainer), decision(explainer, "full", "Accurate."), follow=True)

    assertContains(response, "Approved version 1 of “")
    explainer = reload(explainer)
    assert explainer.status == Status.APPROVED
    assert explainer.reviews.get().kind == ReviewKind.FULL
    assertContains(response, "Full clinical review")  # the reviews list on the change page
    assertContains(response, "Dr Amina Okafor")


def test_a_first_approval_as_a_minor_change_is_refused_with_the_reason(client, author, reviewer):
    explainer = submitted(author)
    client.force_login(reviewer)
    response = client.post(workflow_url("review", explainer), decision(explainer, "minor"), follow=True)
    assertContains(response, "The first approval of an explainer must be a full clinical review.")
    assert reload(explainer).status == Status.IN_REVIEW


def test_a_later_change_can_be_approved_as_a_minor_change(client, author, reviewer):
    # A minor change may change at most 20% of the words (site settings): correct one typo in a paragraph.
    paragraph = "The immune system attacks the muscles, which become weak and sore over {} weeks or months."
    explainer = make_published_explainer(author=author, sections=[paragraph.format("sevral")])
    explainer.sections.update(body=paragraph.format("several"))
    explainer.record_edit(by=author)
    explainer.submit_for_review(by=author)
    client.force_login(reviewer)
    assertContains(client.get(workflow_url("review", explainer)), "Approve as minor change</button>")
    client.post(workflow_url("review", explainer), decision(explainer, "minor", "Typo only."))
    assert reload(explainer).reviews.first().kind == ReviewKind.MINOR


def test_requesting_changes_needs_a_comment_and_keeps_what_was_typed(client, author, reviewer):
    explainer = submitted(author)
    client.force_login(reviewer)
    response = client.post(workflow_url("review", explainer), decision(explainer, "changes_requested", "  "))
    assert response.status_code == 200
    assertContains(response, "Say what needs to change")
    assert reload(explainer).status == Status.IN_REVIEW

    client.post(workflow_url("review", explainer), decision(explainer, "changes_requested", "Add sources."))
    assert reload(explainer).status == Status.CHANGES_REQUESTED


def test_a_reviewer_cannot_approve_a_version_they_edited_and_is_told_why(client, reviewer):
    explainer = make_explainer(author=make_user("Authors"))
    explainer.record_edit(by=reviewer)  # the reviewer fixed a sentence themselves
    explainer.submit_for_review(by=explainer.created_by)
    client.force_login(reviewer)

    change_page = client.get(change_url(explainer))
    assertContains(change_page, "You edited this version, so another medical reviewer must approve it")
    assertNotContains(change_page, ">Review this version</a>")
    review_page = client.get(workflow_url("review", explainer))
    assertNotContains(review_page, "Approve as full clinical review</button>")
    response = client.post(workflow_url("review", explainer), decision(explainer, "full"), follow=True)

    assertContains(response, "You edited this version, so another medical reviewer must approve it")
    assert reload(explainer).status == Status.IN_REVIEW
    assert not explainer.reviews.exists()


def test_the_model_refuses_self_approval_too(reviewer):
    explainer = make_explainer(author=make_user("Authors"))
    explainer.record_edit(by=reviewer)
    explainer.submit_for_review(by=explainer.created_by)
    with pytest.raises(TransitionNotAllowed, match="You edited this version"):
        approve(explainer, reviewer)


@pytest.mark.parametrize(
    ("action", "data", "message"),
    [
        ("publish", lambda e: version_fields(e.latest_version()), "only approved versions can be published"),
        ("withdraw", lambda e: {"reason": "Outdated."}, "is not published"),
        ("schedule", lambda e: {"due": "2027-02-01"}, "is not published, so it has no review cycle yet"),
    ],
)
def test_a_publisher_is_told_why_a_step_does_not_apply_to_a_draft(client, publisher, action, data, message):
    explainer = submitted(make_user("Authors"))  # version 1 exists, but an edit sent it back to draft
    explainer.record_edit(by=explainer.created_by)
    assert reload(explainer).status == Status.DRAFT
    client.force_login(publisher)
    response = client.post(workflow_url(action, explainer), data(explainer), follow=True)
    assert response.status_code == 200
    assertContains(response, message)
    assert reload(explainer).status == Status.DRAFT


def test_submitting_an_explainer_already_in_review_is_refused_with_a_message(client, author):
    explainer = submitted(author)
    client.force_login(author)
    response = client.post(workflow_url("submit", explainer), {"comment": ""}, follow=True)
    assertContains(response, "is in clinical review and cannot be submitted")
    assert explainer.versions.count() == 1


def test_approving_an_explainer_not_in_review_is_refused_with_a_message(client, reviewer):
    explainer = make_published_explainer()
    client.force_login(reviewer)
    response = client.post(workflow_url("review", explainer), decision(explainer, "full"), follow=True)
    assertContains(response, "is not awaiting review")


def test_a_withdrawal_needs_a_reason(client, publisher):
    explainer = make_published_explainer()
    client.force_login(publisher)
    response = client.post(workflow_url("withdraw", explainer), {"reason": ""})
    assert response.status_code == 200
    assertContains(response, "This field is required.")
    assert reload(explainer).is_public


def test_a_publisher_publishes_withdraws_and_schedules_from_the_change_page(client, author, reviewer, publisher):
    explainer = submitted(author)
    approve(explainer, reviewer)
    client.force_login(publisher)
    assertContains(client.get(change_url(explainer)), ">Publish</a>")

    response = client.post(workflow_url("publish", explainer), approved_version_fields(explainer), follow=True)
    assertContains(response, "is now on the public site")
    assert reload(explainer).is_public
    due = timezone.localdate() + datetime.timedelta(days=400)  # within the longest review cycle (36 months)
    client.post(workflow_url("schedule", explainer), {"due": due.isoformat()})
    assert reload(explainer).next_review_due == due
    response = client.post(workflow_url("withdraw", explainer), {"reason": "Guidance changed."}, follow=True)
    assertContains(response, "Guidance changed.")  # the reason is in the history
    assert not reload(explainer).is_public


def test_editing_during_review_sends_the_explainer_back_to_draft(client, author):
    explainer = submitted(author)
    client.force_login(author)
    response = client.post(
        change_url(explainer), explainer_form_data(explainer, tldr="A rewritten answer."), follow=True
    )
    assertContains(response, "Your edit sent")
    explainer = reload(explainer)
    assert explainer.status == Status.DRAFT
    assert explainer.events.first().action == "edited"


def test_editing_a_section_after_approval_voids_the_approval(client, author, reviewer, publisher):
    explainer = submitted(author)
    approve(explainer, reviewer)
    client.force_login(author)
    rows = [
        {"id": s.pk, "heading": s.heading, "body": "A changed answer.", "health_aspect": "", "position": 0}
        for s in explainer.sections.all()
    ]
    client.post(change_url(explainer), explainer_form_data(explainer, sections=rows))
    assert reload(explainer).status == Status.DRAFT
    client.force_login(publisher)
    response = client.post(workflow_url("publish", explainer), version_fields(explainer.latest_version()), follow=True)
    assertContains(response, "only approved versions can be published")
    assert not reload(explainer).is_public


def test_saving_without_changing_the_text_keeps_the_submission(client, author):
    explainer = submitted(author)
    client.force_login(author)
    client.post(change_url(explainer), explainer_form_data(explainer, experience_count=12))
    explainer = reload(explainer)
    assert explainer.status == Status.IN_REVIEW
    assert explainer.experience_count == 12


def test_an_explainer_added_in_the_admin_records_its_author_and_first_edit(client, author):
    condition = make_condition()
    client.force_login(author)
    data = explainer_form_data(
        Explainer(condition=condition, question="Is it contagious?", slug="is-it-contagious", tldr="No."),
        sections=[{"heading": "Short answer", "body": "No, it is not.", "health_aspect": "", "position": 0}],
    )
    data.pop("lock_version")
    response = client.post(reverse("admin:explainers_explainer_add"), data)
    assert response.status_code == 302
    explainer = Explainer.objects.get(slug="is-it-contagious")
    assert explainer.created_by == author
    assert explainer.sections.get().body == "No, it is not."
    assert ExplainerEvent.objects.filter(explainer=explainer, action="edited", actor=author).exists()


def history_rows(content):
    """Return the change page's history table as one dict per row, keyed by the column headings."""
    section = next(
        s
        for s in elements(parse_html(content.decode()), "section")
        if ("aria-labelledby", "history-title") in s.attributes
    )
    table = next(elements(section, "table"))
    headings = [text_of(th) for th in elements(next(elements(table, "thead")), "th")]
    return [
        dict(zip(headings, [text_of(td) for td in elements(tr, "td")], strict=True))
        for tr in elements(next(elements(table, "tbody")), "tr")
    ]


def test_the_change_page_shows_the_history_with_who_when_and_the_status_change(client, author, reviewer):
    author.first_name, author.last_name = "Sam", "Writer"
    author.save()
    reviewer.first_name, reviewer.last_name = "Amina", "Okafor"
    reviewer.save()
    explainer = submitted(author)
    explainer.request_changes(by=reviewer, version=explainer.latest_version(), comments="Please cite the review paper.")
    client.force_login(author)
    response = client.get(change_url(explainer))
    assertContains(response, "History")
    rows = history_rows(response.content)
    sent_back = [row for row in rows if row["From → to"] == "In clinical review → Changes requested"]
    assert len(sent_back) == 1
    assert sent_back[0]["Who"] == "Amina Okafor"
    assert sent_back[0]["What"] == f"{EventAction.CHANGES_REQUESTED.label} (version 1)"
    assert sent_back[0]["Comment"] == "Please cite the review paper."
    assert sent_back[0]["When"]
    submission = [row for row in rows if row["From → to"] == "Draft → In clinical review"]
    assert [row["Who"] for row in submission] == ["Sam Writer"]


def test_publishing_is_never_a_bulk_action_that_would_skip_the_signature(client, publisher):
    make_explainer()
    client.force_login(publisher)
    response = client.get(reverse("admin:explainers_explainer_changelist"))
    assert response.status_code == 200
    actions = [value for value, _ in response.context["action_form"].fields["action"].choices if value]
    assert actions == ["download_evidence_pack"]  # the one action only reads


class TestReviewQueueOnTheAdminIndex:
    def test_a_reviewer_sees_what_awaits_them_and_what_they_cannot_review(self, client, author, reviewer):
        theirs = submitted(author, question="Is it inherited?")
        edited = make_explainer(author=author, question="Can diet help?")
        edited.record_edit(by=reviewer)
        edited.submit_for_review(by=author)
        client.force_login(reviewer)
        response = client.get(reverse("admin:index"))
        page = response.content.decode()
        mine = page.split("Awaiting your review")[1].split("review-queue-not_yours")[0]
        assert "Is it inherited?" in mine and "Can diet help?" not in mine
        not_yours = page.split("Awaiting review, but not by you")[1].split("review-queue-conditions")[0]
        assert "Can diet help?" in not_yours and "Is it inherited?" not in not_yours
        assert "You edited this version, so another medical reviewer must approve it" in not_yours
        assertContains(response, reverse("admin:explainers_explainer_review", args=[theirs.pk]))
        assertNotContains(response, "Approved, awaiting publication")
        assertNotContains(response, "Changes requested</span>")

    def test_an_author_sees_explainers_sent_back_with_changes_requested(self, client, author, reviewer):
        explainer = submitted(author, question="Does exercise help?")
        explainer.request_changes(by=reviewer, version=explainer.latest_version(), comments="More detail.")
        client.force_login(author)
        response = client.get(reverse("admin:index"))
        assertContains(response, "Changes requested")
        assertContains(response, "Does exercise help?")
        assertNotContains(response, "Awaiting your review")
        assertNotContains(response, "Overdue for review")

    def test_a_publisher_sees_approved_overdue_and_soon_due_explainers(self, client, reviewer, publisher):
        import datetime

        from django.utils import timezone

        approved = submitted(make_user("Authors"), question="Is it rare?")
        approve(approved, reviewer)
        overdue = make_published_explainer(question="What is the outlook?")
        soon = make_published_explainer(question="How is it diagnosed?")
        today = timezone.localdate()
        Explainer.objects.filter(pk=overdue.pk).update(next_review_due=today - datetime.timedelta(days=1))
        Explainer.objects.filter(pk=soon.pk).update(next_review_due=today + datetime.timedelta(days=5))
        client.force_login(publisher)
        page = client.get(reverse("admin:index")).content.decode()
        approved_part = page.split("Approved, awaiting publication")[1].split("Overdue for review")[0]
        overdue_part = page.split("Overdue for review")[1].split("Due for review within 30 days")[0]
        soon_part = page.split("Due for review within 30 days")[1]
        assert "Is it rare?" in approved_part
        assert "What is the outlook?" in overdue_part and "How is it diagnosed?" not in overdue_part
        assert "How is it diagnosed?" in soon_part
        assert "Awaiting your review" not in page
        assert 'id="app-explainers-explainer"' in page or "Explainers" in page  # the normal app list stays

    def test_the_queue_keeps_a_bounded_number_of_queries(self, client, superuser, django_assert_max_num_queries):
        make_reviewer(superuser, display_name="Dr Admin", slug="dr-admin")
        for _ in range(5):
            submitted(make_user("Authors"))
            make_published_explainer()
        client.force_login(superuser)
        # 20 for the page, 1 finding pages flagged for re-review (a source changed), 1 counting reader
        # reports awaiting triage, 2 asking whether the user has set up two-factor, 1 renewing the idle session.
        with django_assert_max_num_queries(25):
            assert client.get(reverse("admin:index")).status_code == 200
