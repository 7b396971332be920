"""
What makes every app server stop serving a cached public page the moment it changes.

Cached public pages (core/middleware.py) are keyed by a *generation* kept in the shared cache
(Redis in production): a change replaces it once the change is committed, so every server renders
afresh on its next request. A generation is a random token, so one lost with the cache (a Redis
restart, an eviction) is never reused, and the time of the change, which is the pages'
Last-Modified. A change also purges its pages from a front-end cache, when one is configured.
If the cache is down, pages are served from the database and a warning is logged.
"""

import datetime
import functools
import hashlib
import logging
import math
import secrets
from pathlib import Path
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

GENERATION_KEY = "public-pages:generation"
# What draws the pages: a release that changes any of it starts with a fresh set of cached pages.
RENDERING_CODE = ["condinfo", "core", "explainers", "reports", "verification", "templates"]
RENDERING_SUFFIXES = {".py", ".html", ".txt", ".xml"}

# A change this process could not announce (the cache was down): announced on its next request.
_announcement_pending = False
# The generation this process read last: pages are looked up together with it, in one round trip.
_last_seen = None


class Generation(NamedTuple):
    token: int
    # POSIX seconds. At least a second after the previous generation's, and never in the first second
    # of a day (midnight is when overdue notices change), so no two versions of a page share a
    # Last-Modified date: HTTP dates count whole seconds.
    changed_at: float

    def last_modified(self, now):
        """Return the pages' Last-Modified (POSIX seconds) as of ``now``, or None while that second is still to come.

        Pages change when a generation starts and at midnight, whichever came last.
        """
        return self.last_modified_at(now.timestamp(), int(start_of_day(now).timestamp()))

    def last_modified_at(self, posix, day_started):
        """last_modified() with the moment and its local midnight given as POSIX seconds."""
        modified = max(math.floor(self.changed_at), day_started)
        return modified if modified <= posix else None


def current():
    """Return the current Generation, starting one if the cache has none, or None when the cache cannot be reached."""
    try:
        return _current()
    except Exception:  # any cache failure means "no cache", never an error page
        logger.warning("The page cache cannot be reached; serving public pages from the database.", exc_info=True)
        return None


def current_and_stored(key_for):
    """Return the current Generation and what the cache holds under ``key_for(generation)``.

    Both are read in one round trip (atomically) while the generation is the one this process saw
    last, as it is between changes. Return (None, None) when the cache cannot be reached.
    """
    global _last_seen
    try:
        guess = _last_seen
        if guess is not None and not _announcement_pending:
            key = key_for(guess)
            values = cache.get_many([GENERATION_KEY, key])
            if _parse(values.get(GENERATION_KEY)) == guess:
                return guess, values.get(key)
        _last_seen = state = _current()
        return (state, cache.get(key_for(state))) if state else (None, None)
    except Exception:  # any cache failure means "no cache", never an error page
        logger.warning("The page cache cannot be reached; serving public pages from the database.", exc_info=True)
        return None, None


def generation():
    """Return the token of the current generation of the public pages, or None when the cache cannot be reached."""
    state = current()
    return state.token if state else None


def bump_generation():
    """Start a new generation, so no server serves a page cached before now again."""
    global _announcement_pending
    try:
        _replace_generation()
    except Exception:
        _announcement_pending = True
        logger.warning(
            "The page cache cannot be reached; it will be told that public pages changed when it answers again.",
            exc_info=True,
        )


def public_pages_changed(paths=()):
    """Make every app server (and the front-end cache) drop the public pages, once this change commits."""
    paths = sorted(set(paths))

    def after_commit():
        bump_generation()  # first, so a front-end cache refetching a purged page gets the new one
        from .frontend_cache import purge

        purge(paths)

    # robust: the change is committed whatever happens here, so the editor's request must not fail.
    transaction.on_commit(after_commit, robust=True)


@functools.cache
def release():
    """Return a digest of the code and templates that draw the pages (and of the static files' manifest).

    Part of every cached page's key, so app servers running a new release never serve pages the
    previous release drew, even while both share the cache during a rolling deploy.
    """
    digest = hashlib.sha256()
    base = Path(settings.BASE_DIR)
    for folder in RENDERING_CODE:
        for path in sorted((base / folder).rglob("*")):
            if path.suffix in RENDERING_SUFFIXES and path.is_file():
                digest.update(path.relative_to(base).as_posix().encode())
                digest.update(path.read_bytes())
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"  # the hashed names of stylesheets and images
    if manifest.is_file():
        digest.update(manifest.read_bytes())
    return digest.hexdigest()[:16]


def start_of_day(moment):
    """Return local midnight at the start of ``moment``'s day."""
    day = timezone.localdate(moment)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _current():
    global _announcement_pending
    if _announcement_pending:
        _replace_generation()
        _announcement_pending = False
    state = _stored_generation()
    if state is None:
        cache.add(GENERATION_KEY, tuple(_next_generation(None)), timeout=None)
        state = _stored_generation()
    return state


def _stored_generation():
    return _parse(cache.get(GENERATION_KEY))


def _parse(value):
    return Generation(*value) if isinstance(value, tuple) and len(value) == 2 else None


def _replace_generation():
    cache.set(GENERATION_KEY, tuple(_next_generation(_stored_generation())), timeout=None)


def _next_generation(previous):
    now = timezone.now()
    changed_at = max(now.timestamp(), start_of_day(now).timestamp() + 1, previous.changed_at + 1 if previous else 0)
    return Generation(token=secrets.randbits(62), changed_at=changed_at)
