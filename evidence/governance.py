"""
The governance report: every explainer with its owner, status, last full review, next review due,
overdue flag, re-review flag (a source changed), broken links, reading age and open reader reports, so an assessor
can choose pages at random. One query, whatever the size of the library (counts are subqueries).
"""

from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Coalesce
from django.utils import timezone

from explainers.models import Explainer, LinkCheck, LinkResult
from reports.models import Report, ReportStatus

OPEN_REPORTS = [ReportStatus.NEW, ReportStatus.ACKNOWLEDGED]
COLUMNS = [
    "id",
    "question",
    "condition",
    "status",
    "public",
    "last full review",
    "reviewed by",
    "next review due",
    "overdue",
    "owner",
    "flagged for re-review since",
    "broken links",
    "reading age",
    "open reader reports",
]


def explainers():
    """Every explainer with what the report shows, in one query."""
    open_reports = (
        Report.objects.filter(explainer=OuterRef("pk"), status__in=OPEN_REPORTS)
        .order_by()
        .values("explainer")
        .annotate(n=Count("pk"))
        .values("n")
    )
    broken_links = (
        LinkCheck.objects.filter(explainer=OuterRef("pk"), result=LinkResult.BROKEN)
        .order_by()
        .values("explainer")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Explainer.objects.select_related("condition", "public_review", "owner")
        .only(
            "question",
            "status",
            "published_version_id",
            "next_review_due",
            "flagged_since",
            "condition__name",
            "public_review__reviewed_on",
            "public_review__reviewer_name",
            "owner__username",
        )
        .annotate(
            open_reports=Coalesce(Subquery(open_reports, output_field=IntegerField()), Value(0)),
            broken_links=Coalesce(Subquery(broken_links, output_field=IntegerField()), Value(0)),
            # The published version's, as measured when it was frozen (readability/).
            reading_age=KeyTextTransform(
                "reading_age", KeyTransform("whole", "published_version__readability__figures")
            ),
        )
        .order_by("pk")
    )


def row(explainer, *, today):
    review = explainer.public_review
    return [
        explainer.pk,
        explainer.question,
        explainer.condition.name,
        explainer.get_status_display(),
        "yes" if explainer.is_public else "no",
        review.reviewed_on.isoformat() if review else "",
        review.reviewer_name if review else "",
        explainer.next_review_due.isoformat() if explainer.next_review_due else "",
        "yes" if explainer.is_overdue(on=today) else "no",
        explainer.owner.username if explainer.owner else "",
        explainer.flagged_since.isoformat() if explainer.flagged_since else "",
        explainer.broken_links,
        explainer.reading_age or "",
        explainer.open_reports,
    ]


def rows(queryset=None):
    today = timezone.localdate()
    for explainer in (queryset if queryset is not None else explainers()).iterator(chunk_size=2000):
        yield row(explainer, today=today)
