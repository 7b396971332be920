"""
Corrections: a reviewer may approve a version as the correction of a clinically significant error,
with a required public note. The page then shows a clearly marked correction notice, with the date
and the note, for the site's notice period; the page's history keeps it for good.
"""

import datetime

from pytest_django.asserts import assertContains, assertNotContains

from explainers.models import Review, SiteSettings
from tests.admin_forms import version_fields, workflow_url
from tests.factories import make_explainer, make_reviewer, make_user, publish, today_is
from tests.schema_org import validation_errors
from tests.test_explainer_page import structured_data

NOTE = "An earlier version gave the wrong dose of prednisolone for children."
MAY = datetime.date(2026, 5, 4)
NOTICE = 'class="notice notice--correction"'


def corrected(explainer, *, note=NOTE):
    """Edit, resubmit and approve the page as a correction, then publish it."""
    section = explainer.sections.first()
    section.body = "The right dose."
    section.save()
    explainer.record_edit(by=explainer.created_by)
    version = explainer.submit_for_review(by=explainer.created_by, change_summary="Corrected the dose.")
    explainer.approve(by=make_reviewer().user, version=version, correction_note=note)
    explainer.publish(by=make_user("Publishers"), version=version)
    explainer.refresh_from_db()


def history(client, explainer):
    version = explainer.published_version
    return client.get(f"/conditions/{version.condition.slug}/{version.slug}/history/")


def test_a_correction_is_announced_on_the_page_for_the_notice_period_then_only_in_the_history(client, db):
    explainer = make_explainer()
    with today_is(datetime.date(2026, 4, 1)):
        publish(explainer)
    with today_is(MAY):
        corrected(explainer)
    days = SiteSettings.load().correction_notice_days
    last_day, after = MAY + datetime.timedelta(days=days - 1), MAY + datetime.timedelta(days=days)

    with today_is(last_day):
        page = client.get(explainer.get_absolute_url())
        assertContains(page, 'Correction, <time datetime="2026-05-04">4 May 2026</time>:</strong>')
        assertContains(page, NOTE)
        data = structured_data(page)
        assert data["correction"] == {"@type": "CorrectionComment", "text": NOTE, "datePublished": "2026-05-04"}
        assert not validation_errors(data)
    with today_is(after):
        assertNotContains(client.get(explainer.get_absolute_url()), NOTICE)
        assertContains(history(client, explainer), f"<strong>Correction:</strong> {NOTE}")


def test_the_notice_period_is_a_site_setting(client, db):
    explainer = make_explainer()
    publish(explainer)
    with today_is(MAY):
        corrected(explainer)
    site = SiteSettings.load()
    site.correction_notice_days = 7
    site.save_with_history(by=make_user())
    with today_is(MAY + datetime.timedelta(days=6)):
        assertContains(client.get(explainer.get_absolute_url()), NOTICE)
    with today_is(MAY + datetime.timedelta(days=7)):
        assertNotContains(client.get(explainer.get_absolute_url()), NOTICE)


def test_a_later_ordinary_change_keeps_the_notice_until_its_period_ends(client, db):
    explainer = make_explainer()
    publish(explainer)
    with today_is(MAY):
        corrected(explainer)
    with today_is(MAY + datetime.timedelta(days=10)):
        publish(explainer)  # re-reviewed, no new correction
        assertContains(client.get(explainer.get_absolute_url()), NOTICE)


def test_the_reviewer_ticks_the_box_and_must_write_the_public_note(client, author, reviewer):
    explainer = make_explainer(author=author)
    publish(explainer)
    section = explainer.sections.first()
    section.body = "The right dose."
    section.save()
    explainer.record_edit(by=author)
    version = explainer.submit_for_review(by=author, change_summary="Corrected the dose.")
    client.force_login(reviewer)
    decision = {**version_fields(version), "decision": "full", "comments": "", "change_summary": "Corrected the dose."}

    response = client.post(workflow_url("review", explainer), {**decision, "corrects_error": "on"})
    assertContains(response, "Say what was wrong and what was corrected")
    response = client.post(workflow_url("review", explainer), {**decision, "correction_note": NOTE})
    assertContains(response, "Tick this box to publish the note as a correction")
    assert not Review.objects.filter(version=version).exists()

    client.post(workflow_url("review", explainer), {**decision, "corrects_error": "on", "correction_note": NOTE})
    assert Review.objects.get(version=version).correction_note == NOTE


def test_requesting_changes_cannot_be_a_correction(client, author, reviewer):
    explainer = make_explainer(author=author)
    version = explainer.submit_for_review(by=author)
    client.force_login(reviewer)
    response = client.post(
        workflow_url("review", explainer),
        {
            **version_fields(version),
            "decision": "changes_requested",
            "comments": "Fix it.",
            "corrects_error": "on",
            "correction_note": NOTE,
        },
    )
    assertContains(response, "Only an approval can correct an error on the public page.")
