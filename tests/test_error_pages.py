"""
The site's own error pages, and public addresses that answer only GET and HEAD.

A bad Host header, a refused form, a forbidden page, a missing page, a method a public address does
not take and a fault in the code each get the site's own page: plain words, a way home, valid HTML,
no axe-core violation and nothing the Content Security Policy blocks. A bad Host costs one log line,
not a traceback. (The 404 page is also checked with the public pages in test_accessibility.py.)
"""

import logging

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import path, resolve
from pytest_django.asserts import assertContains, assertNotContains

import condinfo.urls
import explainers.urls
from tests.browser import WIDTHS, page_problems
from tests.nu_checker import describe, nu_checker_errors


def a_view_with_a_fault(request):
    raise RuntimeError("A fault in the code.")


def a_view_for_staff_only(request):
    raise PermissionDenied("Staff only.")


urlpatterns = [
    path("fault/", a_view_with_a_fault),
    path("staff-only/", a_view_for_staff_only),
    *condinfo.urls.urlpatterns,
]

# An address for every public route. It need not exist: the method is refused before anything is looked up.
PUBLIC_ADDRESSES = {
    "explainers:home": "/",
    "explainers:condition_index": "/conditions/",
    "explainers:condition_letter": "/conditions/letter/a/",
    "explainers:condition": "/conditions/no-such-condition/",
    "explainers:explainer": "/conditions/no-such-condition/no-such-question/",
    "explainers:explainer_history": "/conditions/no-such-condition/no-such-question/history/",
    "explainers:reviewer": "/reviewers/nobody/",
    "explainers:author": "/authors/nobody/",
    "explainers:search": "/search/",
    "explainers:editorial_policy": "/about/editorial-policy/",
    "explainers:reviewed_feed": "/feeds/reviewed/",
    "sitemap": "/sitemap.xml",
    "sitemap_section": "/sitemap-pages.xml",
    "robots_txt": "/robots.txt",
}
OTHER_METHODS = ["POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"]
BAD_HOST = "attacker.example"

# (status, how to get the page) for each error page, through the whole middleware stack.
ERROR_PAGES = {
    "bad-request": (400, lambda: Client().get("/", HTTP_HOST=BAD_HOST)),
    "forbidden": (403, lambda: Client().get("/staff-only/")),
    "csrf-failure": (403, lambda: Client(enforce_csrf_checks=True).post("/admin/login/", {"username": "someone"})),
    "method-not-allowed": (405, lambda: Client(enforce_csrf_checks=True).delete("/")),
    "server-error": (500, lambda: Client(raise_request_exception=False).get("/fault/")),
}


def console_lines(records):
    """Return the lines the console log handler writes for ``records``."""
    console = next(handler for handler in logging.getLogger().handlers if handler.get_name() == "console")
    return [line for record in records for line in console.format(record).splitlines()]


@pytest.mark.parametrize("page_cache", [False, True], ids=["page-cache-off", "page-cache-on"])
def test_a_bad_host_gets_the_sites_400_page_and_one_log_line(client, settings, caplog, page_cache):
    settings.PAGE_CACHE = page_cache  # no database fixture: outside a transaction, as in production
    response = client.get("/", HTTP_HOST=BAD_HOST)
    assertContains(response, "Sorry, this request could not be understood", status_code=400)
    assertContains(response, 'href="/">go to the home page</a>', status_code=400)
    assert console_lines(caplog.records) == [
        f"Invalid HTTP_HOST header: '{BAD_HOST}'. You may need to add '{BAD_HOST}' to ALLOWED_HOSTS."
    ]


def test_delete_on_a_public_page_gets_405_not_a_csrf_403():
    response = Client(enforce_csrf_checks=True).delete("/about/editorial-policy/")
    assertContains(response, "This page can only be read", status_code=405)
    assert response["Allow"] == "GET, HEAD"
    assert "style-src 'self'" in response["Content-Security-Policy"]


@pytest.mark.parametrize("method", ["OPTIONS", "TRACE"])
def test_options_and_trace_get_405(client, method):
    response = client.generic(method, "/")
    assertContains(response, "This page can only be read", status_code=405)
    assert response["Allow"] == "GET, HEAD"


