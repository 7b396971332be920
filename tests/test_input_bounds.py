"""Bounded input: long text, slow Markdown and oversize forms are refused with a message, and nothing typed is lost."""

import re
import signal
import threading
import time

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from explainers import rendering
from explainers.admin import SectionInline, SourceInline
from explainers.models import Section, SiteSettings, SiteSettingsChange, TransitionNotAllowed
from explainers.rendering import RenderingTooSlow, render_markdown
from tests.admin_forms import change_url, explainer_form_data
from tests.factories import make_explainer

# Python-Markdown takes quadratic time over a run of "[": 3,000 take it a few seconds.
SLOW_MARKDOWN = "[" * 3000


@pytest.fixture
def limits(db):
    """The smallest limits the settings allow, so a test's text stays short."""
    site = SiteSettings.load()
    site.max_section_length, site.max_explainer_length = 1000, 2500
    site.save()
    return site


def words(length, word="Weak"):
    """Return ``length`` characters of plain words, ending in a letter (a form strips trailing spaces)."""
    return (f"{word} muscles. " * length)[: length - 1] + "x"


def section_row(body, *, section=None, heading="Causes", position=0):
    return {
        "id": section.pk if section else "",
        "heading": heading,
        "body": body,
        "health_aspect": "",
        "position": position,
    }


def test_a_section_over_the_limit_is_refused_next_to_the_field_and_the_text_is_kept(client, author, limits):
    explainer = make_explainer(author=author, sections=["Causes\n\nShort."])
    section = explainer.sections.get()
    typed = words(1234)
    client.force_login(author)

    response = client.post(
        change_url(explainer), explainer_form_data(explainer, sections=[section_row(typed, section=section)])
    )

    assert response.status_code == 200
    message = "This section is 1,234 characters long; the most a section may be is 1,000. Split it into two sections."
    assert re.search(
        rf'class="form-row errors field-body">\s*<ul class="errorlist"[^>]*><li>{re.escape(message)}', response.text
    )
    assertContains(response, typed)
    section.refresh_from_db()
    assert section.body == "Short."


def test_an_explainer_over_the_total_limit_is_refused_and_nothing_is_lost(client, author, limits):
    explainer = make_explainer(author=author, sections=["Causes\n\nShort."])
    section = explainer.sections.get()
    rows = [
        section_row(words(900, "Weak"), section=section),
        section_row(words(900, "Sore"), heading="Symptoms", position=1),
        section_row(words(900, "Tired"), heading="Treatment", position=2),
    ]
    client.force_login(author)

    response = client.post(change_url(explainer), explainer_form_data(explainer, sections=rows))

    assert response.status_code == 200
    total = len(explainer.question) + len(explainer.tldr) + 3 * 900
    assertContains(
        response,
        f"This explainer is {total:,} characters long (question, TL;DR and sections together); the most an explainer "
        "may be is 2,500. Shorten it, or split it into two explainers.",
    )
    for row in rows:
        assertContains(response, row["body"])
    assert list(explainer.sections.values_list("body", flat=True)) == ["Short."]


def test_a_save_that_does_not_lengthen_text_already_over_a_lowered_limit_is_let_through(client, author, limits):
    explainer = make_explainer(author=author, sections=[f"Causes\n\n{words(1500)}"])
    client.force_login(author)

    response = client.post(change_url(explainer), explainer_form_data(explainer, experience_count=12))

    assert response.status_code == 302
    explainer.refresh_from_db()
    assert explainer.experience_count == 12


def test_submitting_oversize_text_is_refused_by_the_model(author, limits):
    long_section = make_explainer(author=author, sections=[f"Causes\n\n{words(1200)}"])
    long_explainer = make_explainer(author=author, sections=[words(900), words(900), words(900)])

    with pytest.raises(TransitionNotAllowed) as refused:
        long_section.submit_for_review(by=author)
    assert str(refused.value) == (
        "The section “Causes” is 1,200 characters long; the most a section may be is 1,000. Split it into two sections."
    )
    with pytest.raises(TransitionNotAllowed, match=r"^This explainer is [\d,]+ characters long .* may be is 2,500\."):
        long_explainer.submit_for_review(by=author)
    assert not long_section.versions.exists() and not long_explainer.versions.exists()


