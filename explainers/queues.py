"""
Who has what to do next: the review queues on the admin index and in the reminder emails.

Each queue is built from the queryset methods in ``models.py`` and shown only to the roles
that can act on it.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Subquery

from .models import Explainer, ExplainerVersion

APPROVE, SUBMIT, PUBLISH = "explainers.approve_explainer", "explainers.submit_explainer", "explainers.publish_explainer"


@dataclass
class Queue:
    key: str
    title: str
    explainers: list
    link: str = "change"  # which admin page each entry opens: "change" or "review"
    note: str = ""
    shows_due: bool = False  # list the review due date rather than when the explainer last changed

    @property
    def count(self):
        return len(self.explainers)


def with_contribution(queryset, user):
    """Annotate ``contributed``: whether ``user`` edited the version now awaiting review."""
    latest = ExplainerVersion.objects.filter(explainer=OuterRef("pk")).order_by("-number").values("pk")[:1]
    contributed = ExplainerVersion.contributors.through.objects.filter(
        explainerversion_id=OuterRef("latest_version_id"), user_id=user.pk
    )
    return queryset.annotate(latest_version_id=Subquery(latest)).annotate(contributed=Exists(contributed))


def awaiting_review_split(user):
    """Return (explainers ``user`` may review, explainers awaiting review that ``user`` edited)."""
    explainers = list(with_contribution(Explainer.objects.awaiting_review().select_related("condition"), user))
    return [e for e in explainers if not e.contributed], [e for e in explainers if e.contributed]


def review_schedule():
    """Return (published explainers overdue for review, those due within the next 30 days)."""
    overdue = Explainer.objects.due_for_review().select_related("condition").order_by("next_review_due")
    soon = Explainer.objects.due_soon().select_related("condition").order_by("next_review_due")
    return list(overdue), list(soon)


def queues_for(user):
    """Return the queues ``user``'s role lets them act on, in the order they are shown."""
    queues = []
    if user.has_perm(APPROVE):
        mine, edited = awaiting_review_split(user)
        queues.append(Queue("awaiting_review", "Awaiting your review", mine, link="review"))
        if edited:
            queues.append(
                Queue(
                    "edited_by_you",
                    "Awaiting review, but you can't review: you edited it",
                    edited,
                    link="review",
                    note="Another medical reviewer must approve a version you contributed to.",
                )
            )
    if user.has_perm(SUBMIT):
        queues.append(
            Queue(
                "changes_requested",
                "Changes requested",
                list(Explainer.objects.changes_requested().select_related("condition")),
                note="A medical reviewer sent these back with comments; edit, then submit again.",
            )
        )
    if user.has_perm(PUBLISH):
        overdue, soon = review_schedule()
        queues += [
            Queue(
                "awaiting_publication",
                "Approved, awaiting publication",
                list(Explainer.objects.awaiting_publication().select_related("condition")),
            ),
            Queue("overdue", "Overdue for review", overdue, shows_due=True),
            Queue("due_soon", "Due for review within 30 days", soon, shows_due=True),
        ]
    return queues
