"""
Anonymous visitors are served public pages from the cache, and every change to what a page shows
reaches them at once: publishing, withdrawing, an approval of a condition's details, a reviewer's
profile, the site settings and the passing of midnight. Signed-in staff and POSTs never get a
cached page, and a cache that cannot be reached costs speed, never a page.

The tests are transactional: a request inside an open transaction bypasses the cache (it could
show rows not yet committed), and changes announce themselves only once committed.
"""

import datetime
import logging
import socket
from unittest import mock

import pytest
from django.core.cache import cache, caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from pytest_django.asserts import assertContains, assertNotContains

from core import cache as public_pages
from core.redis_cache import RedisCache
from explainers.models import Condition, Explainer, Reviewer, SiteSettings
from tests.admin_forms import change_url, explainer_form_data
from tests.factories import approve_condition, make_explainer, make_user, publish, today_is

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("roles", "page_cache_on")]

OLD_TEXT = "Nobody knows exactly what causes it."
NEW_TEXT = "Researchers think sunlight can set off a flare."


@pytest.fixture
def explainer():
    explainer = make_explainer(question="What causes dermatomyositis?", sections=[f"Causes\n\n{OLD_TEXT}"])
    publish(explainer)
    return explainer


@pytest.fixture
def staff_client():
    client = Client()
    client.force_login(make_user("Publishers"))
    return client


def served_from_cache(client, path, django_assert_num_queries):
    """Request ``path`` and show it came from the cache: not one database query."""
    with django_assert_num_queries(0):
        response = client.get(path)
    assert response.status_code == 200
    return response


def edit_and_publish(explainer, text):
    section = explainer.sections.get()
    section.body = text
    section.save()
    explainer.record_edit(by=explainer.created_by)
    publish(explainer)


def test_an_unchanged_page_is_served_from_the_cache_without_a_database_query(
    client, explainer, django_assert_num_queries
):
    first = client.get(explainer.get_absolute_url())
    assertContains(first, OLD_TEXT)

    again = served_from_cache(client, explainer.get_absolute_url(), django_assert_num_queries)
    assert again.content == first.content
    for header in ("ETag", "Content-Type", "Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options"):
        assert again[header] == first[header], header


def test_publishing_a_new_version_shows_it_to_the_next_anonymous_visitor(client, explainer, django_assert_num_queries):
    client.get(explainer.get_absolute_url())
    assertContains(served_from_cache(client, explainer.get_absolute_url(), django_assert_num_queries), OLD_TEXT)
    condition_page = explainer.published_version.condition.get_absolute_url()
    client.get(condition_page)

    edit_and_publish(explainer, NEW_TEXT)

    response = client.get(explainer.get_absolute_url())
    assertContains(response, NEW_TEXT)
    assertNotContains(response, OLD_TEXT)
    assertContains(served_from_cache(client, explainer.get_absolute_url(), django_assert_num_queries), NEW_TEXT)


def test_publishing_a_first_explainer_lists_it_on_its_condition_page_at_once(client, explainer):
    condition = explainer.published_version.condition
    newcomer = make_explainer(condition=condition, question="Is dermatomyositis inherited?")
    assertNotContains(client.get(condition.get_absolute_url()), "Is dermatomyositis inherited?")
    assert client.get(newcomer.get_absolute_url()).status_code == 404  # and that answer is cached too

    publish(newcomer)

    assertContains(client.get(condition.get_absolute_url()), "Is dermatomyositis inherited?")
    assert client.get(newcomer.get_absolute_url()).status_code == 200


