"""The Atom feed of recently published, medically reviewed explainers."""

import datetime

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.feedgenerator import Atom1Feed

from .models import Explainer

FEED_LENGTH = 30


def absolute_url(path):
    return f"{settings.SITE_URL}{path}"


class PlainTextSummaryAtomFeed(Atom1Feed):
    """Atom with ``<summary type="text">``: the TL;DR is plain text, so markup typed into it stays text.

    Django's Atom feed labels every summary ``type="html"``, which tells feed readers to run
    whatever markup the (escaped) text spells out.
    """

    def add_item_elements(self, handler, item):
        description = item.get("description")
        super().add_item_elements(handler, {**item, "description": None})
        if description:
            handler.addQuickElement("summary", description, {"type": "text"})


def review_line(explainer):
    """Say who approved the text shown, and when, as the page does."""
    parts = []
    if review := explainer.public_review:
        parts.append(f"Medically reviewed by {review.reviewer_name} on {format_date(review.reviewed_on, 'j F Y')}.")
    if change := explainer.latest_change_review:
        parts.append(
            f"Latest change approved by {change.reviewer_name} on {format_date(change.reviewed_on, 'j F Y')} "
            "(minor change)."
        )
    return " ".join(parts)


class ReviewedExplainersFeed(Feed):
    feed_type = PlainTextSummaryAtomFeed
    title = "condinfo: recently reviewed explainers"
    subtitle = "Plain-language answers to patients' questions, each approved by a medical reviewer."

    def link(self):
        return absolute_url(reverse("explainers:home"))

    def feed_url(self):
        return absolute_url(reverse("explainers:reviewed_feed"))

    def items(self):
        """The latest FEED_LENGTH publications, read newest first along the explainer_latest_published index."""
        return (
            Explainer.objects.for_public_list()
            .select_related("published_review__reviewer", "public_review__reviewer")  # each entry links its reviewer
            .filter(published_at__isnull=False)  # lets the index skip never-published rows (NULLs sort first)
            .order_by("-published_at", "-pk")[:FEED_LENGTH]
        )

    def item_title(self, explainer):
        return explainer.published_version.question

    def item_description(self, explainer):
        return f"{explainer.published_version.tldr}\n\n{review_line(explainer)}".strip()

    def item_link(self, explainer):
        return absolute_url(explainer.get_absolute_url())

    def item_pubdate(self, explainer):
        return explainer.published_at

    def item_updateddate(self, explainer):
        # When the public text last changed, not when it was last (re)published.
        midnight = datetime.datetime.combine(explainer.last_updated, datetime.time.min)
        return timezone.make_aware(midnight)

    def item_author_name(self, explainer):
        review = explainer.published_review or explainer.public_review
        return review.reviewer_name if review else None

    def item_author_link(self, explainer):
        review = explainer.published_review or explainer.public_review
        return absolute_url(review.reviewer.get_absolute_url()) if review else None

    def item_categories(self, explainer):
        return [explainer.published_version.condition.public_name]
