"""The Atom feed of recently published, medically reviewed explainers."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from .models import Explainer

FEED_LENGTH = 30


def absolute_url(path):
    return f"{settings.SITE_URL}{path}"


class ReviewedExplainersFeed(Feed):
    feed_type = Atom1Feed
    title = "condinfo: recently reviewed explainers"
    subtitle = "Plain-language answers to patients' questions, each approved by a medical reviewer."

    def link(self):
        return absolute_url(reverse("explainers:home"))

    def feed_url(self):
        return absolute_url(reverse("explainers:reviewed_feed"))

    def items(self):
        return Explainer.objects.for_public_page().order_by("-published_at", "-pk")[:FEED_LENGTH]

    def item_title(self, explainer):
        return explainer.published_version.question

    def item_description(self, explainer):
        return explainer.published_version.tldr

    def item_link(self, explainer):
        return absolute_url(explainer.get_absolute_url())

    def item_pubdate(self, explainer):
        return explainer.published_at

    def item_updateddate(self, explainer):
        # When the public text last changed: every publication, full review or minor change, sets it.
        return explainer.published_at

    def item_author_name(self, explainer):
        review = explainer.public_review
        return review.reviewer_name if review else None

    def item_author_link(self, explainer):
        review = explainer.public_review
        return absolute_url(review.reviewer.get_absolute_url()) if review else None

    def item_categories(self, explainer):
        return [explainer.condition.name]
