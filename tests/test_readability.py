"""Readability: each version's reading level is stored when it is frozen and shown where decisions are made."""

import logging
import subprocess
import sys
from importlib import metadata
from unittest import mock

import pytest
from django.test.html import parse_html
from pytest_django.asserts import assertContains, assertNotContains

from explainers.models import Explainer, SiteSettings, Status
from readability import measure
from readability.models import VersionReadability
from tests.admin_forms import change_url, workflow_url
from tests.factories import make_explainer
from tests.html import elements, text_of

PLAIN = "You may feel tired. Your skin may itch. Rest helps."
HARD = (
    "The pathophysiological mechanisms underlying idiopathic inflammatory myopathies remain incompletely "
    "characterised, although complement-mediated microvascular injury is considered contributory."
)


def explainer_with_plain_and_hard_sections(author):
    return make_explainer(
        author=author,
        tldr="It is a rare illness. It makes your muscles weak.",
        sections=(f"How it feels\n\n{PLAIN}", f"Why it happens\n\nDoctors are still finding out. {HARD}"),
    )


def readability_rows(response):
    """Return the readability table as {part: [cell texts]}, as a reader scans it."""
    page = parse_html(response.content.decode())
    tables = [table for table in elements(page, "table") if ("class", "readability-table") in table.attributes]
    assert len(tables) == 1
    rows = list(elements(tables[0], "tr"))[1:]
    return {text_of(next(elements(row, "th"))): [text_of(cell) for cell in elements(row, "td")] for row in rows}


def hardest_sentences(response):
    """Return the sentences pointed out as hardest, as {part: [sentence with its reading age]}."""
    page = parse_html(response.content.decode())
    lists = [dl for dl in elements(page, "dl") if ("class", "readability-hardest") in dl.attributes]
    if not lists:
        return {}
    terms = [text_of(dt) for dt in elements(lists[0], "dt")]
    sentences = [[text_of(li) for li in elements(dd, "li")] for dd in elements(lists[0], "dd")]
    return dict(zip(terms, sentences, strict=True))


# -- measuring ------------------------------------------------------------


def test_a_plain_text_gets_a_lower_reading_age_and_higher_reading_ease_than_a_hard_one():
    plain, hard = measure.measure(PLAIN), measure.measure(HARD)

    assert plain["reading_age"] <= 11 < hard["reading_age"]
    assert plain["flesch_reading_ease"] > hard["flesch_reading_ease"]
    assert plain["words"] == 10 and plain["sentences"] == 3


def test_the_hardest_sentences_are_the_longest_winded_hardest_first_three_at_most():
    text = " ".join([PLAIN, HARD, "Muscle inflammation is treated with immunosuppressive medication.", PLAIN, PLAIN])

    hardest = measure.measure(text)["hardest"]

    assert len(hardest) == 3
    assert hardest[0]["text"] == HARD
    assert [s["reading_age"] for s in hardest] == sorted((s["reading_age"] for s in hardest), reverse=True)


def test_each_list_item_is_read_as_its_own_sentence():
    text = measure.text_of_html(
        "<p>Symptoms include:</p><ul><li>a rash</li><li>weak muscles</li><li>tiredness</li></ul>"
    )

    assert measure.sentences(text) == ["Symptoms include:", "a rash", "weak muscles", "tiredness"]


def test_footnote_markers_and_footnotes_are_not_measured():
    html = (
        '<p>Rest helps.<sup id="s1-fnref:1"><a href="#s1-fn:1">1</a></sup></p>'
        '<div class="footnote"><ol><li>Smith J. Lancet.</li></ol></div>'
    )

    assert measure.text_of_html(html) == "Rest helps."


@pytest.mark.parametrize("text", ["", "   ", "...", "\n\n"])
def test_a_text_without_words_has_no_figures(text):
    assert measure.measure(text) is None


@pytest.mark.parametrize(("grade", "age"), [(-3.2, 5), (0, 5), (6, 11), (6.4, 11), (12.6, 18), (40, 21)])
def test_the_reading_age_is_the_grade_plus_five_kept_between_5_and_21(grade, age):
    assert measure.reading_age(grade) == age


def test_measuring_needs_no_network_and_no_downloaded_data():
    """textstat 0.7.9 and later fetch a pronouncing dictionary through nltk on first use: refuse every connection."""
    script = (
        "import socket\n"
        "def refuse(*args, **kwargs): raise OSError('no network here')\n"
        "socket.socket.connect = socket.create_connection = socket.getaddrinfo = refuse\n"
        "from readability.measure import measure\n"
        f"print(measure({HARD!r})['reading_age'])\n"
    )

    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False)

    assert done.returncode == 0, done.stderr
    assert int(done.stdout) > 11


# -- stored with the version ---------------------------------------------


