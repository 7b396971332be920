"""The sitemap, robots.txt and the Atom feed: valid XML that lists only what the public can read."""

import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from tests.factories import make_condition, make_explainer, make_published_explainer, make_user
from tests.test_sitemap_index import sitemap_files

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def site(demo, settings):
    """The demo page plus a draft and a withdrawn explainer, on a canonical https address."""
    settings.SITE_URL = "https://condinfo.example"
    make_explainer(condition=make_condition(slug="draft-only"), slug="a-draft", question="Is this a draft?")
    withdrawn = make_published_explainer(
        condition=make_condition(slug="withdrawn-only"), slug="withdrawn", question="Was this withdrawn?"
    )
    withdrawn.withdraw(by=make_user("Publishers"), reason="A reviewer found an error.")
    return demo


def sitemap_locations(client):
    """Return {address: lastmod} over every file the sitemap index lists."""
    return {address: lastmod for entries in sitemap_files(client).values() for address, lastmod in entries}


def test_sitemap_lists_the_fixed_pages_public_conditions_explainers_and_reviewers(client, site):
    locations = sitemap_locations(client)
    base = "https://condinfo.example"
    explainer_url = f"{base}/conditions/dermatomyositis-and-polymyositis/what-causes-dermatomyositis-and-polymyositis/"
    assert set(locations) == {
        f"{base}/",
        f"{base}/conditions/",
        f"{base}/conditions/letter/d/",
        f"{base}/about/editorial-policy/",
        f"{base}/conditions/dermatomyositis-and-polymyositis/",
        explainer_url,
        f"{base}/reviewers/rowan-reviewer-demo/",
    }
    assert locations[explainer_url] == "2026-04-07"


def test_sitemap_leaves_out_drafts_withdrawn_explainers_and_their_conditions(client, site):
    listed = " ".join(sitemap_locations(client))
    assert "draft" not in listed
    assert "withdrawn" not in listed


def test_robots_txt_keeps_crawlers_out_of_the_admin_and_points_to_the_sitemap(client, db, settings):
    settings.SITE_URL = "https://condinfo.example"
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    assert "Disallow: /admin/" in lines
    assert "Disallow: /markdownx/" in lines
    assert "Sitemap: https://condinfo.example/sitemap.xml" in lines


def test_atom_feed_lists_published_explainers_with_reviewer_and_short_answer(client, site):
    response = client.get(reverse("explainers:reviewed_feed"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    entries = root.findall(f"{ATOM}entry")
    assert [entry.findtext(f"{ATOM}title") for entry in entries] == ["What causes Dermatomyositis and Polymyositis?"]
    entry = entries[0]
    assert entry.find(f"{ATOM}link").get("href") == (
        "https://condinfo.example/conditions/dermatomyositis-and-polymyositis/"
        "what-causes-dermatomyositis-and-polymyositis/"
    )
    assert entry.findtext(f"{ATOM}author/{ATOM}name") == "Dr Rowan Reviewer (demo)"
    assert entry.findtext(f"{ATOM}summary").startswith("Dermatomyositis and Polymyositis are chronic autoimmune")
    assert entry.findtext(f"{ATOM}updated").startswith("2026-04-07")
    assert entry.findtext(f"{ATOM}published").startswith("2026-04-07")


def test_atom_feed_puts_the_latest_publication_first(client, site):
    make_published_explainer(question="Was this published most recently?")
    root = ET.fromstring(client.get(reverse("explainers:reviewed_feed")).content)
    titles = [entry.findtext(f"{ATOM}title") for entry in root.findall(f"{ATOM}entry")]
    assert titles == ["Was this published most recently?", "What causes Dermatomyositis and Polymyositis?"]


def test_pages_advertise_the_feed(client, db):
    response = client.get(reverse("explainers:home"))
    assert b'<link rel="alternate" type="application/atom+xml"' in response.content
