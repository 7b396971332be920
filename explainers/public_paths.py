"""The public addresses that show an explainer or a condition: what a change must refresh in caches."""

from django.urls import reverse


def site_wide_paths():
    """Pages that list explainers whatever they are about."""
    return [
        reverse("explainers:home"),
        reverse("explainers:condition_index"),
        reverse("explainers:reviewed_feed"),
        reverse("sitemap"),
    ]


def paths_showing(explainer, version=None):
    """Return the paths whose content shows ``version`` (default: the published one) of ``explainer``."""
    version = version or explainer.published_version
    if version is None:
        return []
    from .models import version_url

    return [version_url(version), *paths_showing_condition(version.condition)]


def paths_showing_condition(condition):
    return [condition.get_absolute_url(), *site_wide_paths()]
