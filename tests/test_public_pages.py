"""What a visitor sees on the home page, the A–Z, condition pages, reviewer profiles and error pages."""

import datetime

import pytest
from django.template.loader import get_template
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from explainers.models import Explainer, SiteSettings
from tests.factories import (
    make_condition,
    make_explainer,
    make_published_explainer,
    make_reviewer,
    make_user,
    publish,
    today_is,
)


def explainer_url(explainer):
    return reverse("explainers:explainer", args=[explainer.condition.slug, explainer.slug])


def test_home_page_offers_a_labelled_search_the_a_to_z_and_recent_reviews(client, demo):
    response = client.get(reverse("explainers:home"))
    assertContains(response, '<label for="q">Search conditions and questions</label>', html=True)
    assertContains(response, 'role="search"')
    assertContains(response, 'href="/conditions/dermatomyositis-and-polymyositis/"')
    assertContains(response, '<a href="/conditions/letter/d/">D</a>', html=True)
    assertContains(response, "Recently reviewed")
    assertContains(response, "What causes Dermatomyositis and Polymyositis?")
    assertContains(response, "Dr Rowan Reviewer (demo)")


def test_home_page_lists_the_most_recently_reviewed_explainer_first(client, db):
    # Reviews are immutable records (even .update() is refused): the older one is staged by reviewing it earlier.
    with today_is(datetime.date(2025, 1, 1)):
        older = make_published_explainer(question="Is the older one first?")
    with today_is(datetime.date(2026, 1, 1)):
        newer = make_published_explainer(question="Is the newer one first?")
    assert (older.public_review.reviewed_on, newer.public_review.reviewed_on) == (
        datetime.date(2025, 1, 1),
        datetime.date(2026, 1, 1),
    )
    content = client.get(reverse("explainers:home")).content.decode()
    assert content.index("Is the newer one first?") < content.index("Is the older one first?")


def test_home_page_works_before_anything_is_published(client, db):
    response = client.get(reverse("explainers:home"))
    assertContains(response, "No answers have been published yet.")
    assertContains(response, '<a href="/conditions/letter/a/">A</a>', html=True)
    assertContains(client.get(reverse("explainers:condition_index")), "No conditions have been published yet.")


def test_condition_index_counts_each_letters_conditions_and_leaves_empty_letters_unlinked(client, demo):
    make_published_explainer(condition=make_condition(name="Asthma", slug="asthma"))
    make_published_explainer(condition=make_condition(name="Addison's disease", slug="addisons-disease"))
    response = client.get(reverse("explainers:condition_index"))
    assertContains(
        response,
        '<a class="az-index__letter" href="/conditions/letter/a/"><span class="az-index__initial">A</span>'
        '<span class="az-index__count">2 conditions</span></a>',
        html=True,
    )
    assertContains(
        response,
        '<a class="az-index__letter" href="/conditions/letter/d/"><span class="az-index__initial">D</span>'
        '<span class="az-index__count">1 condition</span></a>',
        html=True,
    )
    assertNotContains(response, 'href="/conditions/letter/z/"')
    assertContains(
        response,
        '<span class="az-index__letter az-index__letter--empty"><span class="az-index__initial">Z</span>'
        '<span class="az-index__count">none yet</span></span>',
        html=True,
    )
    assertNotContains(response, "Asthma")  # the names are on the letter pages


def test_a_to_z_leaves_out_conditions_with_nothing_reviewed(client, db):
    make_explainer(condition=make_condition(name="Unreviewed condition"))
    make_published_explainer(condition=make_condition(name="Uveitis"))
    assertContains(client.get(reverse("explainers:condition_index")), "1 condition")
    response = client.get(reverse("explainers:condition_letter", args=["u"]))
    assertContains(response, "Uveitis")
    assertNotContains(response, "Unreviewed condition")


def test_condition_page_shows_names_explainers_in_order_community_and_disclaimer(client, demo):
    second = make_published_explainer(condition=demo.condition, question="How is it treated?", position=5)
    Explainer.objects.filter(pk=demo.pk).update(position=1)
    response = client.get(reverse("explainers:condition", args=[demo.condition.slug]))
    assertContains(response, "<h1>Dermatomyositis and Polymyositis</h1>", html=True)
    assertContains(response, "Also known as:")
    assertContains(response, "Dermatomyositis, Polymyositis, Myositis")
    content = response.content.decode()
    assert content.index("What causes Dermatomyositis and Polymyositis?") < content.index("How is it treated?")
    assertContains(response, f'href="{explainer_url(second)}"')
    assertContains(response, demo.published_version.tldr.replace("'", "&#x27;"))
    assertContains(response, '<time datetime="2026-04-07">7 April 2026</time>', html=True)
    assertContains(response, "Community information")
    assertContains(
        response, "413 members of the DiseaseMaps community are living with Dermatomyositis and Polymyositis."
    )
    assertContains(response, "Medical disclaimer:")


def test_condition_page_shows_only_the_approved_description(client, reviewer, author):
    condition = make_condition(
        approved=False, name="Sarcoidosis", slug="sarcoidosis", description="The approved wording."
    )
    condition.approve_description(by=reviewer, content_hash=condition.working_hash())
    condition.description = "An edit nobody has reviewed yet."
    condition.save()
    condition.record_edit(by=author)
    response = client.get(reverse("explainers:condition", args=["sarcoidosis"]))
    assertContains(response, "The approved wording.")
    assertNotContains(response, "An edit nobody has reviewed yet.")
    assertContains(response, "There are no published answers about Sarcoidosis yet.")


