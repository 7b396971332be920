"""
The review promise, tried as a hostile or careless insider would: every public word is pinned
to the decision that approved it (issue 6). Each attack goes through the admin's own POSTs
where there is a page, and through the model where there is not.
"""

import datetime
import json
import re
import xml.etree.ElementTree as ET

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from explainers.models import (
    Condition,
    EventAction,
    Explainer,
    Review,
    ReviewKind,
    SiteSettings,
    SiteSettingsChange,
    Status,
    TransitionNotAllowed,
)
from tests.admin_forms import SIGNATURE, change_url, explainer_form_data, version_fields, workflow_url
from tests.factories import (
    approve_condition,
    make_condition,
    make_explainer,
    make_reviewer,
    publish,
    today_is,
)
from tests.schema_org import validation_errors


def seen(version):
    """What a decision page sends besides the decision: the version it showed, and the signature."""
    return version_fields(version)


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def reload(instance):
    return type(instance).objects.get(pk=instance.pk)


def edit(explainer, *, by, body=None, **changes):
    """Change the working copy the way the admin's change form does, as ``by``."""
    if body is not None:
        section = explainer.sections.first()
        section.body = body
        section.save()
    for name, value in changes.items():
        setattr(explainer, name, value)
    explainer.save()
    explainer.record_edit(by=by)


def jsonld(response):
    match = re.search(rb'<script type="application/ld\+json">(.*?)</script>', response.content, re.S)
    return json.loads(match[1])


# -- 1. A decision applies to what the person read ---------------------------


def test_approving_from_a_page_opened_before_a_newer_version_was_submitted_is_refused(client, author, reviewer):
    explainer = make_explainer(author=author)
    first = explainer.submit_for_review(by=author)
    client.force_login(reviewer)
    page = client.get(workflow_url("review", explainer))
    assertContains(page, f'name="content_hash" value="{first.content_hash}"')
    edit(explainer, by=author, body="A different answer.")
    explainer.submit_for_review(by=author)

    response = client.post(workflow_url("review", explainer), {**seen(first), "decision": "full", "comments": ""})

    assert "Version 2 was submitted after you opened this page: read it before deciding." in messages_of(response)
    assert not Review.objects.exists()
    assert reload(explainer).status == Status.IN_REVIEW


def test_requesting_changes_from_a_stale_page_is_refused_too(client, author, reviewer):
    explainer = make_explainer(author=author)
    first = explainer.submit_for_review(by=author)
    edit(explainer, by=author, body="A different answer.")
    explainer.submit_for_review(by=author)
    client.force_login(reviewer)

    response = client.post(
        workflow_url("review", explainer), {**seen(first), "decision": "changes_requested", "comments": "No."}
    )

    assert "Version 2 was submitted after you opened this page: read it before deciding." in messages_of(response)
    assert not Review.objects.exists()


def test_publishing_from_a_page_opened_before_a_newer_approval_publishes_nothing(client, author, publisher):
    explainer = make_explainer(author=author)
    publish(explainer, author=author, publisher=publisher)
    edit(explainer, by=author, body="A second answer.")
    second = explainer.submit_for_review(by=author)
    explainer.approve(by=make_reviewer().user, version=second)
    client.force_login(publisher)
    page = client.get(workflow_url("publish", explainer))
    assertContains(page, "Version 2, approved by")
    edit(explainer, by=author, body="A third answer.")
    third = explainer.submit_for_review(by=author)
    explainer.approve(by=make_reviewer().user, version=third)

    response = client.post(workflow_url("publish", explainer), seen(second))

    assert "Version 3 was approved after you opened this page: check it before publishing." in messages_of(response)
    assert reload(explainer).published_version.number == 1


def test_approving_condition_details_changed_after_the_page_opened_is_refused(client, author, reviewer):
    condition = make_condition(approved=False, description="A muscle disease.")
    client.force_login(reviewer)
    shown = condition.working_hash()
    client.get(reverse("admin:explainers_condition_approve_description", args=[condition.pk]))
    condition.description = "A muscle disease. Untreatable."  # an author's edit lands meanwhile
    condition.save()
    condition.record_edit(by=author)

    response = client.post(
        reverse("admin:explainers_condition_approve_description", args=[condition.pk]),
        {"content_hash": shown, **SIGNATURE},
    )

    assert any("were changed after you opened this page" in m for m in messages_of(response))
    assert reload(condition).approved_description is None


# -- 2. The address is part of what is reviewed ------------------------------


