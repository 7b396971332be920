"""
Checking the links health pages rely on: every reference's address and every link in published sections.

Run by ``manage.py check_links`` from cron, never in a request. Each address is fetched once per run
with HEAD (falling back to GET when a server refuses HEAD), a time limit per request, a polite
User-Agent, and a bounded number of requests at a time.
"""

import socket
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from html.parser import HTMLParser

from django.conf import settings

from .models import LinkResult

TIMEOUT = 10  # seconds per request
WORKERS = 8  # requests at a time
HEAD_REFUSED = {405, 403, 501}  # servers that answer HEAD so, but may serve GET


@dataclass(frozen=True)
class Checked:
    url: str
    result: str  # a LinkResult
    detail: str


def user_agent():
    return f"condinfo-link-checker/1.0 (+{settings.SITE_URL}; checks the sources health pages cite)"


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href") if tag == "a" else None
        if href and href.split(":", 1)[0].lower() in ("http", "https"):
            self.hrefs.append(href)


def links_in(html):
    """The http(s) addresses ``html`` links to, in order, without repeats."""
    parser = _Links()
    parser.feed(html or "")
    return list(dict.fromkeys(parser.hrefs))


def _fetch(url, method, timeout):
    if url.split(":", 1)[0].lower() not in ("http", "https"):
        raise ValueError("only http and https addresses are checked")
    request = urllib.request.Request(url, method=method, headers={"User-Agent": user_agent()})  # noqa: S310 (checked above)
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        if method == "GET":
            response.read(1024)  # enough to know it answers; never the whole page
        return response.status, response.geturl()


def check(url, *, timeout=TIMEOUT):
    """Return what fetching ``url`` found: working, redirecting (and where to) or broken (and why)."""
    try:
        try:
            status, final = _fetch(url, "HEAD", timeout)
        except urllib.error.HTTPError as error:
            if error.code not in HEAD_REFUSED:
                raise
            status, final = _fetch(url, "GET", timeout)
    except urllib.error.HTTPError as error:
        return Checked(url, LinkResult.BROKEN, f"{error.code} {error.reason}")
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        if isinstance(reason, TimeoutError | socket.timeout):
            return Checked(url, LinkResult.BROKEN, f"No answer within {timeout:g} seconds")
        return Checked(url, LinkResult.BROKEN, f"Could not connect: {reason}")
    if final.rstrip("/") != url.rstrip("/"):
        return Checked(url, LinkResult.REDIRECTED, f"Redirects to {final}")
    return Checked(url, LinkResult.OK, f"{status} OK")


def check_all(urls, *, timeout=TIMEOUT, workers=WORKERS):
    """Return {url: Checked} for ``urls``, each fetched once, at most ``workers`` at a time."""
    unique = list(dict.fromkeys(urls))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return dict(zip(unique, pool.map(lambda url: check(url, timeout=timeout), unique), strict=True))
