"""
A kept database connection that the server has dropped (a PostgreSQL restart, a failover, an idle
timeout) costs no failed request: CONN_HEALTH_CHECKS tests it before a request reuses it.
"""

import time

import psycopg
import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection
from django.test import Client
from pytest_django.asserts import assertContains

from tests.factories import make_explainer, publish

pytestmark = pytest.mark.django_db(transaction=True)


def reset_connections_like_a_server(**kwargs):
    """What Django's own handler does at the start and end of each request (the test client skips it)."""
    close_old_connections()


@pytest.fixture
def kept_connection(settings):
    """Keep the app's database connection between requests, as CONN_MAX_AGE does in production."""
    if connection.vendor != "postgresql":
        pytest.skip("Terminating the app's connection from outside needs PostgreSQL (DATABASE_URL=postgres://…).")
    settings.PAGE_CACHE = False  # every request must reach the database
    connection.close()
    shipped = dict(connection.settings_dict)
    connection.settings_dict["CONN_MAX_AGE"] = 60
    request_started.connect(reset_connections_like_a_server)
    request_finished.connect(reset_connections_like_a_server)
    yield
    request_started.disconnect(reset_connections_like_a_server)
    request_finished.disconnect(reset_connections_like_a_server)
    connection.close()
    connection.settings_dict.update(shipped)


def terminate(pid):
    """Have the server end the backend ``pid``, from a connection of its own, and wait until it has gone."""
    settings = connection.settings_dict
    options = {"dbname": settings["NAME"], "user": settings["USER"], "password": settings["PASSWORD"]}
    options |= {"host": settings["HOST"], "port": settings["PORT"]}
    with psycopg.connect(**{key: value for key, value in options.items() if value}, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
        deadline = time.monotonic() + 10
        while admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone():
            assert time.monotonic() < deadline, f"backend {pid} was still there after 10 seconds"
            time.sleep(0.05)


def test_a_request_after_the_server_dropped_the_apps_connection_is_answered_normally(kept_connection, roles):
    explainer = make_explainer(sections=["The answer, in plain words."])
    publish(explainer)
    client = Client(raise_request_exception=False)
    assertContains(client.get(explainer.get_absolute_url()), "The answer, in plain words.")
    assert connection.connection is not None, "the connection was kept after the request"
    pid = connection.connection.info.backend_pid

    terminate(pid)

    response = client.get(explainer.get_absolute_url())
    assert response.status_code == 200
    assertContains(response, "The answer, in plain words.")
    assert connection.connection.info.backend_pid != pid
