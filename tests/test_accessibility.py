"""
Every public page type passes axe-core in Chromium at phone and desktop widths, and the Nu HTML Checker.

Screenshots of each page land in artifacts/screenshots/ for a human look.
"""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse

from tests.browser import WIDTHS, require, screenshot

VNU_JAR = Path(__file__).resolve().parent.parent / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def after_a_minor_change(demo):
    """Approve and publish a minor change of the demo page, so it names both approvers."""
    from django.contrib.auth.models import User

    from explainers.models import ReviewKind
    from tests.factories import make_reviewer

    author, publisher = User.objects.get(username="author"), User.objects.get(username="publisher")
    section = demo.sections.first()
    section.body += " Most people live full lives with treatment."
    section.save()
    demo.record_edit(by=author)
    version = demo.submit_for_review(by=author)
    demo.approve(by=make_reviewer(display_name="Dr Minor Change").user, version=version, kind=ReviewKind.MINOR)
    demo.publish(by=publisher, version=version)
    demo.refresh_from_db()
    return demo.get_absolute_url()


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


# (name, how to find the page from the demo explainer, the status the page answers with)
PAGES = [
    ("home", lambda demo: reverse("explainers:home"), 200),
    ("condition-index", lambda demo: reverse("explainers:condition_index"), 200),
    ("condition", lambda demo: demo.published_version.condition.get_absolute_url(), 200),
    ("explainer", lambda demo: demo.get_absolute_url(), 200),
    ("explainer-minor-change", after_a_minor_change, 200),
    ("condition-letter", lambda demo: reverse("explainers:condition_letter", args=["d"]), 200),
    ("reviewer", lambda demo: demo.public_review.reviewer.get_absolute_url(), 200),
    ("reviewer-page-2", lambda demo: with_25_more_answers(demo).get_absolute_url() + "?page=2", 200),
    ("search-results", lambda demo: reverse("explainers:search") + "?q=immune+system", 200),
    (
        "search-results-paginated",
        lambda demo: with_25_more_answers(demo) and reverse("explainers:search") + "?q=immune+system+age",
        200,
    ),
    ("search-no-matches", lambda demo: reverse("explainers:search") + "?q=xylophone", 200),
    ("search-empty", lambda demo: reverse("explainers:search"), 200),
    ("editorial-policy", lambda demo: reverse("explainers:editorial_policy"), 200),
    ("not-found", lambda demo: "/conditions/no-such-condition/", 404),
]


def describe_violations(violations):
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}\n  {violation['helpUrl']}")
        for node in violation["nodes"]:
            summary = " ".join(node.get("failureSummary", "").split())
            lines.append(f"  at {' '.join(map(str, node['target']))}: {summary}")
    return "\n".join(lines)


@pytest.mark.browser
@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
@pytest.mark.parametrize(("name", "path_of", "status"), PAGES, ids=[page[0] for page in PAGES])
def test_public_page_has_no_axe_violations_and_loads_its_styles(
    live_server, roles, demo, open_page, name, path_of, status, width
):
    from axe_playwright_python.sync_playwright import Axe

    page = open_page(width=width)
    broken, blocked = {}, []
    page.on("console", lambda message: "Content Security Policy" in message.text and blocked.append(message.text))
    page.on("requestfailed", lambda request: broken.setdefault(request.url, request.failure))
    page.on(
        "response",
        lambda response: (
            response.status >= 400
            and response.request.resource_type != "document"
            and broken.setdefault(response.url, response.status)
        ),
    )

    response = page.goto(live_server.url + path_of(demo), wait_until="load")
    screenshot(page, f"{name}-{width}")
    stylesheets = page.evaluate(  # same-origin sheets that loaded and hold rules
        "() => Array.from(document.styleSheets).filter(sheet => sheet.href && sheet.cssRules.length).map(s => s.href)"
    )
    violations = Axe().run(page).response["violations"]

    # Gather every problem before asserting, so one run reports all of them.
    problems = []
    if response.status != status:
        problems.append(f"The page answered {response.status}, not {status}.")
    if broken:
        problems.append("Resources failed to load:\n" + "\n".join(f"  {url} ({why})" for url, why in broken.items()))
    if blocked:
        problems.append("The Content Security Policy blocked:\n" + "\n".join(f"  {text}" for text in blocked))
    if not any(href.startswith(live_server.url) for href in stylesheets):
        problems.append("The page loads no stylesheet of its own.")
    if violations:
        problems.append(f"axe-core violations:\n{describe_violations(violations)}")
    assert not problems, f"{name} at {width}px:\n" + "\n".join(problems)


def test_every_public_page_is_valid_html(client, demo, tmp_path):
    java = shutil.which("java")
    require(java and VNU_JAR.exists(), "The Nu HTML Checker needs java and node_modules/vnu-jar: run `npm ci`")
    for name, path_of, status in PAGES:
        response = client.get(path_of(demo))
        assert response.status_code == status, name
        (tmp_path / f"{name}.html").write_bytes(response.content)

    # One Java start for every page: the checker takes a second or two to boot.
    result = subprocess.run(
        [
            java,
            "-jar",
            str(VNU_JAR),
            "--format",
            "json",
            "--stdout",
            "--exit-zero-always",
            *sorted(map(str, tmp_path.iterdir())),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    messages = json.loads(result.stdout)["messages"]
    errors = [m for m in messages if m["type"] in ("error", "non-document-error")]
    report = "\n".join(
        f"{Path(m.get('url', '')).name}:{m.get('lastLine', '?')}: {m['message']}  [{m.get('extract', '').strip()}]"
        for m in errors
    )
    assert errors == [], f"The Nu HTML Checker found {len(errors)} errors:\n{report}"
