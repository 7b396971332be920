"""
"When to get help": an optional block per explainer, part of the reviewed snapshot, shown above the
sections at one of three levels, each with its own words and icon; where to get help (services and
numbers) comes from the site settings, so one codebase serves different countries.
"""

import pytest
from pytest_django.asserts import assertContains, assertNotContains

from explainers.models import GetHelpLevel, SiteSettings
from tests.admin_forms import change_url, explainer_form_data, workflow_url
from tests.factories import make_explainer, make_user, publish

SIGNS = "If you suddenly find it hard to swallow or breathe."


def with_get_help(level, text=SIGNS, **fields):
    explainer = make_explainer(**fields)
    explainer.get_help_level, explainer.get_help_text = level, text
    explainer.save()
    explainer.record_edit(by=explainer.created_by)
    return explainer


@pytest.mark.parametrize(
    ("level", "heading", "action"),
    [
        (GetHelpLevel.NON_URGENT, "When to see your doctor", "Make an appointment with your GP"),
        (GetHelpLevel.URGENT, "Urgent: get advice today", "Get advice today: call 111"),
        (GetHelpLevel.EMERGENCY, "Emergency: get help now", "Call 999 now, or go to A&amp;E."),
    ],
)
def test_each_level_shows_its_own_words_icon_and_the_sites_advice_above_the_sections(
    client, db, level, heading, action
):
    explainer = with_get_help(level, sections=["Causes\n\nThe answer, in plain words."])
    publish(explainer)
    page = client.get(explainer.get_absolute_url()).content.decode()
    block = page[page.index('<aside class="get-help') : page.index("</aside>")]
    assert f"get-help--{level}" in block
    assert heading in block and SIGNS in block and action in block
    assert '<svg class="get-help__icon" aria-hidden="true"' in block
    assert page.index("</aside>") < page.index('id="section-1"')  # above the sections


def test_a_page_without_the_block_shows_none(client, db):
    explainer = make_explainer()
    publish(explainer)
    assertNotContains(client.get(explainer.get_absolute_url()), "get-help")
    assert "get_help" not in explainer.working_content()  # and its content hashes as it always did


def test_an_edit_to_the_block_changes_nothing_public_until_approved_and_published(client, db):
    explainer = with_get_help(GetHelpLevel.URGENT)
    publish(explainer)
    explainer.get_help_level, explainer.get_help_text = GetHelpLevel.EMERGENCY, "If you collapse."
    explainer.save()
    explainer.record_edit(by=explainer.created_by)
    page = client.get(explainer.get_absolute_url())
    assertContains(page, "Urgent: get advice today")
    assertNotContains(page, "If you collapse.")

    publish(explainer)
    page = client.get(explainer.get_absolute_url())
    assertContains(page, "Emergency: get help now")
    assertContains(page, "If you collapse.")


def test_the_reviewer_sees_a_changed_block_in_what_changed(client, db, reviewer):
    explainer = with_get_help(GetHelpLevel.NON_URGENT)
    publish(explainer)
    explainer.get_help_level = GetHelpLevel.EMERGENCY
    explainer.save()
    explainer.record_edit(by=explainer.created_by)
    explainer.submit_for_review(by=explainer.created_by, change_summary="Made the warning an emergency one.")
    client.force_login(reviewer)
    page = client.get(workflow_url("review", explainer)).content.decode()
    change = page[page.index("When to get help") : page.index("</div>", page.index("When to get help"))]
    assert "<del>See your doctor</del> <ins>Emergency</ins>: If you suddenly" in change, change


@pytest.mark.parametrize(
    ("level", "text", "message"),
    [
        (GetHelpLevel.URGENT, "", "Say which signs mean the reader should get help"),
        ("", SIGNS, "Choose how soon a reader with these signs should get help."),
    ],
)
def test_a_level_without_signs_or_signs_without_a_level_is_refused_with_the_text_kept(
    client, author, level, text, message
):
    explainer = make_explainer(author=author)
    client.force_login(author)
    response = client.post(
        change_url(explainer), explainer_form_data(explainer, get_help_level=level, get_help_text=text)
    )
    assertContains(response, message)
    if text:
        assertContains(response, text)
    explainer.refresh_from_db()
    assert (explainer.get_help_level, explainer.get_help_text) == ("", "")


def test_where_to_get_help_comes_from_the_site_settings(client, db):
    explainer = with_get_help(GetHelpLevel.EMERGENCY)
    publish(explainer)
    settings = SiteSettings.load()
    settings.get_help_emergency = "Call 112 now."
    settings.save_with_history(by=make_user())
    assertContains(client.get(explainer.get_absolute_url()), "Call 112 now.")
