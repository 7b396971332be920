"""
Purging changed pages from a front-end cache (Varnish, nginx, a CDN) in front of the app servers.

Pluggable: ``settings.FRONTEND_CACHE_BACKEND`` names a class with ``purge(urls)``; the default,
``None``, purges nothing. ``HTTPPurgeBackend`` sends ``PURGE <path>`` to each configured cache
(``FRONTEND_CACHE_PURGE_URLS``), as Varnish and nginx's cache-purge module accept.
"""

import logging
import urllib.error
import urllib.request
from urllib.parse import urljoin

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class HTTPPurgeBackend:
    """Send an HTTP PURGE for each path to each front-end cache, with the site's host name."""

    def __init__(self, locations, *, host, timeout=2):
        self.locations, self.host, self.timeout = locations, host, timeout

    def purge(self, paths):
        for location in self.locations:
            for path in paths:
                url = urljoin(location, path)  # locations are http(s) URLs from the settings
                request = urllib.request.Request(url, method="PURGE", headers={"Host": self.host})  # noqa: S310
                try:
                    with urllib.request.urlopen(request, timeout=self.timeout):  # noqa: S310 - configured URLs only
                        pass
                except (urllib.error.URLError, OSError) as error:
                    # A missed purge costs at most the pages' s-maxage; it must never fail the editor's action.
                    logger.warning("Front-end cache purge of %s at %s failed: %s", path, location, error)


def backend():
    path = getattr(settings, "FRONTEND_CACHE_BACKEND", None)
    if not path:
        return None
    from urllib.parse import urlsplit

    return import_string(path)(settings.FRONTEND_CACHE_PURGE_URLS, host=urlsplit(settings.SITE_URL).netloc)


def purge(paths):
    """Purge ``paths`` from the configured front-end cache, if there is one."""
    cache = backend()
    if cache is not None and paths:
        cache.purge(paths)
