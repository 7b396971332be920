"""The client's address is taken only from what the site's own proxies vouch for."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import RequestFactory

from core.client_address import client_ip

PROXY = "10.0.0.2"  # REMOTE_ADDR of every request that came through the proxy


def request_from(remote_addr=PROXY, forwarded_for=None):
    meta = {"REMOTE_ADDR": remote_addr}
    if forwarded_for is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return RequestFactory().get("/", **meta)


@pytest.fixture
def proxies(settings):
    def trust(count):
        settings.TRUSTED_PROXY_COUNT = count

    return trust


def test_the_shipped_default_trusts_no_proxy():
    project = Path(__file__).resolve().parent.parent
    local_overrides = project / ".env"
    if local_overrides.exists() and "TRUSTED_PROXY_COUNT" in local_overrides.read_text():
        pytest.skip(".env sets TRUSTED_PROXY_COUNT, so the shipped default cannot be seen")
    environment = {key: value for key, value in os.environ.items() if key != "TRUSTED_PROXY_COUNT"}
    environment["DJANGO_SETTINGS_MODULE"] = "condinfo.settings"
    code = "import django; django.setup(); from django.conf import settings; print(settings.TRUSTED_PROXY_COUNT)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=environment,
        cwd=project,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "0"


def test_without_a_trusted_proxy_the_connecting_address_is_the_client(proxies):
    proxies(0)
    assert client_ip(request_from("198.51.100.1")) == "198.51.100.1"


def test_without_a_trusted_proxy_a_forged_forwarded_for_is_ignored(proxies):
    proxies(0)
    assert client_ip(request_from("198.51.100.1", "203.0.113.7")) == "198.51.100.1"
    assert client_ip(request_from("198.51.100.1", "203.0.113.7, 203.0.113.8")) == "198.51.100.1"


def test_behind_one_proxy_the_address_it_appended_is_the_client(proxies):
    proxies(1)
    assert client_ip(request_from(PROXY, "198.51.100.1")) == "198.51.100.1"


def test_behind_one_proxy_addresses_the_client_wrote_itself_are_ignored(proxies):
    proxies(1)
    # The client sent "X-Forwarded-For: 203.0.113.7, 192.0.2.1"; the proxy appended its real address.
    assert client_ip(request_from(PROXY, "203.0.113.7, 192.0.2.1, 198.51.100.1")) == "198.51.100.1"
    assert client_ip(request_from(PROXY, "203.0.113.7,198.51.100.1")) == "198.51.100.1"


def test_behind_two_proxies_the_client_is_second_from_the_right(proxies):
    proxies(2)
    # A load balancer saw the client 198.51.100.1; nginx saw the load balancer 10.0.0.9.
    assert client_ip(request_from(PROXY, "198.51.100.1, 10.0.0.9")) == "198.51.100.1"
    assert client_ip(request_from(PROXY, "203.0.113.7, 198.51.100.1, 10.0.0.9")) == "198.51.100.1"


def test_a_header_shorter_than_the_proxy_chain_counts_against_the_connecting_address(proxies):
    proxies(1)
    assert client_ip(request_from("198.51.100.1")) == "198.51.100.1"
    assert client_ip(request_from("198.51.100.1", "")) == "198.51.100.1"
    assert client_ip(request_from("198.51.100.1", " , ")) == "198.51.100.1"
    proxies(2)
    assert client_ip(request_from(PROXY, "198.51.100.1")) == PROXY


@pytest.mark.parametrize(
    "garbage",
    ["unknown", "198.51.100.1:4711", "198.51.100.256", "<script>alert(1)</script>", "2001:db8::1/64", "_hidden"],
)
def test_an_entry_that_is_not_an_ip_address_counts_against_the_connecting_address(proxies, garbage):
    proxies(1)
    assert client_ip(request_from(PROXY, f"198.51.100.1, {garbage}")) == PROXY


def test_ipv6_addresses_are_recognised_and_written_one_way(proxies):
    proxies(1)
    assert client_ip(request_from(PROXY, "2001:DB8:0:0::1")) == "2001:db8::1"