@pytest.fixture
def published_page(author, publisher):
    explainer = make_explainer(author=author, slug="what-causes-it", condition=make_condition(slug="myositis"))
    publish(explainer, author=author, publisher=publisher)
    return explainer


def test_moving_an_explainer_changes_nothing_public_until_the_move_is_reviewed(client, author, published_page):
    elsewhere = make_condition(name="Lupus", slug="lupus")
    client.force_login(author)

    response = client.post(
        change_url(published_page), explainer_form_data(published_page, condition=elsewhere.pk, slug="moved")
    )

    assert response.status_code == 302
    explainer = reload(published_page)
    assert explainer.status == Status.DRAFT
    assert explainer.events.filter(action=EventAction.EDITED, actor=author).count() == 2
    page = client.get("/conditions/myositis/what-causes-it/")
    assert page.status_code == 200
    assert jsonld(page)["about"]["url"].endswith("/conditions/myositis/")
    assertNotContains(page, "Lupus")
    assert client.get("/conditions/lupus/moved/").status_code == 404


def test_a_published_move_answers_the_old_address_with_a_permanent_redirect(client, author, published_page):
    elsewhere = make_condition(name="Lupus", slug="lupus")
    edit(published_page, by=author, condition=elsewhere, slug="moved")

    publish(published_page, author=author)

    old = client.get("/conditions/myositis/what-causes-it/")
    assert old.status_code == 301
    assert old["Location"] == "/conditions/lupus/moved/"
    new = client.get("/conditions/lupus/moved/")
    assert jsonld(new)["about"]["name"] == "Lupus"
    assertContains(new, '<a href="/conditions/lupus/">Lupus</a>', html=True)


def test_no_other_address_redirects(client, author, published_page, publisher):
    assert client.get("/conditions/myositis/never-published/").status_code == 404
    edit(published_page, by=author, slug="renamed-draft")  # edited, never published at the new address
    assert client.get("/conditions/myositis/renamed-draft/").status_code == 404
    published_page.withdraw(by=publisher, reason="Being rewritten.")
    assert client.get("/conditions/myositis/what-causes-it/").status_code == 404


def test_changing_the_slug_voids_a_pending_approval(author, reviewer, published_page):
    edit(published_page, by=author, body="New text.")
    version = published_page.submit_for_review(by=author)
    published_page.approve(by=make_reviewer().user, version=version)

    edit(published_page, by=author, slug="another-address")

    assert reload(published_page).status == Status.DRAFT


# -- 3. A condition's names are reviewed too ---------------------------------


def test_an_unapproved_condition_name_appears_nowhere_public(client, author, published_page, reviewer):
    condition = published_page.condition
    approved_name = condition.name
    author.user_permissions.add(Permission.objects.get(codename="change_condition"))
    client.force_login(author)
    client.post(
        reverse("admin:explainers_condition_change", args=[condition.pk]),
        {"name": "Renamed by hand", "alternate_names": "Unreviewed alias", "description": "", "community_size": ""},
    )
    assert reload(condition).name == "Renamed by hand"
    client.logout()

    pages = [
        "/",
        "/conditions/",
        "/conditions/myositis/",
        "/conditions/myositis/what-causes-it/",
        "/search/?q=renamed",
        "/search/?q=unreviewed",
    ]
    for url in pages:
        response = client.get(url)
        assertNotContains(response, "Renamed by hand")
        assertNotContains(response, "Unreviewed alias")
    assertContains(client.get("/conditions/myositis/"), approved_name)

    approve_condition(reload(condition), reviewer=reviewer.reviewer_profile)
    assertContains(client.get("/conditions/myositis/what-causes-it/"), "Renamed by hand")


def test_a_new_condition_is_not_public_and_its_explainers_cannot_be_published(client, author, publisher):
    condition = make_condition(approved=False, name="Brand new", slug="brand-new", description="Text.")
    explainer = make_explainer(author=author, condition=condition)
    version = explainer.submit_for_review(by=author)
    explainer.approve(by=make_reviewer().user, version=version)
    client.force_login(publisher)

    response = client.post(workflow_url("publish", explainer), seen(version))

    assert any("has not been approved yet" in m for m in messages_of(response))
    assert not Explainer.objects.published().exists()
    client.logout()
    assert client.get("/conditions/brand-new/").status_code == 404
    assertNotContains(client.get("/conditions/"), "Brand new")


# -- 4. Everyone who edited a condition's details is a contributor -----------


