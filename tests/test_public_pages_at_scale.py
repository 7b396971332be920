"""
Public pages whose cost does not grow with the library: letter pages of the A–Z, pages of long
lists, search over a bounded set of candidates, the feed's latest entries, and query budgets that
stay the same with 3 and with 30 of everything.
"""

import itertools
import re

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from explainers import feeds, search
from explainers.models import Condition, ConditionDescriptionApproval, Explainer, SiteSettings
from explainers.public_paths import paths_showing, paths_showing_condition
from explainers.sitemaps import sitemap_path_for
from tests.factories import make_condition, make_explainer, make_reviewer, make_user, publish
from tests.plans import plan_without_reading_whole_tables

_names = itertools.count(1)


def approve_conditions(count, *, initial="A", reviewer=None):
    """Create ``count`` public conditions (approved descriptions) starting with ``initial``, one reviewer approving."""
    reviewer = reviewer or make_reviewer()
    conditions = []
    for _ in range(count):
        n = next(_names)
        condition = Condition.objects.create(
            name=f"{initial}{n:05d} condition", slug=f"{initial.lower()}-condition-{n}", description="Described."
        )
        condition.approve_description(by=reviewer.user, content_hash=condition.working_hash())
        conditions.append(condition)
    return conditions


class Library:
    """A library that grows: conditions under A and Z, and explainers under one condition by one reviewer.

    Every list a public page shows grows with it: recent reviews, the A–Z's counts, a letter page,
    a condition's answers, a reviewer's answers, search matches, the feed and the sitemap.
    """

    def __init__(self):
        self.reviewer = make_reviewer(display_name="Dr Scale", slug="dr-scale")
        self.publisher = make_user("Publishers")
        self.author = make_user("Authors")
        self.condition = make_condition(name="Alopecia", slug="alopecia", description="Hair loss.")
        self.explainers = []

    def grow_to(self, size):
        approve_conditions(size - len(self.explainers), reviewer=self.reviewer)
        approve_conditions(size - len(self.explainers), initial="Z", reviewer=self.reviewer)
        while len(self.explainers) < size:
            n = next(_names)
            explainer = make_explainer(
                condition=self.condition,
                question=f"Question {n} about treatment?",
                slug=f"question-{n}",
                sections=[f"Heading\n\nTreatment number {n} helps some people."],
                author=self.author,
            )
            publish(explainer, reviewer=self.reviewer, publisher=self.publisher, author=self.author)
            self.explainers.append(explainer)


PAGES = {
    "home": lambda library: reverse("explainers:home"),
    "A–Z index": lambda library: reverse("explainers:condition_index"),
    "letter page": lambda library: reverse("explainers:condition_letter", args=["z"]),
    "condition": lambda library: library.condition.get_absolute_url(),
    "explainer": lambda library: library.explainers[0].get_absolute_url(),
    "reviewer": lambda library: library.reviewer.get_absolute_url(),
    "search": lambda library: reverse("explainers:search") + "?q=treatment",
    "feed": lambda library: reverse("explainers:reviewed_feed"),
    "sitemap index": lambda library: reverse("sitemap"),
    "sitemap section": lambda library: sitemap_path_for(library.explainers[0]),
}

# Queries per page, counting the savepoint pair around each request (ATOMIC_REQUESTS).
BUDGETS = {
    "home": 4,  # settings, the latest full reviews
    "A–Z index": 4,  # settings, letter counts
    "letter page": 5,  # settings, the letter's count and page
    "condition": 5,  # settings, condition, its explainers
    "explainer": 3,  # settings, explainer with its joins, its authors
    "reviewer": 6,  # settings, reviewer, the sorted ids of their explainers, the rows of the page shown
    "search": 6,  # settings, conditions, ranked candidate ids, the page shown
    "feed": 3,  # the latest explainers
    # Pages: latest publication, approval, setting; for each kind, its highest id and each section's date.
    "sitemap index": 12,
    "sitemap section": 3,  # the section's rows
}


def queries_for(client, path, django_assert_max_num_queries, budget):
    with django_assert_max_num_queries(budget) as captured:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(captured)


