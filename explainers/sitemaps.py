"""The sitemap: only what the public can read, on the canonical address (settings.SITE_URL)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Q
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
        return Condition.objects.public()


class ExplainerSitemap(CanonicalSiteSitemap):
    def items(self):
        return (
            Explainer.objects.published()
            .select_related("published_version__condition")
            .order_by("published_version__condition__slug", "position", "pk")
        )

    def lastmod(self, explainer):
        return explainer.last_updated


class ReviewerSitemap(CanonicalSiteSitemap):
    def items(self):
        # Everyone named on a public page: full reviewers and approvers of a minor change.
        published = Explainer.objects.published()
        return Reviewer.objects.filter(
            Q(pk__in=published.values("public_review__reviewer"))
            | Q(pk__in=published.values("published_review__reviewer"))
        ).order_by("slug")


sitemaps = {
    "pages": PageSitemap,
    "conditions": ConditionSitemap,
    "explainers": ExplainerSitemap,
    "reviewers": ReviewerSitemap,
}
