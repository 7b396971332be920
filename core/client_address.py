"""
The address of the client that sent a request, the one answer every rate limit must use.

Behind a reverse proxy every request arrives from the proxy, so REMOTE_ADDR alone would put every
visitor in one bucket: five wrong passwords from anyone would lock an editor out for everyone. The
proxies append the address they saw to X-Forwarded-For, but a client can send that header too, with
any addresses it likes, so only the entries the site's own proxies appended can be believed.
TRUSTED_PROXY_COUNT says how many that is (deploy/nginx.conf alone: 1); with none configured the
header is ignored entirely. The app servers must then be reachable only through those proxies: a
client that connects to gunicorn directly writes the last entry itself.
"""

import ipaddress

from django.conf import settings


def client_ip(request):
    """Return the address of the client that sent the request, as the site's own proxies saw it.

    Every rate limit or throttle in the project (django-axes' sign-in lockouts through
    AXES_CLIENT_IP_CALLABLE, and any added later) must key on this function, never on REMOTE_ADDR
    or X-Forwarded-For directly, so that all of them agree and none can be spoofed.

    With TRUSTED_PROXY_COUNT = 0 (the default) this is REMOTE_ADDR, and X-Forwarded-For is ignored.
    With N > 0 proxies, each appending the address of its peer, the client is the Nth entry from
    the right of X-Forwarded-For: everything to its left was written by the client itself. When the
    header has fewer than N entries (the request did not come through every proxy) or that entry is
    not an IP address (a proxy count set too high reads client-written text), REMOTE_ADDR is
    returned: a request that cannot be attributed is counted against whoever connected, which may
    throttle too much but never lets a client choose its own address.
    """
    remote_addr = request.META.get("REMOTE_ADDR")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote_addr
    # Several X-Forwarded-For header lines reach the application joined by commas, in order.
    forwarded = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [entry for entry in forwarded if entry]
    if len(forwarded) < proxies:
        return remote_addr
    try:
        return str(ipaddress.ip_address(forwarded[-proxies]))
    except ValueError:
        return remote_addr
