"""The explainer page contract, checked on the demo content (the seed page) and on made-up explainers."""

import datetime
import json
import re

from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from explainers.models import Explainer, Reference, SiteSettings
from tests.factories import make_explainer, make_published_explainer, publish

QUERY_BUDGET = 4  # the explainer with its joins, the site settings, and the request's savepoint pair


def page(client, explainer):
    return client.get(reverse("explainers:explainer", args=[explainer.condition.slug, explainer.slug]))


def structured_data(response):
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', response.content.decode(), re.S)
    assert match, "the page has no JSON-LD"
    return json.loads(match[1])


def test_demo_page_shows_the_badge_line_with_the_first_published_and_last_updated_dates(client, demo):
    assertContains(
        page(client, demo),
        'Short answer · Medically reviewed summary · First published <time datetime="2026-04-07">7 April 2026</time>'
        ' · Last updated <time datetime="2026-04-07">7 April 2026</time>',
    )


def test_demo_page_names_the_reviewer_with_credentials_a_profile_link_and_the_review_date(client, demo):
    response = page(client, demo)
    assertContains(
        response,
        'Medically reviewed by <a href="/reviewers/rowan-reviewer-demo/">Dr Rowan Reviewer (demo)</a>, '
        'MD, rheumatologist on <time datetime="2026-04-07">7 April 2026</time>',
    )
    assertContains(response, 'Next review due <time datetime="2027-04-07">7 April 2027</time>')


def test_demo_page_has_one_h1_the_question_then_the_tldr_and_sections_in_order(client, demo):
    response = page(client, demo)
    content = response.content.decode()
    assert re.findall(r"<h1[ >].*?</h1>", content) == ["<h1>What causes Dermatomyositis and Polymyositis?</h1>"]
    assertContains(response, "TL;DR")
    assertContains(response, "complex interplay between genetic predisposition")
    headings = ["What happens in the body", "Is it inherited?", "Environmental triggers", "What is still unknown"]
    positions = [content.index(f">{heading}</h2>") for heading in headings]
    assert positions == sorted(positions)
    assert content.index("TL;DR") < positions[0]
    assertContains(response, "a security system that has been miscalibrated")


def test_demo_page_shows_community_lines_labelled_as_not_medically_reviewed(client, demo):
    response = page(client, demo)
    assertContains(response, "Community information. It is not medical content and has not been medically reviewed.")
    assertContains(
        response,
        "3 people with Dermatomyositis and Polymyositis have shared their first-person experience on this question "
        "at DiseaseMaps.",
    )
    assertContains(
        response, "413 members of the DiseaseMaps community are living with Dermatomyositis and Polymyositis."
    )


def test_one_shared_experience_is_described_in_the_singular(client, demo):
    Explainer.objects.filter(pk=demo.pk).update(experience_count=1)
    assertContains(
        page(client, demo),
        "1 person with Dermatomyositis and Polymyositis has shared their first-person experience on this question",
    )


def test_community_block_is_left_out_when_there_is_nothing_to_say(client, db):
    explainer = make_published_explainer()
    assertNotContains(page(client, explainer), "Community information")


def test_demo_page_ends_with_the_medical_disclaimer_from_the_site_settings(client, demo):
    settings_row = SiteSettings.load()
    settings_row.disclaimer = "Talk to your own doctor about your own care."
    settings_row.save()
    assertContains(
        page(client, demo), "<strong>Medical disclaimer:</strong> Talk to your own doctor about your own care."
    )


def test_head_has_canonical_description_and_open_graph_tags(client, demo, settings):
    settings.SITE_URL = "https://condinfo.example"
    response = page(client, demo)
    url = "https://condinfo.example/conditions/dermatomyositis-and-polymyositis/what-causes-dermatomyositis-and-polymyositis/"
    assertContains(response, f'<link rel="canonical" href="{url}">')
    assertContains(response, f'<meta property="og:url" content="{url}">')
    assertContains(response, '<meta property="og:title" content="What causes Dermatomyositis and Polymyositis?">')
    assertContains(response, '<meta name="description" content="Dermatomyositis and Polymyositis are chronic')
    assertContains(response, "<title>What causes Dermatomyositis and Polymyositis? – condinfo</title>")


