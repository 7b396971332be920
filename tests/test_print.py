"""
A printed explainer keeps the answer, review facts, sources with their full addresses, the disclaimer,
and the page's address and print date; navigation, search, the skip link and the report link are left off.

Checked in Chromium with print media emulated; a PDF and a screenshot of the printout land in
artifacts/screenshots/ for a human look.
"""

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.dateformat import format as format_date
from pytest_django.asserts import assertContains

from tests.browser import SCREENSHOTS, screenshot
from tests.factories import make_published_explainer

HIDDEN_IN_PRINT = [".skip-link", ".site-nav", ".header-search", ".breadcrumb", ".report-link", ".footer-links"]


def test_the_page_links_its_print_stylesheet_and_carries_a_print_only_footer(demo, settings):
    page = Client().get(demo.get_absolute_url())
    assertContains(page, '<link rel="stylesheet" href="/static/css/print.css" media="print">', html=True)
    today = format_date(timezone.localdate(), "j F Y")
    address = settings.SITE_URL + demo.get_absolute_url()
    assertContains(page, f'<div class="print-footer" hidden><p>Printed from {address} on {today}</p></div>', html=True)


@pytest.mark.browser
def test_a_printed_explainer_shows_the_article_sources_and_address_without_navigation(
    live_server, roles, open_page, settings
):
    explainer = make_published_explainer(
        question="What causes myositis?",
        tldr="Nobody knows exactly; the immune system attacks the muscles.",
        sections=["What happens\n\nThe immune system attacks muscle fibres.", "Treatment\n\nSteroids, mostly."],
        sources=["Lundberg IE et al. Idiopathic inflammatory myopathies. Nat Rev Dis Primers. 2021."],
    )
    page = open_page(width=1280)
    page.goto(live_server.url + explainer.get_absolute_url(), wait_until="load")
    assert page.locator(".report-link").is_visible()  # on screen, the link is there
    assert not page.locator(".print-footer").is_visible()

    page.emulate_media(media="print")
    screenshot(page, "explainer-print-emulated")
    for selector in HIDDEN_IN_PRINT:
        assert not page.locator(selector).first.is_visible(), f"{selector} is printed"
    for selector in ("h1", ".review-facts", ".tldr", ".sources", ".disclaimer", ".print-footer"):
        assert page.locator(selector).first.is_visible(), f"{selector} is not printed"
    assert settings.SITE_URL + explainer.get_absolute_url() in page.locator(".print-footer").inner_text()

    printed_urls = page.eval_on_selector_all(
        ".sources a[href^='http']",
        "links => links.map(a => [a.href, getComputedStyle(a, '::after').content])",
    )
    assert printed_urls, "the page has external sources"
    for href, after in printed_urls:
        assert href in after, f"{href} is not printed in full (::after is {after})"

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    pdf = SCREENSHOTS / "explainer-print.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=False)
    assert pdf.stat().st_size > 10_000
