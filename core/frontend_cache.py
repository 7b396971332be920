"""
Purging changed pages from a front-end cache (Varnish, nginx, a CDN) in front of the app servers.

Pluggable: ``settings.FRONTEND_CACHE_BACKEND`` names a class taking the configured locations
(``FRONTEND_CACHE_PURGE_URLS``) and the site's host name, with a ``purge(paths)`` method; the
default, empty, purges nothing. ``HTTPPurgeBackend`` sends ``PURGE <path>`` to each location, as
Varnish and nginx's cache-purge module accept. A purge that fails is logged and otherwise ignored:
it costs at most the pages' ``s-maxage``, and must never fail the editor's action.
"""

import logging
import urllib.error
import urllib.request
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class HTTPPurgeBackend:
    """Send an HTTP PURGE for each path to each front-end cache, with the site's host name."""

    def __init__(self, locations, *, host, timeout=2):
        self.locations, self.host, self.timeout = locations, host, timeout

    def purge(self, paths):
        for location in self.locations:
            for done, path in enumerate(paths):
                if problem := self._purge_one(location, path):
                    # That cache is down or refusing: one warning, and no more waiting on it for this change.
                    logger.warning(
                        "Front-end cache purge at %s failed (%s, purging %s): %d changed pages may be served from it "
                        "until their s-maxage passes.",
                        location,
                        problem,
                        path,
                        len(paths) - done,
                    )
                    break

    def _purge_one(self, location, path):
        """Purge ``path`` at ``location``; return what went wrong, or None."""
        url = urljoin(location, path)  # locations are http(s) URLs from the settings
        request = urllib.request.Request(url, method="PURGE", headers={"Host": self.host})  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=self.timeout):  # noqa: S310 - configured URLs only
                return None
        except urllib.error.HTTPError as error:
            # nginx's cache-purge module answers 404 when the page was not cached: nothing to purge.
            return None if error.code == 404 else f"HTTP {error.code}"
        except (urllib.error.URLError, OSError) as error:
            return str(getattr(error, "reason", error))


def backend():
    """Return the configured front-end cache backend, or None when there is none."""
    path = getattr(settings, "FRONTEND_CACHE_BACKEND", "")
    if not path:
        return None
    return import_string(path)(settings.FRONTEND_CACHE_PURGE_URLS, host=urlsplit(settings.SITE_URL).netloc)


def purge(paths):
    """Purge ``paths`` from the configured front-end cache, if there is one."""
    cache = backend()
    if cache is not None and paths:
        cache.purge(paths)
