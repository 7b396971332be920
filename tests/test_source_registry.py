"""Shared sources, and re-review when one the public text relies on is superseded or retracted."""

import pytest
from django.urls import reverse

from explainers.models import (
    EventAction,
    Explainer,
    Reference,
    ReferenceStatus,
    ReviewKind,
    Status,
    TransitionNotAllowed,
)
from tests.admin_forms import version_fields, workflow_url
from tests.factories import make_explainer, make_reviewer, make_user, publish

pytestmark = pytest.mark.django_db

GUIDELINE = "NICE. Myositis: diagnosis and management (NG999). 2019."
UPDATE = "NICE. Myositis: diagnosis and management (NG999). 2026 update."


@pytest.fixture
def guideline():
    return Reference.objects.create(
        citation=GUIDELINE, url="https://www.nice.org.uk/guidance/ng999", guideline_id="NG999"
    )


@pytest.fixture
def update():
    return Reference.objects.create(citation=UPDATE, url="https://www.nice.org.uk/guidance/ng999/2026")


@pytest.fixture
def marker():
    return make_reviewer(make_user("Medical reviewers")).user


def cite(explainer, *references):
    explainer.sources.all().delete()
    for position, reference in enumerate(references):
        explainer.sources.create(reference=reference, position=position)
    explainer.record_edit(by=explainer.created_by)


def citing(reference, **fields):
    explainer = make_explainer(**fields)
    cite(explainer, reference)
    return explainer


def published_citing(reference, **fields):
    explainer = citing(reference, **fields)
    publish(explainer)
    explainer.refresh_from_db()
    return explainer


def flagged_pks():
    return set(Explainer.objects.filter(flagged_since__isnull=False).values_list("pk", flat=True))


# -- who gets flagged ----------------------------------------------------------


def test_superseding_a_source_flags_exactly_the_pages_whose_published_text_cites_it(guideline, update, marker):
    published = published_citing(guideline, question="What causes myositis?")
    draft_only = citing(guideline, question="Is myositis inherited?")  # never published
    moved_on = published_citing(guideline, question="How is myositis treated?")
    cite(moved_on, update)  # the draft no longer cites it, but the published version still does
    newer_draft = published_citing(update, question="Is exercise safe?")
    cite(newer_draft, guideline)  # cites it only in a draft: the public text does not rely on it

    flags = guideline.mark_superseded(by=marker, replacement=update, note="Dosing advice changed.")

    assert {flag.explainer_id for flag in flags} == {published.pk, moved_on.pk} == flagged_pks()
    assert draft_only.pk not in flagged_pks() and newer_draft.pk not in flagged_pks()
    guideline.refresh_from_db()
    assert (guideline.status, guideline.superseded_by, guideline.status_changed_by) == (
        ReferenceStatus.SUPERSEDED,
        update,
        marker,
    )
    event = published.events.get(action=EventAction.FLAGGED)
    assert event.actor == marker and GUIDELINE in event.comment and "Dosing advice changed." in event.comment


def test_a_retracted_source_flags_its_pages_too(guideline, marker):
    explainer = published_citing(guideline)
    guideline.mark_retracted(by=marker, note="Retracted for data fabrication.")
    assert explainer.pk in flagged_pks()
    assert explainer.open_flags().get().reason == ReferenceStatus.RETRACTED


def test_marking_needs_a_note_a_successor_and_the_right_role(guideline, update, marker):
    with pytest.raises(TransitionNotAllowed, match="Say what changed"):
        guideline.mark_superseded(by=marker, replacement=update, note=" ")
    with pytest.raises(TransitionNotAllowed, match="Choose the source that supersedes"):
        guideline.mark_superseded(by=marker, replacement=None, note="Updated.")
    with pytest.raises(TransitionNotAllowed, match="Only medical reviewers and publishers"):
        guideline.mark_retracted(by=make_user("Authors"), note="Retracted.")
    guideline.mark_retracted(by=make_user("Publishers"), note="Retracted.")
    with pytest.raises(TransitionNotAllowed, match="already marked retracted"):
        guideline.mark_retracted(by=marker, note="Again.")


# -- what the public, the queues and the owners see -----------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("roles", "page_cache_on")
def test_the_public_page_says_it_is_under_review_at_once(client):
    guideline = Reference.objects.create(citation=GUIDELINE, url="https://www.nice.org.uk/guidance/ng999")
    update = Reference.objects.create(citation=UPDATE)
    explainer = published_citing(guideline)
    url = explainer.get_absolute_url()
    client.get(url)
    cached = client.get(url)
    assert cached.context is None, "the page should be served from the page cache"
    assert "Under review since" not in cached.content.decode()

    guideline.mark_superseded(by=make_user("Publishers"), replacement=update, note="Dosing advice changed.")

    page = client.get(url).content.decode()
    assert "Under review since" in page
    assert f"a source this page relies on was updated ({GUIDELINE})" in page


