"""
The governance report, an admin page and its CSV: for anyone who may view explainers.

Both read ``governance.explainers()``: the page one screenful at a time, the CSV streamed whole, each
in a fixed number of queries whatever the size of the library.
"""

import csv

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.core.paginator import InvalidPage, Paginator
from django.http import Http404, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone

from . import governance

PER_PAGE = 100
VIEW = "explainers.view_explainer"


def _check(request):
    if not request.user.has_perm(VIEW):
        raise PermissionDenied


def report(request):
    """Every explainer, PER_PAGE to a page, with a link to the whole report as CSV."""
    _check(request)
    paginator = Paginator(governance.explainers(), PER_PAGE)
    try:
        page = paginator.page(request.GET.get("page", 1))
    except InvalidPage as error:  # a page number out of range or not a number
        raise Http404("No such page of the governance report.") from error
    today = timezone.localdate()
    return TemplateResponse(
        request,
        "evidence/governance.html",
        {
            **admin.site.each_context(request),
            "title": "Governance report",
            "columns": governance.COLUMNS,
            "rows": [governance.row(explainer, today=today) for explainer in page.object_list],
            "page": page,
        },
    )


class _Echo:
    def write(self, value):
        return value


def report_csv(request):
    """The whole report as CSV, streamed."""
    _check(request)
    writer = csv.writer(_Echo())

    def stream():
        yield writer.writerow(governance.COLUMNS)
        for line in governance.rows():
            yield writer.writerow(line)

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="condinfo-governance-{timezone.localdate()}.csv"'
    return response