def test_structured_data_describes_a_reviewed_medical_web_page(client, demo, settings):
    settings.SITE_URL = "https://condinfo.example"
    data = structured_data(page(client, demo))
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "MedicalWebPage"
    assert data["name"] == "What causes Dermatomyositis and Polymyositis?"
    assert data["url"].startswith("https://condinfo.example/conditions/")
    assert data["lastReviewed"] == "2026-04-07"
    assert data["dateModified"] == "2026-04-07"
    assert data["reviewedBy"] == {
        "@type": "Person",
        "name": "Dr Rowan Reviewer (demo)",
        "jobTitle": "MD, rheumatologist",
        "url": "https://condinfo.example/reviewers/rowan-reviewer-demo/",
    }
    assert data["about"]["@type"] == "MedicalCondition"
    assert data["about"]["name"] == "Dermatomyositis and Polymyositis"
    assert data["about"]["alternateName"] == ["Dermatomyositis", "Polymyositis", "Myositis"]
    assert [part["name"] for part in data["hasPart"]] == [
        "What happens in the body",
        "Is it inherited?",
        "Environmental triggers",
        "What is still unknown",
    ]
    assert data["hasPart"][0]["hasHealthAspect"] == "https://schema.org/CausesHealthAspect"
    assert data["hasPart"][1]["hasHealthAspect"] == "https://schema.org/RisksOrComplicationsHealthAspect"


def test_structured_data_cannot_break_out_of_its_script_element(client, db):
    explainer = make_published_explainer(tldr="Less than < and </script><script>alert(1)</script> & more.")
    response = page(client, explainer)
    assertNotContains(response, "</script><script>alert(1)")
    assert structured_data(response)["description"] == "Less than < and </script><script>alert(1)</script> & more."


def test_sources_are_numbered_with_links_to_the_paper_pubmed_and_doi(client, db):
    explainer = make_explainer(sources=["Smith J. Myositis causes. J Rheum. 2024."])
    Reference.objects.filter(sources__explainer=explainer).update(pmid="31234567", doi="10.1000/xyz123")
    publish(explainer)
    response = page(client, explainer)
    assertContains(response, '<h2 id="sources-heading">Sources</h2>', html=True)
    assertContains(response, '<a href="https://example.org/paper">Smith J. Myositis causes. J Rheum. 2024.</a>')
    assertContains(response, '<a href="https://pubmed.ncbi.nlm.nih.gov/31234567/">PMID 31234567</a>')
    assertContains(response, '<a href="https://doi.org/10.1000/xyz123">10.1000/xyz123</a>')
    assert structured_data(response)["citation"] == [
        {
            "@type": "CreativeWork",
            "name": "Smith J. Myositis causes. J Rheum. 2024.",
            "url": "https://example.org/paper",
            "sameAs": ["https://pubmed.ncbi.nlm.nih.gov/31234567/", "https://doi.org/10.1000/xyz123"],
        }
    ]


def test_page_without_sources_has_no_sources_heading(client, demo):
    assertNotContains(page(client, demo), "sources-heading")


def test_section_markdown_is_shown_sanitised(client, db):
    explainer = make_published_explainer(
        sections=["Risks\n\n**Bold** text <script>alert(1)</script> [link](javascript:alert(1))"]
    )
    response = page(client, explainer)
    assertContains(response, "<strong>Bold</strong> text")
    assertNotContains(response, "<script>alert(1)")
    assertNotContains(response, "javascript:")


def test_overdue_page_says_so_plainly(client, demo):
    Explainer.objects.filter(pk=demo.pk).update(next_review_due=datetime.date(2026, 1, 1))
    response = page(client, demo)
    assertContains(response, "This page is overdue for review.")
    assertContains(response, 'was due on <time datetime="2026-01-01">1 January 2026</time>')


def test_page_not_yet_due_for_review_has_no_overdue_notice(client, demo):
    Explainer.objects.filter(pk=demo.pk).update(next_review_due=timezone.localdate() + datetime.timedelta(days=30))
    assertNotContains(page(client, demo), "overdue")


def test_last_updated_and_last_reviewed_are_shown_as_separate_facts(client, demo):
    Explainer.objects.filter(pk=demo.pk).update(last_updated=datetime.date(2026, 5, 2))
    response = page(client, demo)
    assertContains(response, 'Last updated <time datetime="2026-05-02">2 May 2026</time>')
    assertContains(response, 'rheumatologist on <time datetime="2026-04-07">7 April 2026</time>')
    data = structured_data(response)
    assert (data["dateModified"], data["lastReviewed"]) == ("2026-05-02", "2026-04-07")


def test_page_uses_the_same_small_number_of_queries_however_many_sections_and_sources(
    client, db, django_assert_max_num_queries, django_assert_num_queries
):
    short = make_published_explainer(sections=["One\n\nOnly one section."])
    long = make_published_explainer(
        sections=[f"Heading {n}\n\nBody of section {n}." for n in range(12)],
        sources=[f"Source {n}" for n in range(12)],
    )
    short_url, long_url = short.get_absolute_url(), long.get_absolute_url()
    SiteSettings.load()  # the settings row exists on a running site
    with django_assert_max_num_queries(QUERY_BUDGET) as captured:
        assert client.get(short_url).status_code == 200
    with django_assert_num_queries(len(captured)):
        response = client.get(long_url)
    assertContains(response, "Body of section 11.")
    assertContains(response, "Source 11")