def test_submitting_stores_the_reading_level_of_the_tldr_and_each_section_with_the_version(author):
    explainer = explainer_with_plain_and_hard_sections(author)

    version = explainer.submit_for_review(by=author)

    stored = VersionReadability.objects.get(version=version)
    assert stored.textstat_version == metadata.version("textstat")
    assert [(p["kind"], p["heading"]) for p in stored.parts] == [
        ("tldr", "TL;DR"),
        ("section", "How it feels"),
        ("section", "Why it happens"),
    ]
    tldr, plain, hard = (p["figures"] for p in stored.parts)
    assert tldr["reading_age"] <= 11 and plain["reading_age"] <= 11
    assert hard["reading_age"] > plain["reading_age"]
    assert hard["hardest"][0]["text"] == HARD
    assert stored.whole["words"] == tldr["words"] + plain["words"] + hard["words"]


@pytest.mark.parametrize(
    "failure",
    [
        pytest.param(ValueError("textstat could not count"), id="measuring-fails"),
        # NaN is not JSON: the database refuses the row, inside the submission's own transaction.
        pytest.param({"whole": {"reading_age": float("nan")}, "parts": []}, id="the-database-refuses-the-figures"),
    ],
)
def test_a_measuring_error_is_logged_and_the_submission_goes_ahead_without_figures(
    client, author, monkeypatch, caplog, failure
):
    def measure_parts(parts):
        if isinstance(failure, Exception):
            raise failure
        return failure

    monkeypatch.setattr("readability.models.measure_parts", measure_parts)
    explainer = explainer_with_plain_and_hard_sections(author)
    client.force_login(author)

    with caplog.at_level(logging.ERROR, logger="readability.models"):
        response = client.post(workflow_url("submit", explainer), {"comment": ""}, follow=True)

    assertContains(response, "Submitted version 1")
    assert Explainer.objects.get(pk=explainer.pk).status == Status.IN_REVIEW
    assert not VersionReadability.objects.exists()
    assert "saved without figures" in caplog.text


# -- shown where decisions are made --------------------------------------


def test_the_review_page_shows_each_parts_reading_age_against_the_target_and_quotes_the_hardest_sentence(
    client, author, reviewer
):
    explainer = explainer_with_plain_and_hard_sections(author)
    explainer.submit_for_review(by=author)
    client.force_login(reviewer)

    response = client.get(workflow_url("review", explainer))

    assertContains(response, "Reading level of version 1, measured when it was submitted")
    rows = readability_rows(response)
    assert list(rows) == ["Whole text", "TL;DR", "How it feels", "Why it happens"]
    assert rows["How it feels"][0].endswith("within the target of 11")
    assert rows["Why it happens"][0].endswith("above the target of 11")
    hard_age = VersionReadability.objects.get().parts[2]["figures"]["hardest"][0]["reading_age"]
    assert hardest_sentences(response) == {"Why it happens": [f"{HARD} (reading age {hard_age})"]}
    assertContains(response, f"<q>{HARD}</q>", html=True)


def test_a_version_stored_without_figures_says_not_measured_on_the_review_page(client, author, reviewer):
    explainer = explainer_with_plain_and_hard_sections(author)
    version = explainer.submit_for_review(by=author)
    VersionReadability.objects.filter(version=version).delete()  # as a version frozen before figures were kept
    client.force_login(reviewer)

    response = client.get(workflow_url("review", explainer))

    assert response.status_code == 200
    assertContains(response, "Not measured: this version was stored without readability figures.")
    assertNotContains(response, "readability-table")


def test_the_author_sees_the_reading_level_of_the_saved_text_on_the_submit_page_before_submitting(client, author):
    explainer = explainer_with_plain_and_hard_sections(author)
    client.force_login(author)

    response = client.get(workflow_url("submit", explainer))

    assertContains(response, "Reading level of the text as last saved")
    rows = readability_rows(response)
    assert rows["Why it happens"][0].endswith("above the target of 11")
    assert [sentence.startswith(HARD) for sentence in hardest_sentences(response)["Why it happens"]] == [True]
    assertContains(response, "Submit for review")  # informs: the way to submit is still there
    assert not VersionReadability.objects.exists()  # nothing is stored before a version is frozen

    explainer.sections.filter(heading="Why it happens").update(body=PLAIN)
    rows = readability_rows(client.get(workflow_url("submit", explainer)))
    assert rows["Why it happens"][0].endswith("within the target of 11")


def test_the_change_form_is_not_slowed_by_measuring(client, author):
    explainer = explainer_with_plain_and_hard_sections(author)
    client.force_login(author)
    with mock.patch("readability.templatetags.readability_tags.measure_parts") as measure_parts:
        assertNotContains(client.get(change_url(explainer)), "Reading level of the text as last saved")
    measure_parts.assert_not_called()


def test_the_target_comes_from_the_site_settings(client, author, reviewer):
    explainer = explainer_with_plain_and_hard_sections(author)
    explainer.submit_for_review(by=author)
    client.force_login(reviewer)
    site = SiteSettings.load()
    site.target_reading_age = 21
    site.save()

    response = client.get(workflow_url("review", explainer))

    assertContains(response, "reading age of 21</strong> or under")
    rows = readability_rows(response)
    assert all(cells[0].endswith("within the target of 21") for cells in rows.values())
    assert hardest_sentences(response) == {}
    assertContains(response, "None: no sentence is above the target of 21.")
