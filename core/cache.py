"""
What makes every app server stop serving a cached public page the moment it changes.

Cached public pages are keyed by a *generation*, a counter kept in the shared cache (Redis in
production): bumping it, once the change is committed, makes every server render afresh on its
next request. A change also purges its pages from a front-end cache, when one is configured.
If the cache is down, pages are served from the database and a warning is logged.
"""

import logging

from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)

GENERATION_KEY = "public-pages:generation"


def generation():
    """Return the current generation of the public pages, or None when the cache cannot be reached."""
    try:
        value = cache.get(GENERATION_KEY)
        if value is None:
            cache.add(GENERATION_KEY, 1, timeout=None)
            value = cache.get(GENERATION_KEY, 1)
        return value
    except Exception:  # noqa: BLE001 - any cache failure means "no cache", never an error page
        logger.warning("The page cache cannot be reached; serving public pages from the database.", exc_info=True)
        return None


def bump_generation():
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not set yet (or evicted): any fresh value invalidates the old keys
        cache.set(GENERATION_KEY, 2, timeout=None)
    except Exception:  # noqa: BLE001
        logger.warning("The page cache cannot be reached; it could not be told that public pages changed.")


def public_pages_changed(paths=()):
    """Make every app server (and the front-end cache) drop the public pages, once this change commits."""
    paths = sorted(set(paths))

    def after_commit():
        bump_generation()
        from .frontend_cache import purge

        purge(paths)

    transaction.on_commit(after_commit)
