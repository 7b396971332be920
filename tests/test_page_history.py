"""
A page's history as readers see it: "First published" beside "Last updated", and a public history
page listing each publication with the kind of review, the reviewer as recorded, and a one-line
change summary the author writes and the reviewer may correct before approving.
"""

import datetime

from django.test.html import parse_html
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from explainers.models import ReviewKind
from tests.admin_forms import change_url, explainer_form_data, version_fields, workflow_url
from tests.factories import make_explainer, make_reviewer, make_user, publish, today_is
from tests.html import elements, text_of
from tests.schema_org import validation_errors
from tests.test_explainer_page import structured_data

APRIL, JUNE, SEPTEMBER = datetime.date(2026, 4, 7), datetime.date(2026, 6, 2), datetime.date(2026, 9, 15)


def history_url(explainer):
    version = explainer.published_version
    return reverse("explainers:explainer_history", args=[version.condition.slug, version.slug])


def republish(explainer, *, summary, kind=ReviewKind.FULL, approved_summary=None):
    """Edit, resubmit with ``summary``, approve (optionally correcting the summary) and publish again."""
    author = explainer.created_by
    section = explainer.sections.first()
    section.body += " More."
    section.save()
    explainer.record_edit(by=author)
    version = explainer.submit_for_review(by=author, change_summary=summary)
    explainer.approve(by=make_reviewer().user, version=version, kind=kind, change_summary=approved_summary)
    explainer.publish(by=make_user("Publishers"), version=version)
    explainer.refresh_from_db()
    return version


def published_across_three_dates():
    explainer = make_explainer(question="Is myositis inherited?", slug="is-myositis-inherited")
    with today_is(APRIL):
        publish(explainer)
    with today_is(JUNE):
        republish(explainer, summary="Added the 2026 guidance on exercise.", kind=ReviewKind.MINOR)
    with today_is(SEPTEMBER):
        republish(explainer, summary="Rewrote the section on genes", approved_summary="Rewrote the section on genes.")
    explainer.refresh_from_db()
    return explainer


def test_first_published_stays_put_while_last_updated_moves(client, db):
    explainer = published_across_three_dates()
    response = client.get(explainer.get_absolute_url())
    assertContains(response, 'First published <time datetime="2026-04-07">7 April 2026</time>')
    assertContains(response, 'Last updated <time datetime="2026-09-15">15 September 2026</time>')
    data = structured_data(response)
    assert data["datePublished"] == "2026-04-07"
    assert data["dateModified"] == "2026-09-15"
    assert not validation_errors(data)


def test_the_history_lists_each_publication_newest_first_with_its_review_and_what_changed(client, db):
    explainer = published_across_three_dates()
    page = client.get(explainer.get_absolute_url())
    assertContains(page, f'<a href="{history_url(explainer)}">What has changed on this page</a>', html=True)

    response = client.get(history_url(explainer))
    assert response.status_code == 200
    page = parse_html(response.content.decode())
    entries = [text_of(item) for item in elements(page, "li") if ("class", "history__entry") in item.attributes]
    assert len(entries) == 3
    assert entries[0].startswith("15 September 2026 Rewrote the section on genes.")  # as the reviewer corrected it
    assert "Full clinical review by" in entries[0]
    assert entries[1].startswith("2 June 2026 Added the 2026 guidance on exercise.")
    assert "Minor change by" in entries[1]
    assert entries[2].startswith("7 April 2026 First published.")


def test_the_history_of_a_page_that_is_not_public_is_not_found(client, db):
    explainer = published_across_three_dates()
    url = history_url(explainer)
    explainer.withdraw(by=make_user("Publishers"), reason="Superseded.")
    assert client.get(url).status_code == 404
    draft = make_explainer(slug="never-published")
    path = reverse("explainers:explainer_history", args=[draft.condition.slug, draft.slug])
    assert client.get(path).status_code == 404


def test_resubmitting_a_published_page_asks_for_a_change_summary_and_keeps_it_with_the_version(client, author):
    explainer = make_explainer(author=author)
    publish(explainer)
    client.force_login(author)
    client.post(change_url(explainer), explainer_form_data(explainer, tldr="A clearer short answer."))
    response = client.post(workflow_url("submit", explainer), {"comment": "For the reviewer only."})
    assertContains(response, "Say in one line what changed for readers")
    assert explainer.versions.count() == 1

    client.post(workflow_url("submit", explainer), {"change_summary": "Made the short answer clearer.", "comment": ""})
    assert explainer.latest_version().change_summary == "Made the short answer clearer."


def test_a_first_version_is_submitted_without_a_change_summary(client, author):
    explainer = make_explainer(author=author)
    client.force_login(author)
    page = client.get(workflow_url("submit", explainer))
    assertNotContains(page, "What changed, for readers")
    client.post(workflow_url("submit", explainer), {"comment": ""})
    assert explainer.versions.count() == 1


def test_the_reviewer_sees_the_authors_summary_and_may_correct_it_before_approving(client, author, reviewer):
    explainer = make_explainer(author=author)
    publish(explainer)
    section = explainer.sections.first()
    section.body += " Exercise helps."
    section.save()
    explainer.record_edit(by=author)
    version = explainer.submit_for_review(by=author, change_summary="exercise stuff")
    client.force_login(reviewer)
    review_page = client.get(workflow_url("review", explainer))
    assertContains(review_page, 'value="exercise stuff"')
    client.post(
        workflow_url("review", explainer),
        {**version_fields(version), "decision": "full", "comments": "", "change_summary": "Added advice on exercise."},
    )
    review = explainer.reviews.get(version=version)
    assert review.change_summary == "Added advice on exercise."
    assert version.change_summary == "exercise stuff"  # the author's line stays in the record as written
