"""
The public page cache, and the HTTP caching headers that let browsers and a CDN keep public pages.

An anonymous GET or HEAD of a public page (anything but the admin, the editor endpoints, /healthz,
static files and media) is answered from Django's cache when it holds the page. The key is the
release (core.cache.release), the shared generation (core.cache), the local date (overdue notices
and "next review due" change at midnight), the scheme, host and full path with its query string.
Only 200, 301 and (briefly) 404 answers without cookies are stored, for a bounded time.

Signed-in users, POSTs and the admin are never served from or stored into the cache, and nothing
personal (a signed-in page, a page setting a cookie or carrying messages) is ever marked public.
A request inside an open transaction neither reads nor fills the cache: its pages may show rows
not yet committed, and its changes have not yet replaced the generation.
If the cache cannot be reached, the page is rendered from the database and one warning logged.

Sits outside the session, CSRF, authentication and message middleware, so a page served from the
cache costs none of their work: a visitor is anonymous when they carry no session or message cookie
(signing in always sets the session cookie), and the page it stores is the finished one, so any
cookie those middleware set on the way out keeps it out of the cache. ConditionalGetMiddleware,
just outside it, answers 304s from the ETag and Last-Modified set here, for cached and fresh pages.
"""

import datetime
import functools
import hashlib
import logging
from typing import NamedTuple

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import cc_delim_re, patch_cache_control, patch_vary_headers, set_response_etag
from django.utils.http import http_date

from . import cache as public_pages

logger = logging.getLogger(__name__)

NOT_PUBLIC = ("/admin/", "/markdownx/", "/healthz", "/api/")
STORED_STATUSES = {200, 301, 404}
NOT_FOUND_TIMEOUT = 60  # a 404 is cheap to redo and scanners ask for endless made-up addresses
VARY = ("Cookie", "Accept-Encoding")


class PageCacheMiddleware:
    """Serve anonymous visitors' public pages from the cache, and say what browsers and shared caches may keep."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_public_page_request(request):
            return self.get_response(request)
        # Refuse a Host not in ALLOWED_HOSTS (DisallowedHost, the site's 400) before the cache is asked:
        # the key is built from it, and a failing key must not read as an unreachable cache.
        request.get_host()
        if is_personal_request(request):
            response = self.get_response(request)
            keep_private(response)
            return response

        usable = server_cache_usable()
        if usable:
            state, stored = public_pages.current_and_stored(lambda generation: page_key(request, generation))
        else:
            state, stored = public_pages.current(), None
        if stored is not None:
            status, headers, content = stored
            return make_public(HttpResponse(content, status=status, headers=headers), state)

        # Taken before the page is drawn, so a page drawn across midnight is never kept as the new day's.
        key = page_key(request, state) if usable and state else None
        response = self.get_response(request)
        if response.has_header("Cache-Control"):  # the view chose its own caching
            return response
        if response.cookies:  # a session, CSRF or message cookie: the page is this visitor's own
            keep_private(response)
            return response
        if response.status_code not in STORED_STATUSES or response.streaming or not depends_only_on_address(response):
            return response
        if response.status_code == 200 and not response.has_header("ETag"):
            set_response_etag(response)  # once, when stored, rather than hashing the page on every hit
        patch_vary_headers(response, VARY)  # before storing, so a page served from the cache carries it already
        if key and request.method == "GET":
            store(key, response)
        return make_public(response, state)


def is_public_page_request(request):
    if request.method not in ("GET", "HEAD"):
        return False
    path = request.path_info
    return not path.startswith((*NOT_PUBLIC, settings.STATIC_URL, settings.MEDIA_URL))


def is_personal_request(request):
    """Whether the page may show this visitor something of their own: they have a session (signed in) or messages.

    Only the cookies are read: loading the session would cost a cached page a database or cache query.
    """
    return bool(request.COOKIES.get(settings.SESSION_COOKIE_NAME) or request.COOKIES.get(CookieStorage.cookie_name))


def depends_only_on_address(response):
    """Whether the page depends on nothing but the address and the headers in VARY (the key holds no others)."""
    varies = {header.lower() for header in cc_delim_re.split(response.get("Vary", "")) if header}
    return varies <= {header.lower() for header in VARY}


def server_cache_usable():
    return settings.PAGE_CACHE and not transaction.get_connection().in_atomic_block


def page_key(request, state):
    address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    parts = [public_pages.release(), str(state.token), this_second().today, address]
    return "public-page:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()


def store(key, response):
    timeout = settings.PAGE_CACHE_TIMEOUT
    if response.status_code == 404:
        timeout = min(timeout, NOT_FOUND_TIMEOUT)
    try:
        cache.set(key, (response.status_code, dict(response.headers), response.content), timeout)
    except Exception:  # the page was rendered; not keeping it costs only speed
        logger.warning("The page cache cannot be reached; %s was not stored.", key, exc_info=True)


class Second(NamedTuple):
    """What every public response this second shares, worked out once a second rather than once a request."""

    posix: int
    today: str  # the local date, ISO
    start_of_day: int  # local midnight, POSIX seconds
    cache_control: str  # never past midnight, when overdue notices and "next review due" may change


def this_second():
    now = timezone.now()
    return _second(int(now.timestamp()), settings.TIME_ZONE, *cache_lifetimes())


def cache_lifetimes():
    return (
        settings.CACHE_CONTROL_MAX_AGE,
        settings.CACHE_CONTROL_S_MAXAGE,
        settings.CACHE_CONTROL_STALE_WHILE_REVALIDATE,
    )


@functools.lru_cache(maxsize=4)
def _second(posix, time_zone, max_age, s_maxage, stale):
    # The time zone and lifetimes are arguments so that a change to the settings is a new entry.
    moment = datetime.datetime.fromtimestamp(posix, datetime.UTC)
    start = public_pages.start_of_day(moment)
    seconds_left = max(int((start + datetime.timedelta(days=1)).timestamp()) - posix, 0)
    max_age, s_maxage = min(max_age, seconds_left), min(s_maxage, seconds_left)
    stale = min(stale, seconds_left - s_maxage)
    cache_control = f"public, max-age={max_age}, s-maxage={s_maxage}, stale-while-revalidate={stale}"
    return Second(posix, timezone.localdate(moment).isoformat(), int(start.timestamp()), cache_control)


@functools.lru_cache(maxsize=8)
def last_modified_header(posix):
    return http_date(posix)


def make_public(response, state):
    """Let browsers and shared caches keep the page briefly, never past midnight, when its notices may change.

    The page carries no Cache-Control of its own (the view did not choose its caching) and its Vary already.
    """
    now = this_second()
    response.headers["Cache-Control"] = now.cache_control
    if state and response.status_code == 200:
        if last_modified := state.last_modified_at(now.posix, now.start_of_day):
            response.headers["Last-Modified"] = last_modified_header(last_modified)
    return response


def keep_private(response):
    """Keep the page out of shared caches, and make browsers ask again before reusing it."""
    if not response.has_header("Cache-Control"):  # the admin's never-cache headers stay as they are
        patch_cache_control(response, private=True, no_cache=True)
    patch_vary_headers(response, VARY)
