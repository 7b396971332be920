"""
Several app servers share one PostgreSQL database and one Redis: a change made through one is
served by every other on its next request.

Two gunicorn processes with production settings run on free loopback ports against the test
database and the test run's Redis. A publisher signs in to server A over HTTP, publishes and then
withdraws an explainer, and server B, whose page cache was warm, serves each change at once.
Needs PostgreSQL and Redis (DATABASE_URL=postgres://…, REDIS_URL=redis://…); under CI on
PostgreSQL a missing Redis is a failure, not a skip.
"""

import os
import secrets
import socket
import string
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
import redis
from django.db import connection
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from explainers.models import SiteSettings
from tests.browser import in_ci
from tests.factories import make_explainer, make_reviewer, make_user, publish

BASE_DIR = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"
PASSWORD = "a-long-test-password"
OLD_TEXT = "Nobody knows exactly what causes it."
NEW_TEXT = "Researchers think sunlight can set off a flare."
UNANNOUNCED = "A disclaimer changed behind the page cache."
STARTUP_SECONDS = 30
REQUEST_SECONDS = 15


@pytest.fixture
def redis_url(settings):
    """Return the Redis the test run uses, skipping (failing under CI) when there is no PostgreSQL and Redis."""
    if connection.vendor != "postgresql":
        pytest.skip("Several app servers share a PostgreSQL database: run with DATABASE_URL=postgres://…")
    cache_settings = settings.CACHES["default"]
    if not cache_settings["BACKEND"].endswith(".RedisCache"):
        reason = "Several app servers share a Redis cache: run with REDIS_URL=redis://…"
        if in_ci():
            pytest.fail(f"{reason} (CI=true on PostgreSQL, so this is a failure, not a skip)", pytrace=False)
        pytest.skip(reason)
    return cache_settings["LOCATION"]


@pytest.fixture(scope="module")
def static_root(tmp_path_factory):
    """Collect the static files once, as a deployment does: production settings serve only collected files."""
    root = tmp_path_factory.mktemp("staticfiles")
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=BASE_DIR,
        env={**os.environ, "DEBUG": "0", "STATIC_ROOT": str(root)},
        check=True,
        timeout=120,
    )
    return root


def database_url():
    settings = connection.settings_dict  # the test database, not the one DATABASE_URL names
    credentials = urllib.parse.quote(settings["USER"] or "", safe="")
    if settings["PASSWORD"]:
        credentials += ":" + urllib.parse.quote(settings["PASSWORD"], safe="")
    host = settings["HOST"] or "127.0.0.1"
    port = f":{settings['PORT']}" if settings["PORT"] else ""
    return f"postgres://{credentials}@{host}{port}/{settings['NAME']}"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def production_environment(*, redis_url, static_root):
    secret_key = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(50))
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("SECURE_", "CSRF_"))}
    environment.update(
        DEBUG="0",
        SECRET_KEY=secret_key,  # the same on both servers, as it must be behind one load balancer
        ALLOWED_HOSTS="127.0.0.1",
        SITE_URL="http://127.0.0.1",
        DATABASE_URL=database_url(),
        REDIS_URL=redis_url,
        STATIC_ROOT=str(static_root),
        PAGE_CACHE="1",
        # Plain HTTP on loopback: the load balancer would terminate HTTPS.
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        SECURE_HSTS_SECONDS="0",
    )
    return environment


class AppServer:
    """One gunicorn process (one sync worker) with production settings on a free loopback port."""

    def __init__(self, name, environment, log_dir):
        self.name, self.port = name, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log_dir / f"gunicorn-{name}.log"
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [str(GUNICORN), "condinfo.wsgi", "--bind", f"127.0.0.1:{self.port}", "--workers", "1"],
                cwd=BASE_DIR,
                env=environment,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def wait_until_healthy(self):
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"server {self.name} exited:\n{self.log.read_text()}"
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.2)
        pytest.fail(f"server {self.name} did not answer /healthz in {STARTUP_SECONDS} s:\n{self.log.read_text()}")

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


class HiddenFields(HTMLParser):
    """Collect the hidden inputs of a page's forms (the CSRF token, the version the page showed)."""

    def __init__(self):
        super().__init__()
        self.fields = {}

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "input" and attributes.get("type") == "hidden" and attributes.get("name"):
            self.fields[attributes["name"]] = attributes.get("value") or ""


def hidden_fields(html):
    parser = HiddenFields()
    parser.feed(html)
    return parser.fields


