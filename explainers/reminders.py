"""
The reminder digests: each member of staff hears at most once a day, and only about what is theirs.

- An explainer's owner hears about their own pages: flagged for re-review (a source changed),
  overdue or soon due for review, or sent back with changes requested.
- A medical reviewer hears what awaits their review (the review queue's rule decides which).
- A publisher hears about pages overdue by more than the site's escalation threshold, whoever owns
  them, and about pages nobody owns.

``manage.py send_review_reminders`` sends them; this module only decides what they say.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from django.urls import reverse

from .models import APPROVE, PUBLISH, Explainer, SiteSettings
from .queues import QUEUE_LENGTH, awaiting_review_split


@dataclass
class DigestPart:
    """One list in a digest: the first QUEUE_LENGTH explainers of ``total``."""

    counted_as: str  # how the subject line counts it: "2 overdue"
    title: str
    explainers: list
    total: int
    link: str = "change"  # the admin page each entry opens: "change" or "review"
    shows_due: bool = False
    shows_owner: bool = False
    note: str = ""

    @property
    def more(self):
        return self.total - len(self.explainers)

    @property
    def entries(self):
        return [(explainer, admin_link(self.link, explainer)) for explainer in self.explainers]


@dataclass
class Digest:
    user: object
    parts: list = field(default_factory=list)

    @property
    def subject(self):
        return "condinfo reviews: " + ", ".join(f"{part.total} {part.counted_as}" for part in self.parts)

    def render(self):
        """Return (plain text, HTML) bodies."""
        context = {
            "digest": self,
            "name": self.user.get_full_name() or self.user.get_username(),
            "queue_url": settings.SITE_URL + reverse("admin:index"),
        }
        return (
            render_to_string("emails/review_digest.txt", context),
            render_to_string("emails/review_digest.html", context),
        )


def admin_link(name, explainer):
    return settings.SITE_URL + reverse(f"admin:explainers_explainer_{name}", args=[explainer.pk])


def recipients():
    """Active staff with an e-mail address: the only people a digest can go to."""
    return get_user_model().objects.filter(is_active=True, is_staff=True).exclude(email="").order_by("pk")


def _part(queryset, *, order_by, **fields):
    """Return a DigestPart of ``queryset``, or None when it is empty."""
    total = queryset.count()
    if not total:
        return None
    explainers = list(queryset.select_related("condition", "owner").order_by(*order_by)[:QUEUE_LENGTH])
    return DigestPart(explainers=explainers, total=total, **fields)


def digest_for(user, *, today):
    """Return ``user``'s digest for ``today``, or None when nothing is theirs to do."""
    site = SiteSettings.load()
    own = Explainer.objects.owned_by(user)
    parts = []
    if user.has_perm(APPROVE):
        awaiting, _not_theirs = awaiting_review_split(user)
        if awaiting:
            parts.append(
                DigestPart(
                    counted_as="awaiting your review",
                    title="Awaiting your review",
                    explainers=awaiting,
                    total=len(awaiting),
                    link="review",
                    note="Explainers you edited yourself are left out: another medical reviewer must review them.",
                )
            )
    parts += [
        _part(
            own.filter(flagged_since__isnull=False),
            order_by=["flagged_since", "pk"],
            counted_as="flagged for re-review",
            title="Your pages flagged for re-review: a source they rely on changed",
            note="Each says so on its public page until a full review is published.",
        ),
        _part(
            own.due_for_review(on=today),
            order_by=["next_review_due", "pk"],
            counted_as="overdue",
            title="Your pages overdue for review",
            shows_due=True,
        ),
        _part(
            own.due_soon(on=today),
            order_by=["next_review_due", "pk"],
            counted_as=f"due within {settings.CONDINFO_DUE_SOON_DAYS} days",
            title=f"Your pages due for review within {settings.CONDINFO_DUE_SOON_DAYS} days",
            shows_due=True,
        ),
        _part(
            own.changes_requested(),
            order_by=["updated_at", "pk"],
            counted_as="with changes requested",
            title="Your pages a medical reviewer sent back with changes requested",
        ),
    ]
    if user.has_perm(PUBLISH):
        days = site.escalate_overdue_after_days
        parts += [
            _part(
                Explainer.objects.overdue_by_more_than(days, on=today).exclude(owner=user),
                order_by=["next_review_due", "pk"],
                counted_as="escalated",
                title=f"Escalated: overdue for review by more than {days} days",
                shows_due=True,
                shows_owner=True,
                note="Their owners have been reminded; these need a publisher to find them a reviewer.",
            ),
            _part(
                Explainer.objects.without_owner(),
                order_by=["pk"],
                counted_as="with no owner",
                title="Pages with no owner",
                note="Nobody gets these pages' reminders until a publisher gives each an owner.",
            ),
        ]
    parts = [part for part in parts if part is not None]
    return Digest(user, parts) if parts else None
