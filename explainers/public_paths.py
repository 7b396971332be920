"""
The public addresses that show an explainer or a condition: what a change must refresh in caches.

Also the addresses of the A–Z's letter pages, which views, the sitemap and cache purges share.
"""

import math

from django.urls import reverse

# The A–Z files names starting with neither A–Z under "#" (see models.content.az_position); its address says 0-9.
OTHER_INITIAL = "#"
OTHER_LETTER = "0-9"


def letter_of(initial):
    """Return the address form of an A–Z initial: "a" for "A", "0-9" for "#"."""
    return OTHER_LETTER if initial == OTHER_INITIAL else initial.lower()


def initial_of(letter):
    """Return the A–Z initial a letter address stands for (the inverse of ``letter_of``)."""
    return OTHER_INITIAL if letter == OTHER_LETTER else letter.upper()


def letter_page_paths(initial, conditions):
    """Return the paths of every page of a letter listing ``conditions`` conditions (its first page at least)."""
    from .views import CONDITIONS_PER_PAGE  # the views decide the page size

    first = reverse("explainers:condition_letter", args=[letter_of(initial)])
    pages = max(1, math.ceil(conditions / CONDITIONS_PER_PAGE))
    return [first, *(f"{first}?page={number}" for number in range(2, pages + 1))]


def site_wide_paths():
    """Pages that list explainers whatever they are about."""
    return [
        reverse("explainers:home"),
        reverse("explainers:condition_index"),
        reverse("explainers:reviewed_feed"),
        reverse("sitemap"),
        reverse("sitemap_section", args=["pages"]),
    ]


def paths_showing(explainer, version=None):
    """Return the paths whose content shows ``version`` (default: the published one) of ``explainer``."""
    version = version or explainer.published_version
    if version is None:
        return []
    from .models import version_url
    from .sitemaps import sitemap_path_for

    page = version_url(version)
    history = reverse("explainers:explainer_history", args=[version.condition.slug, version.slug])
    verify = reverse("verification:verify", args=[version.content_hash])  # says whether it is still current
    return [page, history, verify, sitemap_path_for(explainer), *paths_showing_condition(version.condition)]


def paths_showing_condition(condition):
    """Return the paths that show ``condition``: its page, its letter's pages, its sitemap file and site-wide pages.

    An approval that renames the condition can move it to another letter: the letter of the name
    approved before is refreshed too.
    """
    from .models import Condition
    from .models.content import az_position
    from .sitemaps import sitemap_path_for_condition

    names = condition.description_approvals.order_by("-pk").values_list("name", flat=True)[:2]
    letters = []
    for initial in dict.fromkeys(az_position(name)[0] for name in names):
        letters += letter_page_paths(initial, Condition.objects.in_letter(initial).count())
    return [condition.get_absolute_url(), *letters, sitemap_path_for_condition(condition), *site_wide_paths()]