def test_a_reviewer_who_wrote_a_description_cannot_approve_it_after_an_author_adds_a_full_stop(
    client, author, reviewer
):
    condition = make_condition(approved=False)
    reviewer.user_permissions.add(Permission.objects.get(codename="change_condition"))
    url = reverse("admin:explainers_condition_change", args=[condition.pk])
    data = {"name": condition.name, "slug": condition.slug, "alternate_names": "", "community_size": ""}
    client.force_login(reviewer)
    client.post(url, {**data, "description": "An inflammatory muscle disease"})
    client.force_login(author)
    author.user_permissions.add(Permission.objects.get(codename="change_condition"))
    client.post(url, {**data, "description": "An inflammatory muscle disease."})
    client.force_login(reviewer)

    response = client.post(
        reverse("admin:explainers_condition_approve_description", args=[condition.pk]),
        {"content_hash": reload(condition).working_hash(), **SIGNATURE},
    )

    assert "You edited these details, so another medical reviewer must approve them." in messages_of(response)
    assert reload(condition).approved_description is None


# -- 6. Reviewer registrations -----------------------------------------------


def test_an_approval_is_refused_when_the_registration_check_is_older_than_the_site_allows(author):
    reviewer = make_reviewer(registration_verified_on=datetime.date(2025, 1, 10))
    explainer = make_explainer(author=author)
    version = explainer.submit_for_review(by=author)

    with today_is(datetime.date(2026, 2, 1)), pytest.raises(TransitionNotAllowed, match="last checked on 10 January"):
        explainer.approve(by=reviewer.user, version=version)

    assert not Review.objects.exists()


def test_the_public_profile_says_when_the_registration_was_checked(client, db):
    reviewer = make_reviewer(slug="checked", registration_verified_on=datetime.date(2026, 3, 2))

    assertContains(client.get(reviewer.get_absolute_url()), "Registration checked on")
    assertContains(client.get(reviewer.get_absolute_url()), "2 March 2026")


def test_a_reviewer_page_lists_each_review_under_the_name_recorded_with_it(client, superuser, author):
    reviewer = make_reviewer(display_name="Dr Old Name", slug="the-reviewer")
    explainer = make_explainer(author=author)
    publish(explainer, reviewer=reviewer, author=author)
    reviewer.display_name = "Dr Colleague"
    reviewer.save_with_history(by=superuser)

    response = client.get(reviewer.get_absolute_url())

    assertContains(response, "Medically reviewed as Dr Old Name")
    assertContains(client.get(explainer.get_absolute_url()), "Dr Old Name")


# -- 7. The approver of the words shown is named -----------------------------


def test_after_a_minor_change_the_page_names_both_approvers(client, author):
    first = make_reviewer(display_name="Dr Full Review")
    second = make_reviewer(display_name="Dr Minor Change")
    explainer = make_explainer(author=author, sections=("One two three four five six seven eight nine ten.",))
    publish(explainer, reviewer=first, author=author)
    edit(explainer, by=author, body="One two three four five six seven eight nine ten!")
    publish(explainer, reviewer=second, author=author, kind=ReviewKind.MINOR)

    response = client.get(reload(explainer).get_absolute_url())

    assertContains(response, "Medically reviewed by")
    assertContains(response, "Dr Full Review")
    assertContains(response, "Latest change approved by")
    assertContains(response, "Dr Minor Change")
    assert [person["name"] for person in jsonld(response)["reviewedBy"]] == ["Dr Full Review", "Dr Minor Change"]
    assertContains(client.get(reverse("explainers:reviewed_feed")), "Latest change approved by Dr Minor Change")


def test_a_rewrite_cannot_be_approved_as_a_minor_change(client, author, reviewer):
    explainer = make_explainer(author=author, sections=("The original answer in several plain words.",))
    publish(explainer, author=author)
    edit(explainer, by=author, body="Completely different wording replaces everything here now.")
    version = explainer.submit_for_review(by=author)
    client.force_login(reviewer)
    page = client.get(workflow_url("review", explainer))
    assertContains(page, "of the words changed since version 1")

    response = client.post(workflow_url("review", explainer), {**seen(version), "decision": "minor", "comments": ""})

    assert any("approve it as a full clinical review" in m for m in messages_of(response))
    assert reload(explainer).status == Status.IN_REVIEW


# -- 8. The public queryset needs an approval of the same content ------------


def test_pointing_published_version_at_an_unapproved_version_shows_nothing(client, author, published_page):
    edit(published_page, by=author, body="Never reviewed.")
    unreviewed = published_page.submit_for_review(by=author)

    Explainer.objects.filter(pk=published_page.pk).update(published_version=unreviewed)

    assert not Explainer.objects.published().exists()
    assert client.get("/conditions/myositis/what-causes-it/").status_code == 404