def test_condition_page_leaves_out_unpublished_explainers(client, demo):
    make_explainer(condition=demo.condition, question="Is this draft visible?")
    response = client.get(reverse("explainers:condition", args=[demo.condition.slug]))
    assertNotContains(response, "Is this draft visible?")


def test_condition_page_is_not_found_for_unknown_or_unreviewed_conditions(client, db):
    make_explainer(condition=make_condition(slug="only-a-draft"))
    assert client.get(reverse("explainers:condition", args=["no-such-condition"])).status_code == 404
    assert client.get(reverse("explainers:condition", args=["only-a-draft"])).status_code == 404


def test_draft_explainer_is_not_found(client, db):
    explainer = make_explainer()
    assert client.get(explainer_url(explainer)).status_code == 404


def test_explainer_in_review_is_not_found(client, db):
    explainer = make_explainer()
    explainer.submit_for_review(by=explainer.created_by)
    assert client.get(explainer_url(explainer)).status_code == 404


def test_withdrawn_explainer_is_not_found(client, db):
    explainer = make_published_explainer()
    explainer.withdraw(by=make_user("Publishers"), reason="A reviewer found an error.")
    assert client.get(explainer_url(explainer)).status_code == 404


def test_edit_after_publish_does_not_change_public_page(client, db):
    explainer = make_published_explainer(tldr="The approved short answer.", sections=["The approved body text."])
    explainer.tldr = "An unreviewed short answer."
    explainer.question = "An unreviewed question?"
    explainer.save()
    explainer.sections.update(body="Unreviewed body text.")
    explainer.record_edit(by=explainer.created_by)
    explainer.submit_for_review(by=explainer.created_by)

    response = client.get(explainer_url(explainer))
    assertContains(response, "The approved short answer.")
    assertContains(response, "The approved body text.")
    assertNotContains(response, "An unreviewed short answer.")
    assertNotContains(response, "An unreviewed question?")
    assertNotContains(response, "Unreviewed body text.")


def test_unknown_explainer_gets_a_helpful_not_found_page(client, demo):
    response = client.get(f"/conditions/{demo.condition.slug}/no-such-question/")
    assertContains(response, "Page not found", status_code=404)
    assertContains(response, 'href="/conditions/"', status_code=404)


def test_reviewer_profile_lists_the_explainers_they_reviewed(client, demo):
    response = client.get(reverse("explainers:reviewer", args=["rowan-reviewer-demo"]))
    assertContains(response, "<h1>Dr Rowan Reviewer (demo)</h1>", html=True)
    assertContains(response, "MD, rheumatologist")
    assertContains(response, "Rheumatology")
    assertContains(response, "A demonstration reviewer profile")
    assertContains(response, f'href="{explainer_url(demo)}"')


def test_reviewer_profile_leaves_out_withdrawn_explainers(client, db):
    reviewer = make_reviewer(display_name="Dr Withdrawn Work")
    explainer = make_explainer(question="Was this withdrawn?")
    publish(explainer, reviewer=reviewer)
    explainer.withdraw(by=make_user("Publishers"), reason="Out of date.")
    response = client.get(reverse("explainers:reviewer", args=[reviewer.slug]))
    assertNotContains(response, "Was this withdrawn?")
    assertContains(response, "has not reviewed any of the answers published at the moment")


def test_unknown_reviewer_is_not_found(client, db):
    assert client.get(reverse("explainers:reviewer", args=["nobody"])).status_code == 404


def test_editorial_policy_explains_review_and_uses_the_site_settings(client, db):
    settings_row = SiteSettings.load()
    settings_row.review_interval_months = 18
    settings_row.community_name = "PatientCircle"
    settings_row.save()
    response = client.get(reverse("explainers:editorial_policy"))
    assertContains(response, "<h1>Editorial policy</h1>", html=True)
    assertContains(response, "18 months after its last one")
    assertContains(response, "overdue for review")
    assertContains(response, "Full reviews and minor changes")
    assertContains(response, "PatientCircle")
    assertContains(response, "Reporting a mistake")


@pytest.mark.parametrize(
    "path",
    [
        reverse("explainers:home"),
        reverse("explainers:condition_index"),
        reverse("explainers:condition_letter", args=["a"]),
        reverse("explainers:editorial_policy"),
    ],
)
def test_every_page_has_a_skip_link_a_main_landmark_and_the_editorial_policy_in_the_footer(client, db, path):
    response = client.get(path)
    assertContains(response, '<html lang="en-GB">')
    assertContains(response, '<a class="skip-link" href="#main">Skip to main content</a>', html=True)
    assertContains(response, '<main id="main" tabindex="-1">')
    assertContains(response, 'href="/about/editorial-policy/"')
    assert response.content.decode().count("<h1") == 1


def test_server_error_page_renders_without_a_request_or_database(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        html = get_template("500.html").render({})
    assert "Sorry, something went wrong" in html
    assert 'lang="en-GB"' in html


def test_favicon_requests_are_sent_to_the_site_icon(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("img/favicon.svg")