def test_withdrawing_takes_the_page_and_its_listing_away_at_once(client, explainer, django_assert_num_queries):
    condition = explainer.published_version.condition
    publish(make_explainer(condition=condition, question="Is dermatomyositis inherited?"))
    path, condition_page = explainer.get_absolute_url(), condition.get_absolute_url()
    for page in (path, condition_page):
        client.get(page)
        served_from_cache(client, page, django_assert_num_queries)

    explainer.withdraw(by=make_user("Publishers"), reason="Guidance changed; being rewritten.")

    assert client.get(path).status_code == 404
    listing = client.get(condition_page)
    assertContains(listing, "Is dermatomyositis inherited?")
    assertNotContains(listing, explainer.question)


def test_an_approved_change_to_a_conditions_details_shows_on_its_pages_at_once(client, explainer):
    condition = Condition.objects.get(pk=explainer.published_version.condition.pk)
    assertNotContains(client.get(condition.get_absolute_url()), "An illness of the muscles and skin.")
    client.get(explainer.get_absolute_url())

    condition.name = "Dermatomyositis (DM)"
    condition.description = "An illness of the muscles and skin."
    condition.save()
    condition.record_edit(by=make_user("Authors"))
    unapproved = client.get(condition.get_absolute_url())
    assertNotContains(unapproved, "An illness of the muscles and skin.")  # editing alone changes no public page

    approve_condition(condition)

    assertContains(client.get(condition.get_absolute_url()), "An illness of the muscles and skin.")
    assertContains(client.get(explainer.get_absolute_url()), "Dermatomyositis (DM)")


def test_a_reviewer_profile_change_shows_on_their_page_at_once(client, explainer):
    reviewer = Reviewer.objects.get(pk=explainer.public_review.reviewer_id)
    client.get(reviewer.get_absolute_url())

    reviewer.bio = "Twenty years of treating muscle diseases."
    reviewer.save_with_history(by=make_user())

    assertContains(client.get(reviewer.get_absolute_url()), "Twenty years of treating muscle diseases.")


def test_a_new_count_of_shared_experiences_shows_on_the_page_at_once(client, explainer):
    editor = Client()
    editor.force_login(make_user("Authors"))
    client.get(explainer.get_absolute_url())

    response = editor.post(change_url(explainer), explainer_form_data(explainer, experience_count=77))

    assert response.status_code == 302
    assertContains(client.get(explainer.get_absolute_url()), "77 people with")


def test_a_new_community_size_shows_on_the_condition_and_explainer_pages_at_once(client, explainer):
    editor = Client()
    editor.force_login(make_user("Authors"))
    condition = explainer.condition
    for path in (condition.get_absolute_url(), explainer.get_absolute_url()):
        client.get(path)
    data = {
        "name": condition.name,
        "alternate_names": condition.alternate_names,
        "description": condition.description,
        "community_size": 1234,
    }

    response = editor.post(f"/admin/explainers/condition/{condition.pk}/change/", data)

    assert response.status_code == 302
    for path in (condition.get_absolute_url(), explainer.get_absolute_url()):
        assertContains(client.get(path), "1,234 members")


def test_a_new_disclaimer_shows_on_every_page_at_once(client, explainer, django_assert_num_queries):
    condition_page = explainer.published_version.condition.get_absolute_url()
    for path in (explainer.get_absolute_url(), condition_page):
        client.get(path)
        served_from_cache(client, path, django_assert_num_queries)

    site_settings = SiteSettings.load()
    site_settings.disclaimer = "Ask your own doctor about anything on this page."
    site_settings.save_with_history(by=make_user())

    for path in (explainer.get_absolute_url(), condition_page):
        assertContains(client.get(path), "Ask your own doctor about anything on this page.")


def test_a_page_becomes_overdue_for_review_at_midnight(client, django_assert_num_queries):
    with today_is(datetime.date(2026, 1, 10)):
        explainer = make_explainer(sections=[OLD_TEXT])
        publish(explainer)
    due = Explainer.objects.get(pk=explainer.pk).next_review_due
    path = explainer.get_absolute_url()

    with today_is(due):
        assertNotContains(client.get(path), "overdue for review")
        assertNotContains(served_from_cache(client, path, django_assert_num_queries), "overdue for review")
    with today_is(due + datetime.timedelta(days=1)):
        assertContains(client.get(path), "This page is overdue for review.")


