"""
How many reports a visitor, and a page, may send in a window: the public write path's flood guard.

Counts live in Django's cache (Redis in production, shared by every app server) in fixed windows of
REPORT_RATE_WINDOW_SECONDS, keyed on the client's address as core.client_address.client_ip sees it
(the one answer every rate limit uses, so a forged X-Forwarded-For cannot buy a fresh bucket) and
on the explainer. If the cache cannot be reached, reports are accepted and a warning is logged:
losing a reader's report costs more than a short flood, which the triage queue absorbs.
"""

import logging
import time

from django.conf import settings
from django.core.cache import cache

from core.client_address import client_ip

logger = logging.getLogger(__name__)


def _keys(request, explainer):
    window = int(time.time() // settings.REPORT_RATE_WINDOW_SECONDS)
    return [
        (f"report-rate:ip:{client_ip(request)}:{window}", settings.REPORT_RATE_PER_IP),
        (f"report-rate:page:{explainer.pk}:{window}", settings.REPORT_RATE_PER_PAGE),
    ]


def limit_reached(request, explainer):
    """Whether this client, or this page, has sent as many reports as the window allows."""
    try:
        counts = cache.get_many([key for key, _ in _keys(request, explainer)])
    except Exception:
        logger.warning("The cache cannot be reached; report rate limits are not applied.", exc_info=True)
        return False
    return any(counts.get(key, 0) >= limit for key, limit in _keys(request, explainer))


def count(request, explainer):
    """Count one report against this client and this page, for the rest of the window."""
    try:
        for key, _ in _keys(request, explainer):
            # add() starts the count with the window's lifetime; incr() keeps that expiry.
            cache.add(key, 0, timeout=settings.REPORT_RATE_WINDOW_SECONDS)
            cache.incr(key)
    except Exception:
        logger.warning("The cache cannot be reached; a report was not counted.", exc_info=True)