def test_the_live_preview_refuses_oversize_input_with_a_message(client, author, limits):
    client.force_login(author)

    refused = client.post(reverse("markdownx_markdownify"), {"content": words(1001)})
    at_the_limit = client.post(reverse("markdownx_markdownify"), {"content": words(1000)})

    # markdownx's script shows any response in the preview pane, whatever its status.
    assert refused.status_code == 413
    assert refused.content.decode() == (
        '<p class="errornote" role="alert">No preview: This section is 1,001 characters long; the most a section '
        "may be is 1,000. Split it into two sections.</p>"
    )
    assert at_the_limit.status_code == 200
    assert at_the_limit.content.decode().startswith("<p>Weak muscles.")


def test_rendering_that_runs_too_long_fails_with_a_message(client, author, settings):
    settings.CONDINFO_RENDER_TIME_LIMIT = 0.2
    handler_before = signal.getsignal(signal.SIGALRM)
    explainer = make_explainer(author=author, sections=[SLOW_MARKDOWN])
    client.force_login(author)

    started = time.monotonic()
    with pytest.raises(
        RenderingTooSlow, match=r"^This text took too long to prepare; it was stopped after 0\.2 seconds"
    ):
        render_markdown(SLOW_MARKDOWN)
    assert time.monotonic() - started < 1.5
    preview = client.post(reverse("markdownx_markdownify"), {"content": SLOW_MARKDOWN})
    with pytest.raises(TransitionNotAllowed, match="was not submitted. This text took too long to prepare"):
        explainer.submit_for_review(by=author)

    assert preview.status_code == 422
    assertContains(preview, "No preview: This text took too long to prepare", status_code=422)
    assert not explainer.versions.exists()
    assert signal.getsignal(signal.SIGALRM) == handler_before
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert render_markdown("*Still* fine.") == "<p><em>Still</em> fine.</p>"


def test_rendering_in_another_thread_runs_without_the_timer(settings):
    """SIGALRM reaches only the main thread (gunicorn's sync workers); runserver's threads render as before."""
    settings.CONDINFO_RENDER_TIME_LIMIT = 0.01
    rendered = []

    thread = threading.Thread(target=lambda: rendered.append(render_markdown("*Fine* " * 2000)))
    thread.start()
    thread.join()

    assert rendered and rendered[0].startswith("<p><em>Fine</em>")


def test_text_nested_too_deeply_to_render_fails_with_a_message(client, author, monkeypatch):
    class TooDeep:
        def convert(self, text):
            raise RecursionError("maximum recursion depth exceeded")  # as a few hundred nested lists do

    monkeypatch.setattr(rendering, "_markdown", TooDeep)
    explainer = make_explainer(author=author)
    client.force_login(author)

    preview = client.post(reverse("markdownx_markdownify"), {"content": "- deep"})
    with pytest.raises(TransitionNotAllowed, match="was not submitted. This text is nested too deeply to prepare"):
        explainer.submit_for_review(by=author)

    assertContains(preview, "No preview: This text is nested too deeply to prepare", status_code=422)


def test_too_many_fields_shows_the_form_again_with_a_message(client, author):
    explainer = make_explainer(author=author, sections=["Causes\n\nShort."])
    rows = [section_row(f"Section number {n} of many.", heading=f"Part {n}", position=n) for n in range(101)]
    client.force_login(author)

    response = client.post(change_url(explainer), explainer_form_data(explainer, sections=rows))

    assert response.status_code == 200
    assertContains(response, "An explainer can have at most 100 sections: merge some, or split the explainer in two.")
    assertContains(response, "Section number 100 of many.")
    assert list(explainer.sections.values_list("body", flat=True)) == ["Short."]


def signed_in_with_csrf_checks(user, explainer):
    """Return a client that checks CSRF tokens as a browser's requests are checked, and the change form's token."""
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    browser.get(change_url(explainer))
    return browser, browser.cookies[settings.CSRF_COOKIE_NAME].value