# -- 9. The feed carries text, not markup ------------------------------------


def test_markup_in_a_tldr_stays_text_in_the_feed(client, author):
    explainer = make_explainer(author=author, tldr='<img src=x onerror="alert(1)"> Plain answer.')
    publish(explainer, author=author)

    feed = ET.fromstring(client.get(reverse("explainers:reviewed_feed")).content)

    summary = feed.find("{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}summary")
    assert summary.get("type") == "text"
    assert summary.text.startswith('<img src=x onerror="alert(1)"> Plain answer.')


def test_the_feed_says_when_the_public_text_last_changed(client, author, publisher):
    explainer = make_explainer(author=author)
    with today_is(datetime.date(2026, 3, 1)):
        publish(explainer, author=author)
    with today_is(datetime.date(2026, 5, 1)):
        version = explainer.submit_for_review(by=author)  # a re-review of the same text
        explainer.approve(by=make_reviewer().user, version=version)
        explainer.publish(by=publisher, version=version)

    feed = ET.fromstring(client.get(reverse("explainers:reviewed_feed")).content)

    updated = feed.find("{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}updated").text
    assert updated.startswith("2026-03-01")


# -- 10. Review dates stay within the longest cycle --------------------------


def test_an_author_cannot_set_a_review_interval(client, author):
    explainer = make_explainer(author=author)
    client.force_login(author)

    client.post(change_url(explainer), explainer_form_data(explainer, review_interval_months=32767))

    assert reload(explainer).review_interval_months is None


def test_a_publisher_cannot_set_an_interval_beyond_the_longest_allowed(client, publisher, author):
    explainer = make_explainer(author=author)
    client.force_login(publisher)

    response = client.post(change_url(explainer), explainer_form_data(explainer, review_interval_months=37))

    assertContains(response, "At most 36 months")
    assert reload(explainer).review_interval_months is None


@pytest.mark.parametrize(
    ("due", "message"),
    [("9999-12-31", "at most 36 months after the last full review"), ("1900-01-01", "cannot be due in the past")],
)
def test_a_review_date_outside_the_cycle_is_refused_next_to_the_field(client, publisher, published_page, due, message):
    before = reload(published_page).next_review_due
    client.force_login(publisher)

    response = client.post(workflow_url("schedule", published_page), {"due": due})

    assert response.status_code == 200
    assertContains(response, message)
    assertContains(response, due)  # what was typed is kept
    assert reload(published_page).next_review_due == before


# -- 11. Smaller holes ---------------------------------------------------------


def test_republishing_identical_text_after_a_withdrawal_keeps_last_updated(author, publisher):
    explainer = make_explainer(author=author)
    with today_is(datetime.date(2026, 3, 1)):
        publish(explainer, author=author, publisher=publisher)
        explainer.withdraw(by=publisher, reason="Checking a source.")
    with today_is(datetime.date(2026, 6, 1)):
        publish(explainer, author=author, publisher=publisher)

    assert reload(explainer).last_updated == datetime.date(2026, 3, 1)


def test_a_disclaimer_change_is_recorded_and_shown_in_the_admin(client, publisher):
    site = SiteSettings.load()
    client.force_login(publisher)
    url = reverse("admin:explainers_sitesettings_change", args=[1])
    # The form as the page sends it: every setting as it stands, and the new disclaimer.
    data = {f.name: getattr(site, f.name) for f in SiteSettings._meta.fields if f.editable and not f.primary_key}
    data["disclaimer"] = "New wording."

    assert client.post(url, data).status_code == 302

    change = SiteSettingsChange.objects.get()
    assert (change.actor, change.field, change.new_value) == (publisher, "disclaimer", "New wording.")
    assert change.old_value.startswith("This information is for educational purposes only")
    assertContains(client.get(url), "New wording.")


def test_the_explainer_json_ld_is_valid_schema_org(client, demo):
    data = jsonld(client.get(demo.get_absolute_url()))

    assert validation_errors(data) == []
    assert data["hasPart"][0]["@type"] == ["WebPageElement", "HealthTopicContent"]


def test_the_condition_json_ld_is_valid_schema_org(client, demo):
    assert validation_errors(jsonld(client.get(demo.published_version.condition.get_absolute_url()))) == []


def test_condition_list_is_named_from_the_approved_snapshot(db):
    condition = make_condition(name="Approved name")
    condition.name = "Working name"
    condition.save()
    assert Condition.objects.get(pk=condition.pk).public_name == "Approved name"