@pytest.mark.parametrize("page", PAGES, ids=list(PAGES))
def test_each_page_type_makes_the_same_queries_with_3_and_with_30_items(
    client, db, django_assert_max_num_queries, page
):
    SiteSettings.load()  # the settings row exists on a running site
    library = Library()
    library.grow_to(3)
    path_of, budget = PAGES[page], BUDGETS[page]
    small = queries_for(client, path_of(library), django_assert_max_num_queries, budget)
    library.grow_to(30)
    large = queries_for(client, path_of(library), django_assert_max_num_queries, budget)
    assert large == small, f"{page}: {small} queries with 3 items, {large} with 30"


def public_page_queries(client, paths):
    with CaptureQueriesContext(connection) as captured:
        for path in paths:
            assert client.get(path).status_code == 200, path
    return " ".join(query["sql"] for query in captured.captured_queries)


def test_pages_never_load_a_snapshots_plain_text_or_search_vector_for_display(client, db):
    library = Library()
    library.grow_to(3)
    listed = public_page_queries(
        client, [PAGES[name](library) for name in PAGES if name not in ("search", "sitemap index", "sitemap section")]
    )
    assert "body_text" not in listed
    assert "search_vector" not in listed
    assert '"content"' in listed  # the explainer page reads its sections…
    home_and_lists = public_page_queries(
        client, [PAGES[name](library) for name in ("home", "condition", "reviewer", "feed")]
    )
    assert '"content"' not in home_and_lists  # …and lists of answers do not


def selected_columns(sql):
    return sql.split(" FROM ", 1)[0]


def test_search_reads_plain_text_only_for_the_snippets_of_the_page_shown(client, db):
    library = Library()
    library.grow_to(3)
    with CaptureQueriesContext(connection) as captured:
        client.get(reverse("explainers:search"), {"q": "treatment"})
    queries = [query["sql"] for query in captured.captured_queries]
    reading_text = [sql for sql in queries if "body_text" in selected_columns(sql)]
    assert len(reading_text) == 1  # the page shown, for its snippets
    assert "ORDER BY" not in reading_text[0]
    assert not any("search_vector" in selected_columns(sql) for sql in queries)
    ranking = [sql for sql in queries if "ORDER BY" in sql and " IN (SELECT " in sql]
    assert len(ranking) == 1
    assert selected_columns(ranking[0]) == 'SELECT "explainers_explainer"."id" AS "pk"'  # the ranking sorts ids


# -- The A–Z ---------------------------------------------------------------


def test_a_letter_page_lists_its_conditions_in_order_with_their_other_names(client, db):
    make_condition(name="Asthma", slug="asthma", description="Breathing.", alternate_names="Reactive airway disease")
    make_condition(name="acne", slug="acne", description="Skin.")
    make_condition(name="Bronchitis", slug="bronchitis", description="Chest.")
    response = client.get(reverse("explainers:condition_letter", args=["a"]))
    assertContains(response, "<h1>Conditions starting with A</h1>", html=True)
    assertContains(response, "(also known as Reactive airway disease)")
    assertNotContains(response, "Bronchitis")
    content = response.content.decode()
    assert content.index("acne") < content.index("Asthma")  # case does not decide the order
    assertContains(response, '<a href="/conditions/letter/a/" aria-current="page">A</a>', html=True)
    assertContains(response, '<a href="/conditions/letter/b/">B</a>', html=True)


def test_names_starting_with_a_digit_or_symbol_are_under_0_to_9(client, db):
    make_condition(name="22q11.2 deletion syndrome", slug="22q11", description="A genetic condition.")
    index = client.get(reverse("explainers:condition_index"))
    assertContains(index, 'href="/conditions/letter/0-9/"')
    response = client.get("/conditions/letter/0-9/")
    assertContains(response, "<h1>Conditions starting with a number or symbol</h1>", html=True)
    assertContains(response, "22q11.2 deletion syndrome")


