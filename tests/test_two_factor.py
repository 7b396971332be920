"""
Two-factor authentication for staff (django-otp: an authenticator app, and recovery codes).

In production (TWO_FACTOR_REQUIRED, on unless DEBUG) everyone who may approve or publish must
confirm each sign-in with a code before the admin opens; anyone who set it up is held to it; the
demo leaves it optional. Staff sessions end after eight idle hours.
"""

import datetime
import re
import subprocess
import sys
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from pytest_django.asserts import assertContains, assertRedirects

SETUP, VERIFY = "/admin/two-factor/", "/admin/two-factor/verify/"


@pytest.fixture
def production(settings):
    settings.TWO_FACTOR_REQUIRED = True


def current_code(device):
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):0{device.digits}d}"


def set_up_two_factor(client):
    """Go through set-up as a person would: open it, type the app's code; return the device and recovery codes."""
    client.get(SETUP)
    device = TOTPDevice.objects.get(confirmed=False)
    response = client.post(SETUP, {"code": current_code(device)})
    codes = re.findall(r"<li><code>(\w+)</code></li>", response.content.decode())
    device.refresh_from_db()
    return device, codes


@pytest.mark.parametrize("role", ["reviewer", "publisher"])
def test_in_production_reviewers_and_publishers_must_set_up_two_factor_before_the_admin_opens(
    client, db, production, role, request
):
    client.force_login(request.getfixturevalue(role))
    assertRedirects(client.get("/admin/"), f"{SETUP}?next=%2Fadmin%2F", fetch_redirect_response=False)
    assertRedirects(
        client.get("/admin/explainers/explainer/"),
        f"{SETUP}?next=%2Fadmin%2Fexplainers%2Fexplainer%2F",
        fetch_redirect_response=False,
    )
    assert client.get("/markdownx/markdownify/").status_code == 302  # the editor endpoints too


def test_an_author_may_use_the_admin_without_two_factor(client, production, author):
    client.force_login(author)
    assert client.get("/admin/").status_code == 200


def test_the_demo_leaves_two_factor_optional(client, reviewer):
    client.force_login(reviewer)
    assert client.get("/admin/").status_code == 200


def test_setting_up_shows_a_qr_code_then_a_correct_code_turns_it_on_and_shows_ten_recovery_codes(
    client, production, reviewer
):
    client.force_login(reviewer)
    page = client.get(SETUP)
    assertContains(page, "<svg")
    assertContains(page, "Because you approve or publish what patients read")
    device, codes = set_up_two_factor(client)
    assert device.confirmed
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get("/admin/").status_code == 200


def test_a_wrong_code_does_not_turn_two_factor_on(client, production, reviewer):
    client.force_login(reviewer)
    client.get(SETUP)
    response = client.post(SETUP, {"code": "000000"})
    assertContains(response, "That code did not match")
    assert not TOTPDevice.objects.filter(confirmed=True).exists()
    assert client.get("/admin/").status_code == 302


def test_each_new_sign_in_asks_for_a_code_before_the_admin(client, production, reviewer):
    client.force_login(reviewer)
    _, codes = set_up_two_factor(client)
    client.logout()
    client.force_login(reviewer)
    assertRedirects(client.get("/admin/"), f"{VERIFY}?next=%2Fadmin%2F", fetch_redirect_response=False)
    assertRedirects(
        client.post(f"{VERIFY}?next=%2Fadmin%2F", {"code": codes[0]}), "/admin/", fetch_redirect_response=False
    )
    assert client.get("/admin/").status_code == 200


def test_a_wrong_code_keeps_the_admin_closed(client, production, reviewer):
    client.force_login(reviewer)
    set_up_two_factor(client)
    client.logout()
    client.force_login(reviewer)
    assertContains(client.post(VERIFY, {"code": "123456"}), "That code did not match")
    assert client.get("/admin/").status_code == 302


def test_a_recovery_code_works_only_once(client, production, reviewer):
    client.force_login(reviewer)
    _, codes = set_up_two_factor(client)
    for expected in ("/admin/", None):
        client.logout()
        client.force_login(reviewer)
        response = client.post(VERIFY, {"code": codes[0]})
        if expected:
            assertRedirects(response, expected, fetch_redirect_response=False)
        else:
            assertContains(response, "That code did not match")


def test_the_verify_page_only_sends_people_on_within_the_site(client, production, reviewer):
    client.force_login(reviewer)
    _, codes = set_up_two_factor(client)
    client.logout()
    client.force_login(reviewer)
    response = client.post(f"{VERIFY}?next=https://evil.example/", {"code": codes[1]})
    assertRedirects(response, "/admin/", fetch_redirect_response=False)


def test_whoever_set_up_two_factor_is_held_to_it_even_where_it_is_optional(client, author):
    client.force_login(author)
    set_up_two_factor(client)
    client.logout()
    client.force_login(author)
    assert client.get("/admin/").status_code == 302


@pytest.mark.parametrize(("debug", "required"), [("0", "True"), ("1", "False")])
def test_production_settings_require_two_factor_and_the_demo_does_not(debug, required):
    env = {"DEBUG": debug, "SECRET_KEY": "x" * 50, "DJANGO_SETTINGS_MODULE": "condinfo.settings", "PATH": "/usr/bin"}
    code = "import django; django.setup(); from django.conf import settings; print(settings.TWO_FACTOR_REQUIRED)"
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=django_settings.BASE_DIR, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == required


def test_a_staff_session_ends_after_eight_idle_hours_and_each_request_renews_it(client, author):
    client.force_login(author)
    start = timezone.now()
    with mock.patch("django.utils.timezone.now", return_value=start + datetime.timedelta(hours=7, minutes=50)):
        assert client.get("/admin/").status_code == 200  # still signed in, and the clock restarts
    later = start + datetime.timedelta(hours=15, minutes=30)  # 7 h 40 min after that request
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert client.get("/admin/").status_code == 200
    with mock.patch("django.utils.timezone.now", return_value=later + datetime.timedelta(hours=8, minutes=1)):
        assertRedirects(client.get("/admin/"), "/admin/login/?next=/admin/", fetch_redirect_response=False)


def test_the_admin_links_to_two_factor_set_up_for_everyone_signed_in(client, author):
    client.force_login(author)
    assertContains(client.get("/admin/"), f'<a href="{SETUP}">Two-factor authentication</a>', html=True)
