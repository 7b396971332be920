"""manage.py check_links against a server on this machine: dead, redirected and live links recorded."""

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from explainers.models import LinkCheck, LinkResult, Reference
from tests.factories import make_explainer, make_user, publish

pytestmark = pytest.mark.django_db


class Handler(BaseHTTPRequestHandler):
    seen = []  # (method, path, user agent) of every request

    def answer(self, method):
        type(self).seen.append((method, self.path, self.headers.get("User-Agent", "")))
        if self.path == "/live":
            self.send_response(200)
        elif self.path == "/moved":
            self.send_response(301)
            self.send_header("Location", "/live")
        elif self.path == "/no-head" and method == "HEAD":
            self.send_response(405)
        elif self.path == "/no-head":
            self.send_response(200)
        elif self.path.startswith("/slow"):
            time.sleep(3)
            self.send_response(200)
        else:
            self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_HEAD(self):
        self.answer("HEAD")

    def do_GET(self):
        self.answer("GET")

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    Handler.seen = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()


@pytest.fixture(autouse=True)
def only_this_machine(monkeypatch):
    """Refuse any connection beyond loopback: a test that tried one would fail, not reach out."""
    real = socket.create_connection

    def local_only(address, *args, **kwargs):
        assert address[0] in ("127.0.0.1", "localhost"), f"tried to contact {address[0]}"
        return real(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", local_only)


def run(**options):
    out = StringIO()
    call_command("check_links", stdout=out, **options)
    return out.getvalue()


def test_dead_redirected_and_live_links_are_recorded_on_references_and_pages(server):
    live = Reference.objects.create(citation="Live paper.", url=f"{server}/live")
    dead = Reference.objects.create(citation="Gone paper.", url=f"{server}/gone")
    moved = Reference.objects.create(citation="Moved paper.", url=f"{server}/moved")
    explainer = make_explainer(
        sections=[f"Causes\n\nSee [the charity]({server}/no-head) and [an old page]({server}/old-page)."]
    )
    for position, reference in enumerate([live, dead, moved]):
        explainer.sources.create(reference=reference, position=position)
    explainer.record_edit(by=explainer.created_by)
    publish(explainer)

    output = run(timeout=2)

    for reference, result, detail in (
        (live, LinkResult.OK, "200 OK"),
        (dead, LinkResult.BROKEN, "404 Not Found"),
        (moved, LinkResult.REDIRECTED, f"Redirects to {server}/live"),
    ):
        reference.refresh_from_db()
        assert (reference.link_result, reference.link_detail) == (result, detail)
        assert reference.link_checked_at is not None
    on_page = {check.url: check.result for check in LinkCheck.objects.filter(explainer=explainer)}
    assert on_page == {
        f"{server}/live": LinkResult.OK,
        f"{server}/gone": LinkResult.BROKEN,
        f"{server}/moved": LinkResult.REDIRECTED,
        f"{server}/no-head": LinkResult.OK,  # HEAD refused, GET answered
        f"{server}/old-page": LinkResult.BROKEN,
    }
    assert "2 broken" in output and "1 redirecting" in output
    assert ("GET", "/no-head") in [(method, path) for method, path, _ in Handler.seen]
    assert all(agent.startswith("condinfo-link-checker/") for _, _, agent in Handler.seen)


def test_each_link_waits_no_longer_than_the_timeout(server):
    Reference.objects.create(citation="Slow paper.", url=f"{server}/slow")
    Reference.objects.create(citation="Another slow paper.", url=f"{server}/slow?again")
    started = time.monotonic()

    run(timeout=0.5, workers=2)

    assert time.monotonic() - started < 2.5  # two 3-second answers, abandoned at 0.5 s each, side by side
    for reference in Reference.objects.all():
        assert (reference.link_result, reference.link_detail) == (LinkResult.BROKEN, "No answer within 0.5 seconds")


def test_an_address_nobody_answers_is_broken(server):
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    reference = Reference.objects.create(citation="Nobody home.", url=f"http://127.0.0.1:{port}/paper")
    run(timeout=1)
    reference.refresh_from_db()
    assert reference.link_result == LinkResult.BROKEN and reference.link_detail.startswith("Could not connect")


def test_each_address_is_fetched_once_per_run(server):
    shared = Reference.objects.create(citation="Shared.", url=f"{server}/live")
    for _ in range(3):
        explainer = make_explainer(sections=[f"Text linking [the same]({server}/live)."])
        explainer.sources.create(reference=shared, position=0)
        explainer.record_edit(by=explainer.created_by)
        publish(explainer)
    run(timeout=2)
    assert [path for _, path, _ in Handler.seen] == ["/live"]
    assert LinkCheck.objects.count() == 3


def test_owners_find_their_broken_links_in_the_admin(client, server):
    owner = make_user("Authors")
    mine = make_explainer(author=owner, sections=[f"A [dead link]({server}/gone)."])
    publish(mine)
    theirs = make_explainer(sections=[f"Another [dead link]({server}/gone-too)."])
    publish(theirs)
    run(timeout=2)
    client.force_login(owner)

    page = client.get(reverse("admin:explainers_linkcheck_changelist") + "?result=broken&owner=mine")

    assert page.status_code == 200
    text = page.content.decode()
    assert f"{server}/gone" in text and "404 Not Found" in text and f"{server}/gone-too" not in text
