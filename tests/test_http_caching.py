"""
Public pages carry what browsers and a CDN need to keep them briefly and revalidate them cheaply:
Cache-Control with s-maxage and stale-while-revalidate, an ETag and a Last-Modified date answered
with 304, and Vary. Nothing personal (signed-in pages, the admin, a page setting a cookie) is
ever marked public.
"""

import datetime
from unittest import mock

import pytest
from django.contrib import messages
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import Client
from django.urls import path
from django.utils.cache import get_max_age
from django.utils.http import http_date, parse_http_date
from pytest_django.asserts import assertContains

from explainers.models import SiteSettings
from tests.factories import make_explainer, make_published_explainer, make_user, publish

NOON = datetime.datetime(2026, 3, 2, 12, 0, 0, tzinfo=datetime.UTC)  # 12:00 in London, in winter
A_MINUTE_LATER = NOON + datetime.timedelta(minutes=1)
TWO_MINUTES_LATER = NOON + datetime.timedelta(minutes=2)

pytestmark = pytest.mark.usefixtures("page_cache_on")


def at(moment):
    """Run requests as if it were ``moment``."""
    return mock.patch("django.utils.timezone.now", return_value=moment)


def directives(response):
    return {part.strip() for part in response["Cache-Control"].split(",")}


def vary(response):
    return {part.strip() for part in response["Vary"].split(",")}


def test_a_public_page_lets_browsers_and_shared_caches_keep_it_briefly(client, db):
    explainer = make_published_explainer()
    with at(NOON):
        response = client.get(explainer.get_absolute_url())
    assert directives(response) == {"public", "max-age=60", "s-maxage=300", "stale-while-revalidate=60"}
    assert {"Cookie", "Accept-Encoding"} <= vary(response)
    assert response["ETag"].startswith('"')
    assert parse_http_date(response["Last-Modified"]) <= NOON.timestamp()


def test_cache_lifetimes_come_from_the_settings(client, db, settings):
    settings.CACHE_CONTROL_MAX_AGE, settings.CACHE_CONTROL_S_MAXAGE = 30, 120
    settings.CACHE_CONTROL_STALE_WHILE_REVALIDATE = 10
    with at(NOON):
        response = client.get("/")
    assert directives(response) == {"public", "max-age=30", "s-maxage=120", "stale-while-revalidate=10"}


def test_no_cache_keeps_a_public_page_past_midnight(client, db):
    half_a_minute_to_midnight = datetime.datetime(2026, 3, 2, 23, 59, 30, tzinfo=datetime.UTC)
    with at(half_a_minute_to_midnight):
        response = client.get("/")
    assert directives(response) == {"public", "max-age=30", "s-maxage=30", "stale-while-revalidate=0"}


def test_a_browser_revalidating_with_the_etag_gets_304(client, db):
    explainer = make_published_explainer()
    with at(NOON):
        first = client.get(explainer.get_absolute_url())
        again = client.get(explainer.get_absolute_url(), headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]
    assert "public" in directives(again)


def test_a_cache_revalidating_with_the_date_gets_304_and_a_stale_date_gets_the_page(client, db):
    explainer = make_published_explainer()
    with at(NOON):
        first = client.get(explainer.get_absolute_url())
        same = client.get(explainer.get_absolute_url(), headers={"if-modified-since": first["Last-Modified"]})
        earlier = http_date(parse_http_date(first["Last-Modified"]) - 1)
        older = client.get(explainer.get_absolute_url(), headers={"if-modified-since": earlier})
    assert same.status_code == 304
    assert older.status_code == 200


def test_a_head_request_gets_the_same_headers_as_a_get(client, db):
    explainer = make_published_explainer()
    with at(NOON):
        get = client.get(explainer.get_absolute_url())
        head = client.head(explainer.get_absolute_url())
    assert head.status_code == 200
    assert head.content == b""
    assert head["ETag"] == get["ETag"]
    assert head["Cache-Control"] == get["Cache-Control"]


def test_a_cached_page_keeps_its_etag_and_date_and_still_answers_304(client, roles, django_assert_num_queries):
    with at(NOON):
        explainer = make_published_explainer()
    with at(A_MINUTE_LATER):
        first = client.get(explainer.get_absolute_url())
        with django_assert_num_queries(0):
            cached = client.get(explainer.get_absolute_url())
            not_modified = client.get(explainer.get_absolute_url(), headers={"if-none-match": first["ETag"]})
    assert (cached["ETag"], cached["Last-Modified"]) == (first["ETag"], first["Last-Modified"])
    assert not_modified.status_code == 304