def test_flagged_pages_top_the_review_queues_with_the_reason(client, guideline, update, marker):
    explainer = published_citing(guideline, question="What causes myositis?")
    author = make_user("Authors")
    waiting = make_explainer(author=author, question="Awaiting review?")
    waiting.submit_for_review(by=author)
    guideline.mark_superseded(by=marker, replacement=update, note="Dosing advice changed.")

    client.force_login(make_reviewer(make_user("Medical reviewers")).user)
    page = client.get(reverse("admin:index")).content.decode()

    assert page.index("Flagged for re-review") < page.index("Awaiting your review")
    queue = page[page.index("Flagged for re-review") : page.index("Awaiting your review")]
    assert explainer.question in queue and f"A source was updated: {GUIDELINE}" in queue and UPDATE in queue


def test_owners_are_emailed_once_about_all_their_flagged_pages(guideline, update, marker, mailoutbox):
    owner = make_user("Authors", email="owner@example.org")
    other = make_user("Authors", email="other@example.org")
    first = published_citing(guideline, question="What causes myositis?", author=owner)
    second = published_citing(guideline, question="Is myositis rare?", author=owner)
    third = published_citing(guideline, question="Can children get myositis?", author=other)
    orphan = published_citing(guideline, question="Is it painful?", owner=None)
    publisher = make_user("Publishers", email="pub@example.org")
    mailoutbox.clear()

    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        guideline.mark_superseded(by=marker, replacement=update, note="Dosing advice changed.")

    by_recipient = {tuple(email.to): email for email in mailoutbox}
    assert set(by_recipient) == {(owner.email,), (other.email,), (publisher.email,)}
    theirs = by_recipient[(owner.email,)]
    assert theirs.subject == "Source changed: 2 pages to re-review"
    assert first.question in theirs.body and second.question in theirs.body and third.question not in theirs.body
    assert f"{UPDATE}" in theirs.body and "Dosing advice changed." in theirs.body
    assert orphan.question in by_recipient[(publisher.email,)].body
    assert "no owner" in by_recipient[(publisher.email,)].body


# -- what clears a flag ---------------------------------------------------------


def test_a_full_review_of_a_version_without_the_source_clears_the_flag(guideline, update, marker):
    explainer = published_citing(guideline)
    guideline.mark_superseded(by=marker, replacement=update, note="Dosing advice changed.")
    cite(explainer, update)

    publish(explainer)

    explainer.refresh_from_db()
    assert explainer.flagged_since is None and not explainer.open_flags().exists()
    flag = explainer.review_flags.get()
    assert flag.cleared_by == explainer.public_review
    assert "is no longer cited" in explainer.events.get(action=EventAction.FLAG_CLEARED).comment


def test_a_minor_change_does_not_clear_the_flag(guideline, update, marker):
    explainer = published_citing(guideline)
    guideline.mark_superseded(by=marker, replacement=update, note="Dosing advice changed.")
    cite(explainer, update)

    publish(explainer, kind=ReviewKind.MINOR)

    explainer.refresh_from_db()
    assert explainer.flagged_since is not None and explainer.open_flags().exists()


def test_a_full_review_still_citing_the_source_keeps_the_flag_unless_the_reviewer_confirms(
    client, guideline, update, marker
):
    explainer = published_citing(guideline)
    guideline.mark_superseded(by=marker, replacement=update, note="Dosing advice changed.")

    explainer.tldr = "Reworded, still citing the 2019 guideline."
    explainer.save()
    explainer.record_edit(by=explainer.created_by)
    publish(explainer)  # a full review that did not confirm
    explainer.refresh_from_db()
    assert explainer.open_flags().exists()

    explainer.tldr = "Checked against the 2026 update: unchanged advice."
    explainer.save()
    explainer.record_edit(by=explainer.created_by)
    version = explainer.submit_for_review(by=explainer.created_by)
    reviewer = make_reviewer(make_user("Medical reviewers")).user
    client.force_login(reviewer)
    page = client.get(workflow_url("review", explainer)).content.decode()
    assert "Sources this version cites that have changed" in page and "Dosing advice changed." in page
    response = client.post(
        workflow_url("review", explainer), {**version_fields(version), "decision": "full", "confirm_sources": "on"}
    )
    assert response.status_code == 302
    review = explainer.reviews.approvals().get(version=version)
    assert GUIDELINE in review.sources_confirmed
    explainer.publish(by=make_user("Publishers"), version=version)

    explainer.refresh_from_db()
    assert explainer.flagged_since is None and not explainer.open_flags().exists()
    assert "was checked by the reviewer" in explainer.events.filter(action=EventAction.FLAG_CLEARED).first().comment


