"""The sitemap: only what the public can read, on the canonical address (settings.SITE_URL)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import Condition, Explainer, Reviewer


class CanonicalSiteSitemap(Sitemap):
    """List addresses on settings.SITE_URL, whatever host the sitemap was requested on."""

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme or "https"

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc


class PageSitemap(CanonicalSiteSitemap):
    def items(self):
        return ["explainers:home", "explainers:condition_index", "explainers:editorial_policy"]

    def location(self, item):
        return reverse(item)


class ConditionSitemap(CanonicalSiteSitemap):
    def items(self):
        return Condition.objects.public().order_by("name")


class ExplainerSitemap(CanonicalSiteSitemap):
    def items(self):
        return Explainer.objects.published().select_related("condition").order_by("condition__name", "position", "pk")

    def lastmod(self, explainer):
        return explainer.last_updated


class ReviewerSitemap(CanonicalSiteSitemap):
    def items(self):
        return Reviewer.objects.filter(pk__in=Explainer.objects.published().values("public_review__reviewer")).order_by(
            "slug"
        )


sitemaps = {
    "pages": PageSitemap,
    "conditions": ConditionSitemap,
    "explainers": ExplainerSitemap,
    "reviewers": ReviewerSitemap,
}