@pytest.mark.parametrize("method", OTHER_METHODS)
@pytest.mark.parametrize("address", PUBLIC_ADDRESSES.values(), ids=PUBLIC_ADDRESSES.keys())
def test_every_public_address_answers_other_methods_with_405_without_touching_the_database(address, method):
    response = Client(enforce_csrf_checks=True).generic(method, address)
    assertContains(response, "<h1>This page can only be read</h1>", status_code=405, html=True)
    assert response["Allow"] == "GET, HEAD"


def test_every_public_route_is_among_the_addresses_checked():
    public_routes = {f"explainers:{pattern.name}" for pattern in explainers.urls.urlpatterns}
    public_routes |= {"sitemap", "sitemap_section", "robots_txt"}
    assert set(PUBLIC_ADDRESSES) == public_routes
    assert {name: resolve(address).view_name for name, address in PUBLIC_ADDRESSES.items()} == {
        name: name for name in PUBLIC_ADDRESSES
    }


@pytest.mark.parametrize("address", ["/", "/feeds/reviewed/", "/sitemap.xml", "/robots.txt"])
def test_get_and_head_are_still_answered(client, db, address):
    assert client.get(address).status_code == 200
    assert client.head(address).status_code == 200


def test_a_csrf_failure_gets_the_sites_own_403_page(db):
    response = Client(enforce_csrf_checks=True).post("/admin/login/", {"username": "someone", "password": "a guess"})
    assertContains(response, "<h1>Your form could not be sent</h1>", status_code=403, html=True)
    assertContains(response, 'href="/">Go to the home page</a>', status_code=403)
    assertNotContains(response, "CSRF verification failed", status_code=403)
    assertNotContains(response, "<style", status_code=403)


@pytest.mark.urls(__name__)
def test_a_forbidden_page_gets_the_sites_403(client, db):
    response = client.get("/staff-only/")
    assertContains(response, "<h1>You cannot open this page</h1>", status_code=403, html=True)
    assertNotContains(response, "Your form could not be sent", status_code=403)


def test_a_missing_page_gets_the_sites_404(client, db):
    response = client.get("/no-such-page/")
    assertContains(response, "<h1>Page not found</h1>", status_code=404, html=True)
    assertContains(response, 'href="/">go to the home page</a>', status_code=404)


@pytest.mark.urls(__name__)
def test_a_server_error_gets_the_sites_500_and_its_traceback_is_logged(client, db, caplog):
    client.raise_request_exception = False
    response = client.get("/fault/")
    assertContains(response, "<h1>Sorry, something went wrong</h1>", status_code=500, html=True)
    assertContains(response, 'href="/">go to the home page</a>', status_code=500)
    [logged] = [record for record in caplog.records if record.name == "django.request"]
    assert "RuntimeError: A fault in the code." in console_lines([logged])[-1]


@pytest.mark.urls(__name__)
def test_every_error_page_is_valid_html(db, tmp_path):
    for name, (status, fetch) in ERROR_PAGES.items():
        response = fetch()
        assert response.status_code == status, name
        (tmp_path / f"{name}.html").write_bytes(response.content)
    errors = nu_checker_errors(sorted(tmp_path.iterdir()))
    assert errors == [], f"The Nu HTML Checker found {len(errors)} errors:\n{describe(errors)}"


@pytest.mark.browser
@pytest.mark.urls(__name__)
@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
@pytest.mark.parametrize("name", ERROR_PAGES)
def test_every_error_page_has_no_axe_violations_and_loads_its_styles(live_server, open_page, name, width):
    status, fetch = ERROR_PAGES[name]
    answer = fetch()
    headers = dict(answer.headers)
    # A bad Host is refused before the CSP middleware runs; the page must still pass the policy every page has.
    headers.setdefault("Content-Security-Policy", ERROR_PAGES["method-not-allowed"][1]()["Content-Security-Policy"])
    # Chromium gets Django's exact answer at an address on the live server, so the page's stylesheet and
    # images load from there as they would on the site.
    address = f"{live_server.url}/{name}/"
    page = open_page(width=width)
    page.route(address, lambda route: route.fulfill(status=answer.status_code, headers=headers, body=answer.content))
    problems = page_problems(
        page,
        address,
        status=status,
        site_url=live_server.url,
        name=f"error-{name}-{width}",
        ignore_failed=lambda response: response.url == address,  # the page's own status
    )
    assert not problems, f"{name} at {width}px:\n" + "\n".join(problems)
