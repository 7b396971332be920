"""The reminder email medical reviewers get about explainers awaiting review or due for review."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from explainers.models import Explainer
from tests.factories import make_explainer, make_published_explainer, make_reviewer, make_user

pytestmark = pytest.mark.django_db


def run():
    out = StringIO()
    call_command("send_review_reminders", stdout=out)
    return out.getvalue()


def reviewer_with_email(email, username):
    return make_reviewer(make_user("Medical reviewers", username=username, email=email)).user


def test_each_reviewer_gets_the_explainers_awaiting_review_with_admin_links(mailoutbox, settings):
    settings.SITE_URL = "https://condinfo.example"
    reviewer = reviewer_with_email("amina@example.org", "amina")
    author = make_user("Authors")
    explainer = make_explainer(author=author, question="Is it inherited?")
    explainer.submit_for_review(by=author)

    output = run()

    [email] = mailoutbox
    assert email.to == ["amina@example.org"]
    assert email.subject == "condinfo reviews: 1 awaiting your review"
    assert "Is it inherited?" in email.body
    assert f"https://condinfo.example/admin/explainers/explainer/{explainer.pk}/review/" in email.body
    assert "Sent 1 reminder" in output
    assert reviewer.email in email.to


def test_a_reviewer_is_not_asked_to_review_what_they_edited(mailoutbox):
    editing_reviewer = reviewer_with_email("edits@example.org", "edits")
    other = reviewer_with_email("other@example.org", "other")
    author = make_user("Authors")
    explainer = make_explainer(author=author, question="Can diet help?")
    explainer.record_edit(by=editing_reviewer)
    explainer.submit_for_review(by=author)

    output = run()

    assert [email.to for email in mailoutbox] == [[other.email]]
    assert "1 reviewer had nothing to review" in output


def test_overdue_and_soon_due_explainers_are_in_the_digest_with_counts(mailoutbox):
    reviewer_with_email("amina@example.org", "amina")
    overdue = make_published_explainer(question="What is the outlook?")
    soon = make_published_explainer(question="How is it diagnosed?")
    make_published_explainer(question="Is it rare?")  # due in a year: not mentioned
    today = timezone.localdate()
    Explainer.objects.filter(pk=overdue.pk).update(next_review_due=today - datetime.timedelta(days=2))
    Explainer.objects.filter(pk=soon.pk).update(next_review_due=today + datetime.timedelta(days=20))

    run()

    [email] = mailoutbox
    assert email.subject == "condinfo reviews: 1 overdue, 1 due within 30 days"
    overdue_part, soon_part = email.body.split("due for review within 30 days")
    assert "What is the outlook?" in overdue_part and "How is it diagnosed?" in soon_part
    assert "Is it rare?" not in email.body


def test_nobody_is_emailed_when_there_is_nothing_to_do(mailoutbox):
    reviewer_with_email("amina@example.org", "amina")
    make_published_explainer()
    output = run()
    assert mailoutbox == []
    assert "Sent 0 reminders; 1 reviewer had nothing to review." in output


def test_authors_publishers_and_reviewers_without_email_get_nothing(mailoutbox):
    make_user("Authors", email="author@example.org")
    make_user("Publishers", email="publisher@example.org")
    make_reviewer(make_user("Medical reviewers", email=""))
    author = make_user("Authors")
    explainer = make_explainer(author=author)
    explainer.submit_for_review(by=author)
    run()
    assert mailoutbox == []
