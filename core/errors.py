"""
How the site answers when it cannot show what was asked for: with its own pages, never Django's stock ones.

Django's default handlers render templates/400.html, 403.html, 404.html and 500.html. What they do
not cover is here: a failed CSRF check (settings.CSRF_FAILURE_VIEW), which Django would answer with
a page whose inline style the site's Content Security Policy blocks; public addresses asked for
anything but GET or HEAD, answered 405 with templates/405.html; and the log filter that keeps a bad
Host header to the one line naming it (settings.LOGGING). Imported while logging is configured, before
the apps load, so this module imports no models.
"""

import logging
from functools import wraps

from django.http import HttpResponseForbidden, HttpResponseNotAllowed
from django.template import loader

READING_METHODS = ("GET", "HEAD")


def csrf_failure(request, reason=""):
    """Answer a form refused by the CSRF check with the site's 403 page, saying how to send it again."""
    return HttpResponseForbidden(loader.render_to_string("403.html", {"csrf_failure": True}, request))


def get_and_head_only(view):
    """Answer any method but GET and HEAD with 405, an Allow header and the site's page saying why."""

    @wraps(view)
    def reading_only(request, *args, **kwargs):
        if request.method not in READING_METHODS:
            return HttpResponseNotAllowed(READING_METHODS, loader.render_to_string("405.html", request=request))
        return view(request, *args, **kwargs)

    # CsrfViewMiddleware checks unsafe methods before any view runs, so a DELETE or PUT would be told
    # its token is missing rather than that the address only shows a page. CSRF guards requests that
    # change something, and this view refuses every one of them: exempting it loses nothing. The
    # exemption lives with the refusal, so a view that starts taking a POST must drop both together.
    reading_only.csrf_exempt = True
    return reading_only


class WithoutTraceback(logging.Filter):
    """Log a record as its message alone: for refusals that are expected, not faults in the code."""

    def filter(self, record):
        record.exc_info = record.exc_text = record.stack_info = None
        return True