def test_signed_in_staff_always_get_a_freshly_drawn_page(client, staff_client, explainer):
    client.get(explainer.get_absolute_url())
    # A change the cache is not told about (the update skips the models' announcements):
    # anonymous visitors keep the cached page until it expires, staff see the database.
    SiteSettings.load()
    SiteSettings.objects.update(disclaimer="A disclaimer nobody announced.")

    assertNotContains(client.get(explainer.get_absolute_url()), "A disclaimer nobody announced.")
    response = staff_client.get(explainer.get_absolute_url())
    assertContains(response, "A disclaimer nobody announced.")
    assert "private" in response["Cache-Control"]


def test_a_post_is_never_answered_from_the_cache_nor_stored(client, explainer):
    path = explainer.get_absolute_url()
    client.get(path)

    posted = client.post(path)
    assert posted.status_code == 405, "the POST got the cached page"  # public pages answer GET and HEAD only

    cache.clear()
    client.post(path)
    with CaptureQueriesContext(connection) as after_post:
        client.get(path)
    assert after_post.captured_queries, "the POST's response was not stored for the GET"


def closed_port():
    """Return a loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def redis_down():
    """Point the cache at a Redis that refuses connections, as a stopped one does."""
    down = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
    with override_settings(CACHES={"default": down}):
        yield caches["default"]


def cache_warnings(caplog):
    return [record for record in caplog.records if record.levelno == logging.WARNING and record.name.startswith("core")]


def test_with_the_cache_down_pages_come_from_the_database_with_one_warning(client, explainer, redis_down, caplog):
    with caplog.at_level(logging.WARNING):
        response = client.get(explainer.get_absolute_url())

    assertContains(response, OLD_TEXT)
    assert len(cache_warnings(caplog)) == 1, caplog.text
    assert "cannot be reached" in cache_warnings(caplog)[0].getMessage()


def test_with_the_cache_failing_to_store_the_page_is_still_served_with_one_warning(
    client, explainer, redis_down, caplog
):
    # The generation and the page were read (a miss) before the cache went away; storing the page fails.
    answered = (public_pages.Generation(token=1, changed_at=0.0), None)
    with mock.patch("core.cache.current_and_stored", return_value=answered), caplog.at_level(logging.WARNING):
        response = client.get(explainer.get_absolute_url())

    assertContains(response, OLD_TEXT)
    assert len(cache_warnings(caplog)) == 1, caplog.text
    assert "was not stored" in cache_warnings(caplog)[0].getMessage()


def test_with_the_cache_down_an_editor_can_still_publish(client, explainer, redis_down, caplog):
    with caplog.at_level(logging.WARNING):
        edit_and_publish(explainer, NEW_TEXT)

    assertContains(client.get(explainer.get_absolute_url()), NEW_TEXT)


def test_a_change_made_while_the_cache_was_unreachable_is_announced_when_it_answers_again(client, explainer):
    client.get(explainer.get_absolute_url())
    real_set = cache.set

    def unreachable(key, *args, **kwargs):
        if key == public_pages.GENERATION_KEY:
            raise ConnectionError("Redis is restarting")
        return real_set(key, *args, **kwargs)

    with mock.patch.object(caches["default"], "set", side_effect=unreachable):
        edit_and_publish(explainer, NEW_TEXT)

    assertContains(client.get(explainer.get_absolute_url()), NEW_TEXT)


def test_the_redis_cache_keeps_one_client_per_pool_rather_than_building_one_per_call():
    backend = RedisCache("redis://127.0.0.1:6379/15", {})  # no connection is made until a command runs
    assert backend._cache.get_client(write=True) is backend._cache.get_client(write=True)
    assert backend._cache.get_client(write=False) is backend._cache.get_client(write=False)
