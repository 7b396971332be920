"""
Publishing, withdrawing and approving a condition's details purge the pages they change from a
front-end cache (Varnish, nginx), once each and only after the change is committed; a front-end
cache that is down costs a warning, never the editor's action.

The front-end cache is a stub HTTP server on a free loopback port that records PURGE requests.
"""

import logging
import socket
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse

from core import frontend_cache
from explainers.models import Explainer
from tests.factories import approve_condition, make_explainer, make_reviewer, make_user, publish

SITE_WIDE = ["explainers:home", "explainers:condition_index", "explainers:reviewed_feed", "sitemap"]


class PurgeRecorder(BaseHTTPRequestHandler):
    def do_PURGE(self):  # http.server calls do_<METHOD>
        self.server.purges.append((self.path, self.headers["Host"]))
        self.send_response(self.server.answer)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format, *args):
        pass


@pytest.fixture
def front_end_cache(settings):
    """Run a stub front-end cache and configure the site to purge it; return the server (``purges`` it received)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), PurgeRecorder)
    server.purges, server.answer = [], 200
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.FRONTEND_CACHE_BACKEND = "core.frontend_cache.HTTPPurgeBackend"
    settings.FRONTEND_CACHE_PURGE_URLS = [f"http://127.0.0.1:{server.server_port}"]
    settings.SITE_URL = "https://condinfo.example"
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def purged_paths(purges):
    return Counter(path for path, _ in purges)


def site_wide_paths():
    return {reverse(name) for name in SITE_WIDE}


@pytest.fixture
def approved(db):
    """Return an explainer whose approved first version awaits publishing."""
    explainer = make_explainer()
    version = explainer.submit_for_review(by=explainer.created_by)
    explainer.approve(by=make_reviewer().user, version=version)
    return explainer, version


def test_front_end_purging_is_off_by_default(settings):
    assert settings.FRONTEND_CACHE_BACKEND == ""
    assert frontend_cache.backend() is None


def test_publishing_purges_the_page_its_condition_and_the_listings_once_after_commit(
    front_end_cache, approved, django_capture_on_commit_callbacks
):
    explainer, version = approved
    with django_capture_on_commit_callbacks(execute=True):
        explainer.publish(by=make_user("Publishers"), version=version)
        assert front_end_cache.purges == [], "nothing is purged before the change is committed"

    explainer = Explainer.objects.get(pk=explainer.pk)
    paths = purged_paths(front_end_cache.purges)
    assert {explainer.get_absolute_url(), version.condition.get_absolute_url()} | site_wide_paths() <= set(paths)
    assert set(paths.values()) == {1}, paths
    assert {host for _, host in front_end_cache.purges} == {"condinfo.example"}


def test_withdrawing_purges_the_page_its_condition_and_the_listings(
    front_end_cache, db, django_capture_on_commit_callbacks
):
    explainer = make_explainer()
    publish(explainer)
    path, condition_page = explainer.get_absolute_url(), explainer.published_version.condition.get_absolute_url()

    with django_capture_on_commit_callbacks(execute=True):
        explainer.withdraw(by=make_user("Publishers"), reason="Guidance changed; being rewritten.")

    paths = purged_paths(front_end_cache.purges)
    assert {path, condition_page} | site_wide_paths() <= set(paths)
    assert set(paths.values()) == {1}, paths


def test_approving_a_conditions_details_purges_its_page_and_the_pages_of_its_explainers(
    front_end_cache, db, django_capture_on_commit_callbacks
):
    explainer = make_explainer()
    publish(explainer)
    condition = explainer.condition
    condition.description = "An illness of the muscles and skin."
    condition.save()
    condition.record_edit(by=make_user("Authors"))

    with django_capture_on_commit_callbacks(execute=True):
        approve_condition(condition)

    paths = purged_paths(front_end_cache.purges)
    assert {explainer.get_absolute_url(), condition.get_absolute_url()} | site_wide_paths() <= set(paths)
    assert set(paths.values()) == {1}, paths


def test_a_front_end_cache_that_is_down_costs_one_warning_and_the_publication_stands(
    settings, approved, django_capture_on_commit_callbacks, caplog
):
    with socket.socket() as probe:  # a loopback port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.FRONTEND_CACHE_BACKEND = "core.frontend_cache.HTTPPurgeBackend"
    settings.FRONTEND_CACHE_PURGE_URLS = [f"http://127.0.0.1:{port}"]
    explainer, version = approved

    with caplog.at_level(logging.WARNING, logger="core.frontend_cache"):
        with django_capture_on_commit_callbacks(execute=True):
            explainer.publish(by=make_user("Publishers"), version=version)

    assert Explainer.objects.published().filter(pk=explainer.pk).exists()
    warnings = [record for record in caplog.records if record.name == "core.frontend_cache"]
    assert len(warnings) == 1, caplog.text
    assert "purge" in warnings[0].getMessage()


def test_a_page_the_front_end_cache_did_not_hold_is_purged_without_a_warning(
    front_end_cache, approved, django_capture_on_commit_callbacks, caplog
):
    front_end_cache.answer = 404  # what nginx's cache-purge module answers for a page it does not hold
    explainer, version = approved

    with caplog.at_level(logging.WARNING, logger="core.frontend_cache"):
        with django_capture_on_commit_callbacks(execute=True):
            explainer.publish(by=make_user("Publishers"), version=version)

    assert len(front_end_cache.purges) >= 6, "every page was still asked for"
    assert not [record for record in caplog.records if record.name == "core.frontend_cache"], caplog.text