def test_a_form_too_large_to_read_gets_a_page_saying_nothing_was_saved(author):
    explainer = make_explainer(author=author, sections=["Causes\n\nShort."])
    browser, token = signed_in_with_csrf_checks(author, explainer)
    rows = [section_row(f"Part {n}.", heading="", position=n) for n in range(300)]  # about 1,800 fields

    response = browser.post(
        change_url(explainer), {**explainer_form_data(explainer, sections=rows), "csrfmiddlewaretoken": token}
    )

    assert response.status_code == 400
    assertContains(response, "Nothing was saved: the site could not read this form", status_code=400)
    assertContains(response, f"more than {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS:,} fields", status_code=400)
    assert list(explainer.sections.values_list("body", flat=True)) == ["Short."]


def test_a_form_with_more_text_than_the_site_reads_gets_a_page_saying_nothing_was_saved(author, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    explainer = make_explainer(author=author, sections=["Causes\n\nShort."])
    section = explainer.sections.get()
    browser, token = signed_in_with_csrf_checks(author, explainer)
    data = explainer_form_data(explainer, sections=[section_row(words(20_000), section=section)])

    response = browser.post(change_url(explainer), {**data, "csrfmiddlewaretoken": token})

    assertContains(response, "because it sent more than 9.8\xa0KB of text", status_code=400)
    assert list(explainer.sections.values_list("body", flat=True)) == ["Short."]


def test_the_change_form_still_checks_the_csrf_token(author):
    explainer = make_explainer(author=author, sections=["Causes\n\nShort."])
    browser, token = signed_in_with_csrf_checks(author, explainer)
    data = explainer_form_data(explainer, experience_count=99)

    assert browser.post(change_url(explainer), data).status_code == 403
    assert browser.post(change_url(explainer), {**data, "csrfmiddlewaretoken": token}).status_code == 302
    explainer.refresh_from_db()
    assert explainer.experience_count == 99


def test_the_fullest_form_the_admin_builds_stays_under_the_field_limit(client, author):
    explainer = make_explainer(author=author, sections=["Causes\n\nShort."], sources=["A paper."])
    client.force_login(author)

    names = re.findall(r'name="([^"]+)"', client.get(change_url(explainer)).text)
    per_section = {name for name in names if name.startswith("sections-0-")} | {"sections-0-DELETE"}
    per_source = {name for name in names if name.startswith("sources-0-")} | {"sources-0-DELETE"}
    others = [name for name in names if not name.startswith(("sections-0-", "sources-0-"))]

    fullest = len(others) + len(per_section) * SectionInline.max_num + len(per_source) * SourceInline.max_num
    assert fullest <= settings.DATA_UPLOAD_MAX_NUMBER_FIELDS, fullest


def test_the_limits_are_site_settings_recorded_with_history(client, superuser):
    site = SiteSettings.load()
    assert (site.max_section_length, site.max_explainer_length) == (50_000, 200_000)
    url = reverse("admin:explainers_sitesettings_change", args=[site.pk])
    fields = {f.name: getattr(site, f.name) for f in SiteSettings._meta.fields if f.editable and not f.primary_key}
    client.force_login(superuser)

    too_small = client.post(url, {**fields, "max_section_length": 10})
    section_longer_than_explainer = client.post(url, {**fields, "max_section_length": 300_000})
    changed = client.post(url, {**fields, "max_section_length": 40_000, "max_explainer_length": 150_000})

    assertContains(too_small, "Ensure this value is greater than or equal to 1000.")
    assertContains(section_longer_than_explainer, "A section cannot be allowed to be longer than a whole explainer.")
    assert changed.status_code == 302
    rows = SiteSettingsChange.objects.order_by("pk").values_list("field", "old_value", "new_value", "actor")
    assert list(rows) == [
        ("max_section_length", "50000", "40000", superuser.pk),
        ("max_explainer_length", "200000", "150000", superuser.pk),
    ]
    assertContains(client.get(url), "The most characters one section may have")
    call_command("verify_records", verbosity=0)
    assertNotContains(client.get(url), "errornote")


def test_a_section_at_the_limit_saves(client, author, limits):
    explainer = make_explainer(author=author, sections=["Causes\n\nShort."])
    section = explainer.sections.get()
    client.force_login(author)

    response = client.post(
        change_url(explainer), explainer_form_data(explainer, sections=[section_row(words(1000), section=section)])
    )

    assert response.status_code == 302
    assert len(Section.objects.get(pk=section.pk).body) == 1000
