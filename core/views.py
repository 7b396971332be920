"""/healthz: whether this app server can serve pages, for load balancers."""

import logging

from django.core.cache import cache
from django.db import DatabaseError, connection, transaction
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


def database_answers():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        logger.warning("Health check: the database does not answer.", exc_info=True)
        return False


def cache_answers():
    try:
        cache.get("healthz")  # a round trip to Redis when it is configured; local memory always answers
        return True
    except Exception:  # whatever the cache backend raises, it means the cache does not answer
        logger.warning("Health check: the cache does not answer.", exc_info=True)
        return False


@never_cache
@require_safe
@transaction.non_atomic_requests  # a request transaction would need the database before the check could run
def healthz(request):
    """Answer 200 when the database and the cache answer, 503 naming what failed otherwise."""
    checks = {"database": database_answers(), "cache": cache_answers()}
    status = 200 if all(checks.values()) else 503
    return JsonResponse({name: "ok" if ok else "failed" for name, ok in checks.items()}, status=status)