def test_a_letter_with_250_conditions_shows_100_and_links_to_pages_2_and_3(client, db):
    approve_conditions(250)
    response = client.get(reverse("explainers:condition_letter", args=["a"]))
    assert len(response.context["conditions"]) == 100
    assertContains(response, "Conditions 1 to 100 of 250")
    assertContains(response, '<a href="/conditions/letter/a/?page=2">', count=1)
    assertContains(response, '<a href="/conditions/letter/a/?page=3">', count=1)
    assertContains(response, '<a href="/conditions/letter/a/?page=2" rel="next">', count=1)
    last = client.get(reverse("explainers:condition_letter", args=["a"]), {"page": "3"})
    assert len(last.context["conditions"]) == 50
    assertContains(last, "Conditions 201 to 250 of 250")
    assertContains(last, "(page 3 of 3)")


def test_each_page_of_a_letter_is_its_own_canonical_page(client, db, settings):
    settings.SITE_URL = "https://condinfo.example"
    approve_conditions(101)
    first = client.get("/conditions/letter/a/")
    second = client.get("/conditions/letter/a/?page=2")
    assertContains(first, '<link rel="canonical" href="https://condinfo.example/conditions/letter/a/">', html=True)
    assertContains(
        second, '<link rel="canonical" href="https://condinfo.example/conditions/letter/a/?page=2">', html=True
    )


@pytest.mark.parametrize("page", ["4", "0", "-1", "two", "1.5", "", "2 ", "١"])
def test_a_page_number_that_is_not_a_page_of_the_letter_is_not_found(client, db, page):
    approve_conditions(101)
    assert client.get("/conditions/letter/a/", {"page": page}).status_code == 404


@pytest.mark.parametrize("letter", ["A", "aa", "0", "%23", "9-0"])
def test_a_letter_address_that_is_not_a_letter_of_the_a_to_z_is_not_found(client, db, letter):
    assert client.get(f"/conditions/letter/{letter}/").status_code == 404


def test_a_letter_nobody_s_name_starts_with_says_so_and_asks_not_to_be_indexed(client, db):
    response = client.get(reverse("explainers:condition_letter", args=["q"]))
    assertContains(response, "No published condition starts with Q yet.")
    assertContains(response, '<meta name="robots" content="noindex">', html=True)


def test_a_condition_whose_approved_name_changes_letter_moves_letter(client, db, reviewer):
    condition = make_condition(name="Bronchitis", slug="bronchitis", description="Inflamed airways.")
    condition.name = "Acute bronchitis"
    condition.save()
    condition.approve_description(by=reviewer, content_hash=condition.working_hash())

    assertContains(client.get("/conditions/letter/a/"), "Acute bronchitis")
    assertNotContains(client.get("/conditions/letter/b/"), "bronchitis")
    refreshed = paths_showing_condition(condition)
    assert {"/conditions/letter/a/", "/conditions/letter/b/"} <= set(refreshed)


def test_publishing_refreshes_the_letter_page_and_the_sitemap_file_that_list_it(db):
    explainer = make_explainer(condition=make_condition(name="Gout", slug="gout"))
    publish(explainer)
    paths = paths_showing(explainer)
    assert "/conditions/letter/g/" in paths
    assert sitemap_path_for(explainer) in paths
    assert explainer.get_absolute_url() in paths


def test_home_page_links_to_the_letters_instead_of_listing_every_condition(client, db):
    approve_conditions(3)
    response = client.get(reverse("explainers:home"))
    assertContains(response, '<a href="/conditions/letter/a/">A</a>', html=True)
    assertNotContains(response, "condition</a>")  # no condition names


# -- Reviewers -------------------------------------------------------------


def test_a_reviewers_page_lists_20_answers_and_links_to_the_rest(client, db):
    library = Library()
    library.grow_to(25)
    response = client.get(library.reviewer.get_absolute_url())
    assert len(response.context["reviewed"]) == 20
    assertContains(response, "Answers 1 to 20 of 25")
    assertContains(response, '<a href="/reviewers/dr-scale/?page=2" rel="next">', count=1)
    second = client.get(library.reviewer.get_absolute_url(), {"page": "2"})
    assert len(second.context["reviewed"]) == 5
    assertContains(second, '<a href="/reviewers/dr-scale/" rel="prev">', count=1)
    shown = {e.pk for page in (response, second) for e, _ in page.context["reviewed"]}
    assert shown == {e.pk for e in library.explainers}
    assert client.get(library.reviewer.get_absolute_url(), {"page": "3"}).status_code == 404


