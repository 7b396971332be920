"""Repeated wrong passwords lock the account out of the admin for a while (django-axes)."""

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from tests.factories import make_user


@pytest.fixture
def throttled(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3


def sign_in(client, password, **meta):
    meta.setdefault("REMOTE_ADDR", "203.0.113.7")
    return client.post(reverse("admin:login"), {"username": "author", "password": password}, **meta)


def test_the_right_password_signs_an_editor_in(client, db, throttled):
    make_user("Authors", username="author")
    response = sign_in(client, "a-long-test-password")
    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_repeated_wrong_passwords_lock_out_even_the_right_one(client, db, throttled):
    make_user("Authors", username="author")
    for _ in range(3):
        sign_in(client, "wrong-password")

    response = sign_in(client, "a-long-test-password")

    assert response.status_code == 429
    assert "Sign-in paused" in response.content.decode()
    assert client.get(reverse("admin:index")).status_code == 302  # still signed out


PROXY = "10.0.0.2"  # every request behind the proxy arrives from its address


def test_behind_a_proxy_one_clients_failures_do_not_lock_out_another(client, db, throttled, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.AXES_FAILURE_LIMIT = 5  # the shipped limit
    make_user("Authors", username="author")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "wrong-password", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.66")
    assert sign_in(client, "wrong-password", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.66").status_code == 429

    response = sign_in(client, "a-long-test-password", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="192.0.2.10")

    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_behind_a_proxy_addresses_a_client_forges_do_not_escape_its_lockout(client, db, throttled, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    make_user("Authors", username="author")
    for n in range(settings.AXES_FAILURE_LIMIT):
        # The client writes a different address each time; the proxy appends the one it really saw.
        sign_in(client, "wrong-password", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}, 198.51.100.66")

    response = sign_in(
        client, "a-long-test-password", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="192.0.2.99, 198.51.100.66"
    )

    assert response.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.66"}


def test_without_a_trusted_proxy_a_forged_forwarded_for_changes_nothing(client, db, throttled, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    make_user("Authors", username="author")
    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "wrong-password", REMOTE_ADDR="198.51.100.66", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")

    response = sign_in(client, "a-long-test-password", REMOTE_ADDR="198.51.100.66", HTTP_X_FORWARDED_FOR="192.0.2.10")

    assert response.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.66"}