def test_a_page_from_the_cache_says_what_browsers_and_shared_caches_may_keep_like_a_fresh_one(client, roles):
    with at(NOON):
        explainer = make_published_explainer()
    with at(A_MINUTE_LATER):
        fresh = client.get(explainer.get_absolute_url())
        cached = client.get(explainer.get_absolute_url())
    with at(A_MINUTE_LATER + datetime.timedelta(seconds=30)):
        later = client.get(explainer.get_absolute_url())
    for response in (fresh, cached, later):
        assert directives(response) == {"public", "max-age=60", "s-maxage=300", "stale-while-revalidate=60"}
        assert {"Cookie", "Accept-Encoding"} <= vary(response)
        assert response["Last-Modified"] == fresh["Last-Modified"]


def test_a_published_change_gets_a_new_etag_and_date_so_revalidation_fetches_it(client, roles):
    with at(NOON):
        explainer = make_explainer(sections=["The first wording."])
        publish(explainer)
    with at(A_MINUTE_LATER):
        first = client.get(explainer.get_absolute_url())
        section = explainer.sections.get()
        section.body = "The second wording."
        section.save()
        explainer.record_edit(by=explainer.created_by)
        publish(explainer)
    with at(TWO_MINUTES_LATER):
        by_etag = client.get(explainer.get_absolute_url(), headers={"if-none-match": first["ETag"]})
        by_date = client.get(explainer.get_absolute_url(), headers={"if-modified-since": first["Last-Modified"]})
    assertContains(by_etag, "The second wording.")
    assertContains(by_date, "The second wording.")
    assert parse_http_date(by_date["Last-Modified"]) > parse_http_date(first["Last-Modified"])


def test_two_changes_in_one_second_never_share_a_last_modified_date(client, roles):
    with at(NOON):
        page = make_published_explainer().get_absolute_url()
    site_settings = SiteSettings.load()
    with at(A_MINUTE_LATER):
        site_settings.disclaimer = "A first new disclaimer."
        site_settings.save_with_history(by=make_user())
        before = client.get(page)
        site_settings.disclaimer = "A second new disclaimer, in the same second."
        site_settings.save_with_history(by=make_user())
        during = client.get(page)
    with at(A_MINUTE_LATER + datetime.timedelta(seconds=1)):
        after = client.get(page)
    assert parse_http_date(before["Last-Modified"]) == A_MINUTE_LATER.timestamp()
    assert "Last-Modified" not in during  # its second has not begun: the ETag alone validates the page
    assert during["ETag"] != before["ETag"]
    assert parse_http_date(after["Last-Modified"]) == A_MINUTE_LATER.timestamp() + 1


def test_signed_in_staff_get_private_pages_that_browsers_must_revalidate(client, db):
    explainer = make_published_explainer()
    client.force_login(make_user("Publishers"))
    response = client.get(explainer.get_absolute_url())
    assert directives(response) == {"private", "no-cache"}
    assert "Cookie" in vary(response)


def test_the_admin_is_never_cached(client, db):
    response = client.get("/admin/login/")
    assert "public" not in directives(response)
    assert {"private", "no-store"} <= directives(response)
    assert get_max_age(response) == 0


def a_page_with_a_form(request):
    get_token(request)  # what {% csrf_token %} does
    return HttpResponse("<form method='post'></form>")


def a_page_with_a_message(request):
    messages.info(request, "Thank you for your report.")
    return HttpResponse("<p>Thanks</p>")


def a_plain_page(request):
    return HttpResponse("<p>Hello</p>")


urlpatterns = [path("", a_plain_page), path("form/", a_page_with_a_form), path("thanks/", a_page_with_a_message)]


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("page", ["/form/", "/thanks/"], ids=["csrf-cookie", "message-cookie"])
def test_a_page_setting_a_cookie_is_neither_public_nor_stored(transactional_db, page):
    first = Client().get(page)
    assert first.cookies
    assert directives(first) == {"private", "no-cache"}
    second = Client().get(page)
    assert second.cookies, "the second visitor got their own page, not the first one's"


@pytest.mark.urls(__name__)
def test_a_visitor_with_messages_waiting_gets_a_private_page(client, db):
    client.get("/thanks/")  # leaves the message in a cookie
    assert client.cookies["messages"].value
    response = client.get("/")
    assert directives(response) == {"private", "no-cache"}
