"""
The sitemap index: /sitemap.xml lists section files of at most SECTION_SIZE addresses, each with
its lastmod, and every public page is in exactly one of them, at any library size.
"""

import datetime
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from explainers import sitemaps, views
from explainers.models import Condition, Explainer
from explainers.public_paths import paths_showing
from tests.factories import (
    approve_condition,
    make_condition,
    make_explainer,
    make_published_explainer,
    make_reviewer,
    make_user,
    publish,
)

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
BASE = "https://condinfo.example"


@pytest.fixture(autouse=True)
def _canonical_address(settings):
    settings.SITE_URL = BASE


def sitemap_index(client):
    """Return {section address: lastmod} as /sitemap.xml lists them."""
    response = client.get(reverse("sitemap"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    root = ET.fromstring(response.content)
    assert root.tag == f"{SITEMAP}sitemapindex"
    return {entry.findtext(f"{SITEMAP}loc"): entry.findtext(f"{SITEMAP}lastmod") for entry in root}


def sitemap_file(client, address):
    """Return [(address, lastmod)] as one section file lists them."""
    response = client.get(urlsplit(address).path)
    assert response.status_code == 200, address
    assert response["Content-Type"] == "application/xml"
    root = ET.fromstring(response.content)
    assert root.tag == f"{SITEMAP}urlset"
    return [(url.findtext(f"{SITEMAP}loc"), url.findtext(f"{SITEMAP}lastmod")) for url in root]


def sitemap_files(client):
    """Return {section address: [(address, lastmod)]} for every file the index lists."""
    return {section: sitemap_file(client, section) for section in sitemap_index(client)}


def listed_addresses(client):
    """Return every address the sitemap lists, counting an address once per file that lists it."""
    return [address for entries in sitemap_files(client).values() for address, _ in entries]


def test_the_index_lists_each_section_file_with_its_lastmod(client, demo):
    index = sitemap_index(client)
    assert index == {
        f"{BASE}/sitemap-pages.xml": "2026-04-07",
        f"{BASE}/sitemap-conditions-{sitemaps.section_number(demo.condition.pk)}.xml": "2026-04-07",
        f"{BASE}/sitemap-reviewers-{sitemaps.section_number(demo.public_review.reviewer.pk)}.xml": "2026-04-07",
        f"{BASE}/sitemap-explainers-{sitemaps.section_number(demo.pk)}.xml": "2026-04-07",
    }


def test_every_public_page_is_in_exactly_one_sitemap_file(client, demo):
    addresses = listed_addresses(client)
    assert sorted(addresses) == sorted(
        {
            f"{BASE}/",
            f"{BASE}/conditions/",
            f"{BASE}/conditions/letter/d/",
            f"{BASE}/about/editorial-policy/",
            f"{BASE}/conditions/dermatomyositis-and-polymyositis/",
            f"{BASE}{demo.get_absolute_url()}",
            f"{BASE}/reviewers/rowan-reviewer-demo/",
        }
    )


def test_a_section_lists_each_page_with_the_date_it_last_changed(client, demo):
    files = sitemap_files(client)
    explainers = dict(files[f"{BASE}/sitemap-explainers-{sitemaps.section_number(demo.pk)}.xml"])
    assert explainers == {f"{BASE}{demo.get_absolute_url()}": "2026-04-07"}
    for entries in files.values():
        for _, lastmod in entries:
            assert lastmod is None or datetime.date.fromisoformat(lastmod)


def test_explainers_split_across_sections_by_id_with_none_missing_or_duplicated(client, db, monkeypatch):
    monkeypatch.setattr(sitemaps, "SECTION_SIZE", 2)
    published = [make_published_explainer() for _ in range(5)]
    withdrawn = make_published_explainer()
    withdrawn.withdraw(by=make_user("Publishers"), reason="Superseded.")

    files = sitemap_files(client)
    explainer_files = {section: entries for section, entries in files.items() if "/sitemap-explainers-" in section}
    listed = [address for entries in explainer_files.values() for address, _ in entries]
    assert sorted(listed) == sorted(f"{BASE}{e.get_absolute_url()}" for e in published)
    assert all(len(entries) <= 2 for section, entries in files.items() if not section.endswith("-pages.xml"))
    for explainer in published:  # each in the file its id decides, as caches are told
        section = f"{BASE}{sitemaps.sitemap_path_for(explainer)}"
        assert f"{BASE}{explainer.get_absolute_url()}" in dict(explainer_files[section])
        assert sitemaps.sitemap_path_for(explainer) in paths_showing(explainer)
    assert len(listed_addresses(client)) == len(set(listed_addresses(client)))


def test_a_section_with_nothing_public_left_is_not_listed_and_not_found(client, db, monkeypatch):
    monkeypatch.setattr(sitemaps, "SECTION_SIZE", 1)
    explainer = make_published_explainer()
    path = sitemaps.sitemap_path_for(explainer)
    assert f"{BASE}{path}" in sitemap_index(client)
    explainer.withdraw(by=make_user("Publishers"), reason="Superseded.")
    assert f"{BASE}{path}" not in sitemap_index(client)
    assert client.get(path).status_code == 404


def test_the_index_makes_the_same_queries_however_many_explainer_and_condition_sections_it_lists(
    client, db, monkeypatch
):
    """Reviewers are few, a section of them asks its own date; explainers and conditions are many."""
    monkeypatch.setattr(sitemaps, "SECTION_SIZE", 1)
    reviewer = make_reviewer()

    def publish_under_a_new_condition():
        condition = make_condition(approved=False)
        approve_condition(condition, reviewer=reviewer)
        publish(make_explainer(condition=condition), reviewer=reviewer)

    publish_under_a_new_condition()
    with CaptureQueriesContext(connection) as few:
        few_sections = sitemap_index(client)
    for _ in range(4):
        publish_under_a_new_condition()
    with CaptureQueriesContext(connection) as many:
        many_sections = sitemap_index(client)
    assert len(many_sections) == len(few_sections) + 8  # four more explainer and four more condition files
    assert len(many) == len(few)


def test_the_index_dates_each_section_as_the_section_itself_does(client, db, monkeypatch):
    monkeypatch.setattr(sitemaps, "SECTION_SIZE", 2)
    explainers = [make_published_explainer() for _ in range(5)]
    for days_ago, explainer in enumerate(explainers):  # published on five different days
        Explainer.objects.filter(pk=explainer.pk).update(
            published_at=timezone.now() - datetime.timedelta(days=10 * days_ago)
        )
    index = sitemap_index(client)
    for kind, section in sitemaps.ID_RANGE_SECTIONS.items():
        for number, lastmod in section.listed():
            assert lastmod == section(number).lastmod()
            assert index[f"{BASE}/sitemap-{kind}-{number}.xml"] == lastmod.isoformat()
    assert len({lastmod for lastmod in index.values()}) > 2


@pytest.mark.parametrize(
    "name", ["nonsense", "explainers", "explainers-0", "explainers-01", "explainers-x", "pages-1", "explainers-99999"]
)
def test_a_section_that_does_not_exist_is_not_found(client, db, name):
    make_published_explainer()
    assert client.get(f"/sitemap-{name}.xml").status_code == 404


def test_every_page_of_a_long_letter_is_listed(client, db, monkeypatch):
    monkeypatch.setattr(views, "CONDITIONS_PER_PAGE", 2)
    for name in ("Acne", "Asthma", "Anaemia", "Bursitis"):
        make_condition(name=name, slug=name.lower(), description="Described.")
    pages = dict(sitemap_file(client, reverse("sitemap_section", args=["pages"])))
    letters = sorted(address for address in pages if "/letter/" in address)
    assert letters == [
        f"{BASE}/conditions/letter/a/",
        f"{BASE}/conditions/letter/a/?page=2",
        f"{BASE}/conditions/letter/b/",
    ]
    assert client.get("/conditions/letter/a/?page=2").status_code == 200


def test_the_sitemap_lists_canonical_addresses_whatever_host_it_is_asked_on(client, demo, settings):
    settings.ALLOWED_HOSTS = ["testserver", "other.example"]
    response = client.get(reverse("sitemap"), headers={"host": "other.example"})
    assert b"other.example" not in response.content
    section = client.get(reverse("sitemap_section", args=["pages"]), headers={"host": "other.example"})
    assert b"other.example" not in section.content
    assert f"<loc>{BASE}/</loc>".encode() in section.content


def test_sitemap_files_ask_not_to_be_indexed_themselves(client, demo):
    assert client.get(reverse("sitemap"))["X-Robots-Tag"].startswith("noindex")
    assert client.get(reverse("sitemap_section", args=["pages"]))["X-Robots-Tag"].startswith("noindex")


def test_approving_a_condition_dates_its_section_and_the_pages_section_that_day(client, demo):
    make_condition(name="Gout", slug="gout", description="Joint pain.")
    condition = Condition.objects.get(slug="gout")
    section = f"{BASE}{sitemaps.sitemap_path_for_condition(condition)}"
    today = timezone.localdate().isoformat()
    assert sitemap_index(client)[section] == today
    assert sitemap_index(client)[f"{BASE}/sitemap-pages.xml"] == today
    assert f"{BASE}/conditions/gout/" in dict(sitemap_file(client, section))


def test_a_publication_dates_its_explainers_section_that_day(client, demo):
    explainer = make_published_explainer()
    section = f"{BASE}{sitemaps.sitemap_path_for(explainer)}"
    assert sitemap_index(client)[section] == timezone.localdate().isoformat()
