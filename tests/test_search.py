"""Search: what a visitor finds, in what order, and that no query can break the page."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from explainers.search import MAX_QUERY_LENGTH
from tests.factories import make_condition, make_explainer, make_published_explainer


def search_page(client, query):
    return client.get(reverse("explainers:search"), {"q": query})


def test_empty_search_shows_tips_and_the_a_to_z(client, db):
    response = client.get(reverse("explainers:search"))
    assert response.status_code == 200
    assertContains(response, "Search tips")
    assertContains(response, 'href="/conditions/"')
    assertContains(response, '<label for="q">Search conditions and questions</label>', html=True)
    assertContains(response, 'role="search"')
    assertNotContains(response, "results for")


def test_blank_search_is_treated_as_empty(client, db):
    assertContains(search_page(client, "   "), "Search tips")


def test_search_finds_a_condition_by_another_name(client, db):
    condition = make_condition(name="Amyotrophic lateral sclerosis", alternate_names="Motor neurone disease\nALS")
    make_published_explainer(condition=condition, question="What is it like day to day?")
    response = search_page(client, "motor neurone")
    assertContains(response, 'href="/conditions/')
    assertContains(response, "Amyotrophic lateral sclerosis")
    assertContains(response, "What is it like day to day?")


def test_search_ranks_a_question_match_above_a_body_match(client, db):
    make_published_explainer(
        question="Why do my joints ache in the morning?",
        sections=["Stiffness after rest is common and tends to ease with gentle movement."],
    )
    make_published_explainer(
        question="What helps with stiffness?",
        sections=["Warmth and regular exercise help many people."],
    )
    content = search_page(client, "stiffness").content.decode()
    assert content.index("What helps with stiffness?") < content.index("Why do my joints ache in the morning?")


def test_search_highlights_matches_in_the_snippet(client, db):
    make_published_explainer(
        question="Does diet matter?",
        sections=["A balanced diet supports recovery, and vitamin D levels are often checked."],
    )
    assertContains(search_page(client, "vitamin"), "<mark>vitamin</mark>", count=1)


def test_search_counts_results_in_a_heading(client, db):
    make_published_explainer(question="Can children get sarcoidosis?")
    assertContains(search_page(client, "sarcoidosis"), "1 result for “sarcoidosis”")


def test_search_leaves_out_unpublished_and_withdrawn_explainers(client, db):
    make_explainer(question="Is this zebrafish draft searchable?")
    withdrawn = make_published_explainer(question="Is this zebrafish withdrawal searchable?")
    from tests.factories import make_user

    withdrawn.withdraw(by=make_user("Publishers"), reason="Superseded.")
    response = search_page(client, "zebrafish")
    assertNotContains(response, "searchable?")
    assertContains(response, "0 results for “zebrafish”")
    assertContains(response, "Nothing matched your search.")


def test_very_long_search_is_cut_with_a_notice(client, db):
    response = search_page(client, "myositis " * 100)
    assert response.status_code == 200
    assertContains(response, f"only its first {MAX_QUERY_LENGTH} characters were used")


@pytest.mark.parametrize(
    "query",
    [
        "!!!",
        '"',
        "'",
        '"unbalanced quote',
        "'; DROP TABLE explainers_explainer; --",
        "1 OR 1=1",
        "a & b | !c <-> d",
        "(((",
        "-",
        "or",
        "the",
        "<script>alert(1)</script>",
        "ünïcödé 😀 ميوسيت 肌炎",
        "nul\x00byte",
        "%",
        "_",
        "\\",
    ],
)
def test_odd_searches_never_cause_an_error(client, demo, query):
    response = search_page(client, query)
    assert response.status_code == 200
    assertNotContains(response, "<script>alert(1)")


def test_search_results_escape_what_the_visitor_typed(client, db):
    response = search_page(client, '<b>bold</b> "quoted"')
    assertContains(response, "&lt;b&gt;bold&lt;/b&gt;")
    assertNotContains(response, "<b>bold</b>")
