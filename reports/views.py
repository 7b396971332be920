"""
The public report form and its answers. Its POST is the site's one public write path.

The form lives on a page of its own, so the explainer page stays one cacheable page for everyone.
This page carries a CSRF token, so it must never be stored in the public page cache: Django sends
the CSRF cookie with every response that used the token, and core.middleware.PageCacheMiddleware
keeps any page setting a cookie private; never_cache says so outright as well (the middleware leaves
a page with its own Cache-Control alone), and keeps browsers and shared caches from storing it.
"""

from functools import wraps

from django.conf import settings
from django.db import transaction
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader
from django.views.decorators.cache import never_cache

from explainers.models import Explainer, SiteSettings

from . import rate_limits
from .forms import ReportForm
from .models import ReportKind
from .notifications import notify_reviewers


def methods(*allowed):
    """Answer any other method with 405, an Allow header and the site's own page (not Django's empty one)."""

    def decorator(view):
        @wraps(view)
        def only_allowed(request, *args, **kwargs):
            if request.method not in allowed:
                page = loader.render_to_string("reports/method_not_allowed.html", request=request)
                return HttpResponseNotAllowed(allowed, page)
            return view(request, *args, **kwargs)

        return only_allowed

    return decorator


def published_explainer(explainer_id):
    return get_object_or_404(Explainer.objects.for_public_page(), pk=explainer_id)


def page_context(explainer, **context):
    return {
        "explainer": explainer,
        "version": explainer.published_version,
        "site_settings": SiteSettings.load(),
        "retention_days": settings.REPORT_CONTACT_RETENTION_DAYS,
        **context,
    }


@never_cache
@methods("GET", "HEAD", "POST")
def report_problem(request, explainer_id):
    """Show the report form for a published explainer, and store a report sent from it."""
    explainer = published_explainer(explainer_id)
    version = explainer.published_version
    if request.method != "POST":
        form = ReportForm(version=version)
    elif rate_limits.limit_reached(request, explainer):
        window = settings.REPORT_RATE_WINDOW_SECONDS
        response = render(
            request,
            "reports/report_rate_limited.html",
            page_context(explainer, window_minutes=max(window // 60, 1)),
            status=429,
        )
        response["Retry-After"] = str(window)
        return response
    else:
        form = ReportForm(request.POST, version=version)
        if form.is_valid():
            rate_limits.count(request, explainer)
            # A filled trap is answered as if accepted, so a robot learns nothing, and nothing is kept.
            if not form.is_trap_filled:
                report = form.save(explainer=explainer)
                if report.kind in ReportKind.notifying_reviewers():
                    transaction.on_commit(lambda: notify_reviewers(report))
            return redirect("reports:received", explainer_id=explainer.pk)
    return render(request, "reports/report_form.html", page_context(explainer, form=form))


@never_cache
@methods("GET", "HEAD")
def report_received(request, explainer_id):
    """Say the report arrived, and nothing of what it said."""
    explainer = published_explainer(explainer_id)
    return render(request, "reports/report_received.html", page_context(explainer))
