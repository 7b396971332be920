"""
Scheduled publication and withdrawal: a publisher schedules an approved version to go public (or a
page to come off) at a time; `manage.py publish_scheduled` carries it out on its first run after
that time, as the scheduling publisher; an edit in between cancels it and the history says so; a
missed run loses nothing.
"""

import datetime
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.utils import timezone
from pytest_django.asserts import assertContains

from explainers.models import EventAction, ExplainerEvent, ScheduledStep, SignedWith, TransitionNotAllowed
from tests.admin_forms import version_fields, workflow_url
from tests.factories import make_explainer, make_reviewer, make_user, publish

NOW = timezone.now()


def approved():
    explainer = make_explainer()
    version = explainer.submit_for_review(by=explainer.created_by)
    explainer.approve(by=make_reviewer().user, version=version)
    return explainer, version


def run_at(moment):
    out = StringIO()
    with mock.patch("django.utils.timezone.now", return_value=moment):
        call_command("publish_scheduled", stdout=out)
    return out.getvalue()


def test_a_scheduled_publication_happens_on_the_first_run_after_its_time_as_the_scheduling_publisher(db):
    explainer, version = approved()
    publisher = make_user("Publishers")
    at = NOW + datetime.timedelta(hours=2)
    explainer.schedule_publication(by=publisher, version=version, at=at, signed_with=SignedWith.PASSWORD)

    run_at(at - datetime.timedelta(minutes=1))
    explainer.refresh_from_db()
    assert not explainer.is_public

    output = run_at(at + datetime.timedelta(minutes=3))
    explainer.refresh_from_db()
    assert explainer.is_public and explainer.published_version == version
    published = ExplainerEvent.objects.get(explainer=explainer, action=EventAction.PUBLISHED)
    assert published.actor == publisher and published.signed_with == SignedWith.PASSWORD
    assert "1 scheduled step(s) carried out" in output
    assert "0 scheduled step(s) carried out" in run_at(at + datetime.timedelta(minutes=10))  # never twice


def test_a_missed_run_loses_nothing_the_next_run_catches_up(db):
    explainer, version = approved()
    at = NOW + datetime.timedelta(hours=1)
    explainer.schedule_publication(by=make_user("Publishers"), version=version, at=at)
    run_at(at + datetime.timedelta(days=2))  # cron was down for two days
    explainer.refresh_from_db()
    assert explainer.is_public


def test_an_edit_in_between_cancels_the_schedule_and_the_history_says_so(db):
    explainer, version = approved()
    at = NOW + datetime.timedelta(hours=1)
    explainer.schedule_publication(by=make_user("Publishers"), version=version, at=at)
    explainer.tldr = "A changed answer nobody has reviewed."
    explainer.save()
    explainer.record_edit(by=explainer.created_by)

    run_at(at + datetime.timedelta(minutes=5))
    explainer.refresh_from_db()
    assert not explainer.is_public
    step = ScheduledStep.objects.get(explainer=explainer)
    assert step.cancelled_at and "An edit voided the approval" in step.cancel_reason
    cancelled = ExplainerEvent.objects.get(explainer=explainer, action=EventAction.SCHEDULE_CANCELLED)
    assert "An edit voided the approval it was to publish." in cancelled.comment


def test_a_scheduled_withdrawal_removes_the_page(client, db):
    explainer = make_explainer()
    publish(explainer)
    url = explainer.get_absolute_url()
    at = NOW + datetime.timedelta(days=1)
    publisher = make_user("Publishers")
    explainer.schedule_withdrawal(by=publisher, at=at, reason="Guidance changes tomorrow.")
    assert client.get(url).status_code == 200
    run_at(at + datetime.timedelta(minutes=1))
    assert client.get(url).status_code == 404
    withdrawn = ExplainerEvent.objects.get(explainer=explainer, action=EventAction.WITHDRAWN)
    assert withdrawn.actor == publisher and withdrawn.comment == "Guidance changes tomorrow."


def test_only_a_publisher_may_schedule_and_only_for_a_time_to_come(db):
    explainer, version = approved()
    with pytest.raises(TransitionNotAllowed, match="Your role cannot publish"):
        explainer.schedule_publication(by=make_user("Authors"), version=version, at=NOW + datetime.timedelta(hours=1))
    with pytest.raises(TransitionNotAllowed, match="Choose a time in the future"):
        explainer.schedule_publication(
            by=make_user("Publishers"), version=version, at=NOW - datetime.timedelta(hours=1)
        )


def test_the_publish_page_schedules_when_given_a_time(client, publisher):
    explainer, version = approved()
    client.force_login(publisher)
    response = client.post(
        workflow_url("publish", explainer), {**version_fields(version), "publish_at": "2099-01-05T09:30"}, follow=True
    )
    assertContains(response, "will be published at 5 January 2099, 09:30")
    explainer.refresh_from_db()
    assert not explainer.is_public
    assert ScheduledStep.objects.get(explainer=explainer).scheduled_by == publisher
