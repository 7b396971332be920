"""
Every public page type passes axe-core in Chromium at phone and desktop widths, and the Nu HTML Checker.

Screenshots of each page land in artifacts/screenshots/ for a human look.
"""

import pytest
from django.urls import reverse

from tests.browser import WIDTHS, page_problems
from tests.nu_checker import describe, nu_checker_errors


def after_a_minor_change(demo):
    """Approve and publish a minor change of the demo page, so it names both approvers."""
    from django.contrib.auth.models import User

    from explainers.models import GetHelpLevel, ReviewKind
    from tests.factories import make_reviewer

    demo.refresh_from_db()
    if demo.published_review.kind == ReviewKind.MINOR:  # one check asks twice: the page and its history
        return demo.get_absolute_url()
    author, publisher = User.objects.get(username="author"), User.objects.get(username="publisher")
    section = demo.sections.first()
    section.body += " Most people live full lives with treatment."
    section.save()
    demo.get_help_level = GetHelpLevel.EMERGENCY  # every block the page can carry, for the checks
    demo.get_help_text = "If you suddenly find it hard to swallow or breathe."
    demo.save(update_fields=["get_help_level", "get_help_text"])
    demo.record_edit(by=author)
    version = demo.submit_for_review(by=author, change_summary="Added that most people live full lives with treatment.")
    demo.approve(
        by=make_reviewer(display_name="Dr Minor Change").user,
        version=version,
        kind=ReviewKind.MINOR,
        correction_note="An earlier version said the condition is always inherited.",
    )
    demo.publish(by=publisher, version=version)
    demo.refresh_from_db()
    return demo.get_absolute_url()


def history_url(demo):
    version = demo.published_version
    return reverse("explainers:explainer_history", args=[version.condition.slug, version.slug])


def with_25_more_answers(demo):
    """Publish 25 more answers about the immune system, reviewed by the demo's reviewer: two pages' worth."""
    from explainers.models import Explainer
    from tests.factories import make_explainer, publish

    reviewer = demo.public_review.reviewer
    if Explainer.objects.filter(slug__startswith="immune-system-and-age-").exists():  # one check asks twice
        return reviewer
    for n in range(1, 26):
        explainer = make_explainer(
            condition=demo.published_version.condition,
            question=f"How does the immune system change with age (part {n})?",
            slug=f"immune-system-and-age-{n}",
            tldr="Slowly, and differently for each person.",
            sections=["The immune system changes slowly over a lifetime."],
        )
        publish(explainer, reviewer=reviewer)
    return reviewer


def superseded_verify_url(demo):
    """The verification page of the demo's first published text, superseded by a minor change."""
    from explainers.models import EventAction

    after_a_minor_change(demo)
    first = demo.events.filter(action=EventAction.PUBLISHED).order_by("pk").first().version
    return reverse("verification:verify", args=[first.content_hash])


def under_review(demo):
    """A page flagged for re-review because a source it relies on was superseded."""
    from django.contrib.auth.models import User

    from explainers.models import Explainer, Reference
    from tests.factories import make_explainer, publish

    if (flagged := Explainer.objects.filter(slug="flagged-for-rereview").first()) is not None:
        return flagged.get_absolute_url()
    guideline = Reference.objects.create(citation="NICE. Myositis (NG999). 2019.", url="https://example.org/ng999")
    explainer = make_explainer(
        condition=demo.published_version.condition,
        question="How is it treated?",
        slug="flagged-for-rereview",
        sections=["Treatment\n\nSteroids first, then other medicines."],
    )
    explainer.sources.create(reference=guideline, position=0)
    explainer.record_edit(by=explainer.created_by)
    publish(explainer)
    guideline.mark_superseded(
        by=User.objects.get(username="publisher"),
        replacement=Reference.objects.create(citation="NICE. Myositis (NG999). 2026 update."),
        note="The first-line treatment changed.",
    )
    return Explainer.objects.get(pk=explainer.pk).get_absolute_url()


# (name, how to find the page from the demo explainer, the status the page answers with)
PAGES = [
    ("home", lambda demo: reverse("explainers:home"), 200),
    ("condition-index", lambda demo: reverse("explainers:condition_index"), 200),
    ("condition", lambda demo: demo.published_version.condition.get_absolute_url(), 200),
    ("explainer", lambda demo: demo.get_absolute_url(), 200),
    ("explainer-minor-change", after_a_minor_change, 200),
    ("explainer-under-review", under_review, 200),
    ("condition-letter", lambda demo: reverse("explainers:condition_letter", args=["d"]), 200),
    ("reviewer", lambda demo: demo.public_review.reviewer.get_absolute_url(), 200),
    ("author", lambda demo: reverse("explainers:author", args=["alex-author-demo"]), 200),
    ("reviewer-page-2", lambda demo: with_25_more_answers(demo).get_absolute_url() + "?page=2", 200),
    ("search-results", lambda demo: reverse("explainers:search") + "?q=immune+system", 200),
    (
        "search-results-paginated",
        lambda demo: with_25_more_answers(demo) and reverse("explainers:search") + "?q=immune+system+age",
        200,
    ),
    ("search-no-matches", lambda demo: reverse("explainers:search") + "?q=xylophone", 200),
    ("search-empty", lambda demo: reverse("explainers:search"), 200),
    ("explainer-history", lambda demo: after_a_minor_change(demo) and history_url(demo), 200),
    ("editorial-policy", lambda demo: reverse("explainers:editorial_policy"), 200),
    ("report-form", lambda demo: reverse("reports:report", args=[demo.pk]), 200),
    ("report-received", lambda demo: reverse("reports:received", args=[demo.pk]), 200),
    ("verify-current", lambda demo: reverse("verification:verify", args=[demo.published_version.content_hash]), 200),
    ("verify-superseded", superseded_verify_url, 200),
    ("verify-unknown", lambda demo: reverse("verification:verify", args=["0" * 64]), 404),
    ("not-found", lambda demo: "/conditions/no-such-condition/", 404),
]


@pytest.mark.browser
@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
@pytest.mark.parametrize(("name", "path_of", "status"), PAGES, ids=[page[0] for page in PAGES])
def test_public_page_has_no_axe_violations_and_loads_its_styles(
    live_server, roles, demo, open_page, name, path_of, status, width
):
    problems = page_problems(
        open_page(width=width),
        live_server.url + path_of(demo),
        status=status,
        site_url=live_server.url,
        name=f"{name}-{width}",
        ignore_failed=lambda response: response.request.resource_type == "document",  # the page's own status
    )
    assert not problems, f"{name} at {width}px:\n" + "\n".join(problems)


def test_every_public_page_is_valid_html(client, demo, tmp_path):
    for name, path_of, status in PAGES:
        response = client.get(path_of(demo))
        assert response.status_code == status, name
        (tmp_path / f"{name}.html").write_bytes(response.content)
    errors = nu_checker_errors(sorted(tmp_path.iterdir()))
    assert errors == [], f"The Nu HTML Checker found {len(errors)} errors:\n{describe(errors)}"