# -- Search ----------------------------------------------------------------


def test_search_shows_20_answers_a_page_with_numbered_pages(client, db):
    library = Library()
    library.grow_to(25)
    response = client.get(reverse("explainers:search"), {"q": "treatment"})
    assertContains(response, "25 results for “treatment”")
    assert len(response.context["results"].explainers) == 20
    assertContains(response, '<a href="/search/?q=treatment&amp;page=2" rel="next">', count=1)
    second = client.get(reverse("explainers:search"), {"q": "treatment", "page": "2"})
    assert len(second.context["results"].explainers) == 5
    assertContains(second, "(page 2 of 2)")
    assertContains(second, "<mark>Treatment</mark>", count=5)
    shown = {hit.explainer.pk for page in (response, second) for hit in page.context["results"].explainers}
    assert shown == {e.pk for e in library.explainers}
    assert client.get(reverse("explainers:search"), {"q": "treatment", "page": "3"}).status_code == 404
    assert client.get(reverse("explainers:search"), {"q": "treatment", "page": "x"}).status_code == 404


def test_search_ranks_only_a_bounded_set_of_candidates_and_says_so(client, db, monkeypatch):
    monkeypatch.setattr(search, "MAX_CANDIDATES", 4)
    library = Library()
    library.grow_to(6)
    results = search.search("treatment")
    assert results.more
    assert results.page.paginator.count == 4
    response = client.get(reverse("explainers:search"), {"q": "treatment"})
    assertContains(response, "More than 4 results for “treatment”")
    assertContains(response, "only 4 are listed")


# -- The feed --------------------------------------------------------------


def test_the_feed_shows_the_latest_publications_only(client, db, monkeypatch):
    monkeypatch.setattr(feeds, "FEED_LENGTH", 2)
    library = Library()
    library.grow_to(3)
    content = client.get(reverse("explainers:reviewed_feed")).content.decode()
    titles = re.findall(r"<title>(Question \d+ about treatment\?)</title>", content)
    assert titles == [e.published_version.question for e in reversed(library.explainers[1:])]


def test_the_feed_reads_the_latest_publications_in_index_order(db):
    sql = str(feeds.ReviewedExplainersFeed().items().query)
    assert 'ORDER BY "explainers_explainer"."published_at" DESC, "explainers_explainer"."id" DESC' in sql
    assert '"explainers_explainer"."published_at" IS NOT NULL' in sql
    assert [index.name for index in Explainer._meta.indexes if index.fields == ["-published_at", "-id"]] == [
        "explainer_latest_published"
    ]


def test_public_pages_open_no_transaction_of_their_own(client, db):
    """They only read: ATOMIC_REQUESTS' transaction would cost them two round trips (BEGIN, COMMIT) for nothing."""
    library = Library()
    library.grow_to(2)
    with CaptureQueriesContext(connection) as captured:
        for name in PAGES:
            assert client.get(PAGES[name](library)).status_code == 200, name
    assert not [query["sql"] for query in captured.captured_queries if "SAVEPOINT" in query["sql"]]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes are PostgreSQL's")
@pytest.mark.parametrize("index", ["explainers_approval_name_trgm", "explainers_approval_alternate_names_trgm"])
def test_search_finds_conditions_through_the_trigram_indexes_on_postgresql(db, index):
    """The indexes match the expression search's ``icontains`` on the approved names becomes.

    (Joined to the conditions, as search asks, the tiny test tables lead the planner elsewhere.)
    """
    make_condition(name="Myositis", slug="myositis", alternate_names="Inflammatory myopathy")
    term = search.terms_of("myositis")[0]
    matches = ConditionDescriptionApproval.objects.filter(Q(name__icontains=term) | Q(alternate_names__icontains=term))
    plan = plan_without_reading_whole_tables(matches)
    assert index in plan, plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL planner setting")
def test_postgresql_plans_for_data_held_in_memory(db):
    """Each connection prices reading out of order as on an SSD (DATABASE_RANDOM_PAGE_COST, 1.1): with the
    server's default of 4, a letter page read every condition's approval at 10,000 conditions."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW random_page_cost")
        assert float(cursor.fetchone()[0]) == 1.1
