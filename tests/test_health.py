"""/healthz tells a load balancer whether this app server can serve pages: 200, or 503 naming what failed."""

import socket
from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.test.utils import override_settings


@pytest.fixture
def cache_down():
    """Point the cache at a Redis that refuses connections, as a stopped one does."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    down = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": f"redis://127.0.0.1:{port}/0",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
    with override_settings(CACHES={"default": down}):
        yield


def test_healthz_answers_200_when_the_database_and_the_cache_answer(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "cache": "ok"}
    assert "no-store" in response["Cache-Control"]


def test_healthz_answers_503_when_the_cache_does_not_answer(client, db, cache_down):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "cache": "failed"}


def test_healthz_answers_503_when_the_database_does_not_answer(client, db):
    with mock.patch.object(connection, "cursor", side_effect=OperationalError("server closed the connection")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "failed", "cache": "ok"}


def test_healthz_answers_load_balancers_over_plain_http(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/").status_code == 301  # every page but /healthz redirects to HTTPS
    assert client.get("/healthz").status_code == 200
    assert client.head("/healthz").status_code == 200


def test_healthz_is_never_cached(client, transactional_db):
    assert client.get("/healthz").status_code == 200
    with mock.patch.object(connection, "cursor", side_effect=OperationalError("server closed the connection")):
        assert client.get("/healthz").status_code == 503  # not the answer of a moment ago