def test_confirming_a_changed_source_takes_a_full_review(client, guideline, update, marker):
    explainer = published_citing(guideline)
    guideline.mark_superseded(by=marker, replacement=update, note="Dosing advice changed.")
    explainer.tldr = "Small rewording."
    explainer.save()
    explainer.record_edit(by=explainer.created_by)
    version = explainer.submit_for_review(by=explainer.created_by)
    client.force_login(make_reviewer(make_user("Medical reviewers")).user)

    response = client.post(
        workflow_url("review", explainer), {**version_fields(version), "decision": "minor", "confirm_sources": "on"}
    )

    assert response.status_code == 200
    assert "takes a full clinical review" in response.content.decode()
    assert explainer.reviews.count() == 1  # only the first publication's


def test_publishing_a_version_that_cites_a_changed_source_flags_it_at_once(guideline, update, marker):
    explainer = citing(guideline)
    version = explainer.submit_for_review(by=explainer.created_by)
    explainer.approve(by=make_reviewer().user, version=version)
    guideline.mark_superseded(by=marker, replacement=update, note="Dosing advice changed.")  # not yet public: no flag
    assert not flagged_pks()

    explainer.publish(by=make_user("Publishers"), version=version)

    assert flagged_pks() == {explainer.pk}


# -- the registry in the admin --------------------------------------------------


def test_the_mark_page_lists_the_pages_it_will_flag_and_marks_them(client, guideline, update):
    explainer = published_citing(guideline, question="What causes myositis?")
    client.force_login(make_user("Publishers"))
    url = reverse("admin:explainers_reference_mark", args=[guideline.pk])

    page = client.get(url).content.decode()
    assert "1 published page will be flagged" in page and explainer.question in page

    response = client.post(url, {"change": "superseded", "note": "Dosing advice changed."})
    assert response.status_code == 200 and "Choose the source that supersedes this one." in response.content.decode()

    response = client.post(url, {"change": "superseded", "replacement": update.pk, "note": "Dosing advice changed."})
    assert response.status_code == 302
    assert flagged_pks() == {explainer.pk}


def test_authors_cannot_mark_a_source(client, guideline):
    client.force_login(make_user("Authors"))
    url = reverse("admin:explainers_reference_mark", args=[guideline.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"change": "retracted", "note": "No."}).status_code == 403
    guideline.refresh_from_db()
    assert guideline.status == ReferenceStatus.CURRENT


def test_correcting_a_shared_citation_is_an_edit_of_every_page_citing_it(client, guideline):
    author = make_user("Authors")
    explainer = citing(guideline)
    version = explainer.submit_for_review(by=explainer.created_by)
    client.force_login(author)

    response = client.post(
        reverse("admin:explainers_reference_change", args=[guideline.pk]),
        {"citation": GUIDELINE + " Corrected title.", "url": guideline.url, "guideline_id": "NG999"},
    )

    assert response.status_code == 302
    explainer.refresh_from_db()
    assert explainer.status == Status.DRAFT  # the submitted version no longer matches its working copy
    assert explainer.events.filter(action=EventAction.EDITED, actor=author).exists()
    assert explainer.working_hash() != version.content_hash


def test_a_frozen_version_keeps_its_citations_when_the_registry_changes(guideline):
    explainer = published_citing(guideline)
    Reference.objects.filter(pk=guideline.pk).update(citation="Renamed in the registry.")
    version = explainer.published_version
    assert [source["citation"] for source in version.sources] == [GUIDELINE]
    assert [citation.reference_id for citation in version.citations.all()] == [guideline.pk]


def test_the_explainer_admin_page_says_why_it_is_flagged(client, guideline, update, marker):
    explainer = published_citing(guideline)
    guideline.mark_superseded(by=marker, replacement=update, note="Dosing advice changed.")
    client.force_login(explainer.owner)

    page = client.get(reverse("admin:explainers_explainer_change", args=[explainer.pk])).content.decode()

    assert "Flagged for re-review since" in page and "Dosing advice changed." in page
