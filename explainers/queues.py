"""
Who has what to do next: the review queues on the admin index and in the reminder emails.

Each queue is built from the queryset methods in ``models`` and shown only to the roles that
can act on it. Whether a reviewer may review an explainer is the model's rule
(``Explainer.review_refusal``), asked here, never worked out again.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import F, Q

from .models import APPROVE, PUBLISH, SUBMIT, Condition, Explainer, ReviewFlag

# The most entries a queue on the admin index lists.
QUEUE_LENGTH = 50


@dataclass
class Queue:
    key: str
    title: str
    explainers: list
    link: str = "change"  # which admin page each entry opens: "change" or "review"
    note: str = ""
    shows_due: bool = False  # list the review due date rather than when the explainer last changed
    reasons: dict = None  # explainer pk → why the person cannot act on it
    conditions: list = None  # a queue of conditions instead of explainers

    @property
    def count(self):
        return len(self.conditions if self.conditions is not None else self.explainers)


def awaiting_review_split(user):
    """Return (explainers ``user`` may review, [(explainer, why they may not)] for the rest)."""
    mine, others = [], []
    awaiting = (
        Explainer.objects.awaiting_review()
        .select_related("condition")
        .prefetch_related("sections", "sources__reference", "versions__contributors")  # what the review rule reads
        .order_by(F("flagged_since").asc(nulls_last=True), "updated_at")[:QUEUE_LENGTH]  # flagged pages first
    )
    for explainer in awaiting:
        reason = explainer.review_refusal(user)
        if reason is None:
            mine.append(explainer)
        else:
            others.append((explainer, reason))
    return mine, others


def flagged_for_rereview():
    """Return (explainers flagged because a source they publish changed, {pk: the reason}), longest-flagged first."""
    explainers = list(
        Explainer.objects.filter(flagged_since__isnull=False)
        .select_related("condition", "owner")
        .order_by("flagged_since", "pk")[:QUEUE_LENGTH]
    )
    reasons = {}
    flags = ReviewFlag.objects.open().filter(explainer__in=explainers).select_related("reference__superseded_by")
    for flag in flags:
        reasons[flag.explainer_id] = " ".join(filter(None, [reasons.get(flag.explainer_id), flag.reason_text]))
    return explainers, reasons


def review_schedule():
    """Return (published explainers overdue for review, those due within the next days)."""
    overdue = Explainer.objects.due_for_review().select_related("condition").order_by("next_review_due")
    soon = Explainer.objects.due_soon().select_related("condition").order_by("next_review_due")
    return list(overdue[:QUEUE_LENGTH]), list(soon[:QUEUE_LENGTH])


def conditions_awaiting_approval():
    """Conditions whose public details (name, other names, description) differ from the approved ones.

    The database picks the candidates, never approved or with details unlike the approved
    snapshot's (an approval stores the details it approved, so equal details need no approval),
    and stops at the queue's length; the model's ``awaits_approval`` has the last word (it
    ignores surrounding whitespace, which the database's comparison does not).
    """
    candidates = (
        Condition.objects.filter(
            Q(approved_description__isnull=True)
            | ~Q(name=F("approved_description__name"))
            | ~Q(alternate_names=F("approved_description__alternate_names"))
            | ~Q(description=F("approved_description__text"))
        )
        .select_related("approved_description")
        .order_by("name")
    )
    found = []
    for condition in candidates.iterator(chunk_size=QUEUE_LENGTH):
        if condition.awaits_approval:
            found.append(condition)
            if len(found) == QUEUE_LENGTH:
                break
    return found


def queues_for(user):
    """Return the queues ``user``'s role lets them act on, in the order they are shown."""
    queues = []
    if user.has_perm(APPROVE) or user.has_perm(SUBMIT) or user.has_perm(PUBLISH):
        flagged, reasons = flagged_for_rereview()
        if flagged:  # shown only when there is something: it goes above everything else
            queues.append(
                Queue(
                    "flagged",
                    "Flagged for re-review: a source changed",
                    flagged,
                    note="Each page's published text cites a source since superseded or retracted, and says so "
                    "publicly until a full review of a version that no longer relies on it (or confirms it) is "
                    "published.",
                    reasons=reasons,
                )
            )
    if user.has_perm(APPROVE):
        mine, others = awaiting_review_split(user)
        queues.append(Queue("awaiting_review", "Awaiting your review", mine, link="review"))
        if others:
            queues.append(
                Queue(
                    "not_yours",
                    "Awaiting review, but not by you",
                    [explainer for explainer, _ in others],
                    link="review",
                    note="Another medical reviewer must decide on these; the reason is given for each.",
                    reasons={explainer.pk: reason for explainer, reason in others},
                )
            )
        conditions = [c for c in conditions_awaiting_approval() if c.approval_refusal(user) is None]
        queues.append(
            Queue(
                "conditions",
                "Conditions awaiting approval",
                [],
                conditions=conditions,
                note="Their name, other names or description changed; the public sees the approved details.",
            )
        )
    if user.has_perm(SUBMIT):
        queues.append(
            Queue(
                "changes_requested",
                "Changes requested",
                list(
                    Explainer.objects.changes_requested()
                    .select_related("condition")
                    .order_by("updated_at")[:QUEUE_LENGTH]
                ),
                note="A medical reviewer sent these back with comments; edit, then submit again.",
            )
        )
    if user.has_perm(PUBLISH):
        overdue, soon = review_schedule()
        queues += [
            Queue(
                "awaiting_publication",
                "Approved, awaiting publication",
                list(
                    Explainer.objects.awaiting_publication()
                    .select_related("condition")
                    .order_by("updated_at")[:QUEUE_LENGTH]
                ),
            ),
            Queue("overdue", "Overdue for review", overdue, shows_due=True),
            Queue("due_soon", f"Due for review within {settings.CONDINFO_DUE_SOON_DAYS} days", soon, shows_due=True),
        ]
    return queues