class Visitor:
    """Someone with a browser's cookie jar, visiting one server."""

    def __init__(self, server):
        self.server = server
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def get(self, path):
        return self._open(urllib.request.Request(self.server.url + path))

    def post(self, path, fields):
        data = urllib.parse.urlencode(fields).encode()
        return self._open(urllib.request.Request(self.server.url + path, data=data, method="POST"))

    def submit(self, path, fields=()):
        """Open the form at ``path`` and post it back with its hidden fields (CSRF token included) and ``fields``."""
        status, page = self.get(path)
        assert status == 200, f"{path} answered {status} on server {self.server.name}"
        return self.post(path, {**hidden_fields(page), **dict(fields)})

    def _open(self, request):
        try:
            with self.opener.open(request, timeout=REQUEST_SECONDS) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()


def sign_in(visitor, username):
    status, page = visitor.submit("/admin/login/?next=/admin/", {"username": username, "password": PASSWORD})
    assert status == 200 and "Log out" in page, f"{username} could not sign in:\n{page[:2000]}"


@pytest.fixture
def servers(redis_url, roles, static_root, tmp_path):
    """Start servers A and B and wait until both answer /healthz; stop them before the test database is emptied."""
    environment = production_environment(redis_url=redis_url, static_root=static_root)
    started = []
    try:
        for name in ("A", "B"):
            started.append(AppServer(name, environment, tmp_path))
        for server in started:
            server.wait_until_healthy()
        yield started
    finally:
        for server in started:
            server.stop()


@pytest.fixture
def explainer_awaiting_publication(roles):
    """Return an explainer whose first version is public and whose approved second version awaits publishing."""
    explainer = make_explainer(sections=[f"Causes\n\n{OLD_TEXT}"])
    publish(explainer)
    section = explainer.sections.get()
    section.body = NEW_TEXT
    section.save()
    explainer.record_edit(by=explainer.created_by)
    version = explainer.submit_for_review(by=explainer.created_by)
    explainer.approve(by=make_reviewer().user, version=version)
    return explainer


@pytest.fixture
def publisher(roles, settings):
    """A publisher whose password the servers can check (the tests' own hasher is a fast one they lack)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    user = make_user("Publishers", username="publisher")
    user.set_password(PASSWORD)
    user.save()
    TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)  # production requires it of publishers
    return user


def confirm_with_a_code(visitor, user):
    """The two-factor step after the password, as the publisher's authenticator app answers it."""
    device = TOTPDevice.objects.get(user=user)
    code = f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):0{device.digits}d}"
    status, page = visitor.submit("/admin/two-factor/verify/", {"code": code})
    assert status == 200 and "Review queue and content" in page, page[:2000]  # the admin index, past the code


def cached_pages(redis_url):
    with redis.Redis.from_url(redis_url, socket_timeout=5) as client:
        return len(client.keys("*public-page:*"))


def test_a_publication_and_a_withdrawal_through_one_server_are_served_by_the_other_at_once(
    servers, explainer_awaiting_publication, publisher, redis_url
):
    server_a, server_b = servers
    explainer = explainer_awaiting_publication
    path = explainer.get_absolute_url()
    reader_a, reader_b = Visitor(server_a), Visitor(server_b)
    for reader in (reader_a, reader_b, reader_b):
        status, page = reader.get(path)
        assert status == 200 and OLD_TEXT in page
    assert cached_pages(redis_url) >= 1

    # A change nobody announces stays out of the cached page: server B really serves from the cache.
    SiteSettings.load()
    SiteSettings.objects.update(disclaimer=UNANNOUNCED)
    assert UNANNOUNCED not in reader_b.get(path)[1]

    publisher_at_a = Visitor(server_a)
    sign_in(publisher_at_a, publisher.username)
    confirm_with_a_code(publisher_at_a, publisher)
    status, page = publisher_at_a.submit(
        reverse("admin:explainers_explainer_publish", args=[explainer.pk]), {"signature": PASSWORD}
    )
    assert status == 200 and "is now on the public site" in page, page[:2000]

    status, page = reader_b.get(path)
    assert status == 200
    assert NEW_TEXT in page and OLD_TEXT not in page
    assert UNANNOUNCED in page  # the whole page was drawn afresh

    withdraw = reverse("admin:explainers_explainer_withdraw", args=[explainer.pk])
    status, page = publisher_at_a.submit(withdraw, {"reason": "Guidance changed; being rewritten."})
    assert status == 200 and "from the public site" in page, page[:2000]

    assert reader_b.get(path)[0] == 404
