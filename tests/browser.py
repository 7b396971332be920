"""
Shared Playwright set-up for the browser tests: Debian's Chromium, screenshots under artifacts/.

tests/conftest.py loads this module as a plugin, so its fixtures (``chromium``, ``open_page``) are available to every
test; mark tests that use them ``browser``.
Under CI (CI=true) a missing Chromium fails the tests: a green run must mean the pages were checked.
"""

import os
import re
from pathlib import Path

import pytest
from django.test.utils import override_settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
# A phone held upright and a laptop: the two layouts the public pages are designed for.
WIDTHS = {"phone": 390, "desktop": 1280}


def in_ci():
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require(available, reason):
    """Skip locally, fail under CI, when a tool the test needs is missing."""
    if available:
        return
    if in_ci():
        pytest.fail(f"{reason} (CI=true, so this is a failure, not a skip)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session", autouse=True)
def _live_server_speaks_plain_http():
    """Keep HTTPS redirects off for the whole session, not just per test.

    The live server builds its middleware once, when the first test that uses it starts, and that
    happens before the per-test settings fixture in conftest.py applies.
    """
    with override_settings(SECURE_SSL_REDIRECT=False, SESSION_COOKIE_SECURE=False, CSRF_COOKIE_SECURE=False):
        yield


@pytest.fixture(scope="session")
def chromium():
    """Launch Debian's Chromium once per test session."""
    require(CHROMIUM.exists(), f"{CHROMIUM} is missing: install it with `apt-get install chromium`")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread, and Django refuses database
    # access while one runs unless told the calling code is synchronous (it is).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def open_page(chromium):
    """Return a function that opens a new page at a given viewport width; pages close after the test."""
    contexts = []

    def open_page(width=WIDTHS["desktop"], height=900):
        # The site's Content Security Policy stays on, so pages are tested as browsers enforce it;
        # page.evaluate (used by axe-core) is not subject to it.
        context = chromium.new_context(
            viewport={"width": width, "height": height}, locale="en-GB", timezone_id="Europe/London"
        )
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def screenshot(page, name):
    """Save a full-page screenshot as artifacts/screenshots/<name>.png and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', name).strip('-')}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def describe_violations(violations):
    """Return axe-core's violations as lines a person can act on: the rule, its help, and where."""
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}\n  {violation['helpUrl']}")
        for node in violation["nodes"]:
            summary = " ".join(node.get("failureSummary", "").split())
            lines.append(f"  at {' '.join(map(str, node['target']))}: {summary}")
    return "\n".join(lines)


def page_problems(page, address, *, status, site_url, name, ignore_failed=lambda response: False):
    """Open ``address`` in ``page`` and return what is wrong with it, every problem at once.

    A status other than ``status``, a resource that failed to load (other than those
    ``ignore_failed`` excuses), anything the Content Security Policy blocked, no stylesheet of the
    site's own (``site_url``), and axe-core's violations. A screenshot ``name`` is kept.
    """
    from axe_playwright_python.sync_playwright import Axe

    broken, blocked = {}, []
    page.on("console", lambda message: "Content Security Policy" in message.text and blocked.append(message.text))
    page.on("requestfailed", lambda request: broken.setdefault(request.url, request.failure))
    page.on(
        "response",
        lambda response: (
            response.status >= 400 and not ignore_failed(response) and broken.setdefault(response.url, response.status)
        ),
    )
    response = page.goto(address, wait_until="load")
    screenshot(page, name)
    stylesheets = page.evaluate(  # same-origin sheets that loaded and hold rules
        "() => Array.from(document.styleSheets).filter(sheet => sheet.href && sheet.cssRules.length).map(s => s.href)"
    )
    violations = Axe().run(page).response["violations"]

    problems = []
    if response.status != status:
        problems.append(f"The page answered {response.status}, not {status}.")
    if broken:
        problems.append("Resources failed to load:\n" + "\n".join(f"  {url} ({why})" for url, why in broken.items()))
    if blocked:
        problems.append("The Content Security Policy blocked:\n" + "\n".join(f"  {text}" for text in blocked))
    if not any(href.startswith(site_url) for href in stylesheets):
        problems.append("The page loads no stylesheet of its own.")
    if violations:
        problems.append(f"axe-core violations:\n{describe_violations(violations)}")
    return problems
