"""Repeated wrong passwords lock the account out of the admin for a while (django-axes)."""

import pytest
from django.urls import reverse

from tests.factories import make_user


@pytest.fixture
def throttled(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3


def sign_in(client, password):
    return client.post(reverse("admin:login"), {"username": "author", "password": password}, REMOTE_ADDR="203.0.113.7")


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
