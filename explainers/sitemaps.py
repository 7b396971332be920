"""
The sitemap index and its sections: only what the public can read, on the canonical address (settings.SITE_URL).

``/sitemap.xml`` is an index of section files, each listing at most SECTION_SIZE addresses: ``pages``
(home, the A–Z, its letter pages and the editorial policy) and ``conditions-<k>``, ``reviewers-<k>``
and ``explainers-<k>``, where section k lists the rows whose ids fall in the k-th block of
SECTION_SIZE ids. A page's section follows from its id alone, so it never moves as the library
grows, every public page is in exactly one file, and a change refreshes one known file in caches
(``sitemap_path_for``). Sections are far smaller than the sitemaps.org limit of 50,000 addresses,
so no file is larger than a page (under 100 KB) and a change makes caches refetch little.

Explainer addresses carry the date their public text last changed. The index dates each section
by its latest publication (or approval) in one grouped query per kind of section, so its query
count never grows; it is the one public page whose work grows with the library (it lists a file
per SECTION_SIZE pages), and the page cache keeps it between changes. Sections are written
directly rather than through Django's sitemap template, which is slow for many addresses; the
index uses Django's own template.
"""

import io
from xml.sax.saxutils import escape

from django.conf import settings
from django.contrib.sitemaps.views import SitemapIndexItem, x_robots_tag
from django.db.models import F, Max, OuterRef, Q, Subquery
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from .models import Condition, ConditionDescriptionApproval, Explainer, Reviewer, SiteSettingsChange, Status
from .public_paths import letter_page_paths

# Addresses per section file at most: about 75 KB of XML (sitemaps.org allows 50,000 and 50 MB).
SECTION_SIZE = 500
XML_TYPE = "application/xml"


def section_number(pk):
    """Return which block of SECTION_SIZE ids ``pk`` falls in: 1 for ids 1 to SECTION_SIZE, and so on."""
    return (pk - 1) // SECTION_SIZE + 1


def sitemap_path_for(explainer):
    """Return the path of the sitemap file that lists ``explainer`` (while it is published)."""
    return reverse("sitemap_section", args=[f"explainers-{section_number(explainer.pk)}"])


def sitemap_path_for_condition(condition):
    return reverse("sitemap_section", args=[f"conditions-{section_number(condition.pk)}"])


def day(moment):
    """Return the local date of a datetime (and a date as it is): sitemaps give dates."""
    if moment is None or not hasattr(moment, "tzinfo"):
        return moment
    return timezone.localdate(moment)


def latest(*days):
    return max((d for d in days if d is not None), default=None)


def path_pattern(route, placeholder_count):
    """Return ``reverse(route)`` as a format string with one ``{}`` per argument.

    Rows are many (up to SECTION_SIZE per file) and ``reverse()`` for each would cost about a
    second per file; slugs need no quoting, so they fill the pattern as they are.
    """
    markers = [f"slugmarker{n}" for n in range(placeholder_count)]
    pattern = reverse(route, args=markers).replace("{", "{{").replace("}", "}}")
    for marker in markers:
        pattern = pattern.replace(marker, "{}", 1)
    return pattern


# ---------------------------------------------------------------------------
# The sections: what each lists, as (path, lastmod) pairs, and when it last changed


def latest_publication(explainers):
    """Return when the latest of ``explainers`` (published ones) was published, read along the publication index."""
    return day(explainers.order_by("-published_at", "-pk").values_list("published_at", flat=True).first())


class PagesSection:
    """Home, the A–Z index, every page of every letter in use, and the editorial policy."""

    name = "pages"

    def lastmod(self):
        """When what these pages show last changed: a publication, a condition approval or a site setting."""
        approval = (
            Condition.objects.public()
            .order_by("-approved_description_id")
            .values_list("approved_description__approved_at", flat=True)
            .first()
        )
        setting = SiteSettingsChange.objects.order_by("-pk").values_list("at", flat=True).first()
        return latest(latest_publication(Explainer.objects.published()), day(approval), day(setting))

    def entries(self):
        yield reverse("explainers:home"), None
        yield reverse("explainers:condition_index"), None
        for initial, conditions in sorted(Condition.objects.count_by_initial().items()):
            for path in letter_page_paths(initial, conditions):
                yield path, None
        yield reverse("explainers:editorial_policy"), None


class IdRangeSection:
    """The public rows whose ids fall in one block of SECTION_SIZE ids."""

    kind = ""
    model = None

    def __init__(self, number):
        self.number = number
        first = (number - 1) * SECTION_SIZE + 1
        self.ids = (first, first + SECTION_SIZE - 1)

    @classmethod
    def listed(cls):
        """Return [(section number, lastmod)] for every section of this kind that lists something, in order."""
        dated = {}
        for number, moment in cls.latest_by_section():
            dated[number] = latest(dated.get(number), day(moment))
        return sorted((number, lastmod) for number, lastmod in dated.items() if lastmod is not None)

    @classmethod
    def latest_by_section(cls):
        """Return (section number, when it last changed) pairs; a section may come more than once."""
        raise NotImplementedError

    def lastmod(self):
        """Return when the section last changed, or None when it lists nothing."""
        raise NotImplementedError

    def entries(self):
        raise NotImplementedError


def latest_by_block(queryset, id_field, moment_field):
    """Return (section number, latest ``moment_field``) of ``queryset``'s rows, grouped by the block ``id_field`` is in.

    One grouped query, whatever the number of sections (integer division on both databases).
    """
    return (
        queryset.order_by()
        .annotate(section=(F(id_field) - 1) / SECTION_SIZE + 1)
        .values("section")
        .annotate(latest=Max(moment_field))
        .values_list("section", "latest")
    )


class ConditionsSection(IdRangeSection):
    kind = "conditions"
    model = Condition

    def public(self):
        return Condition.objects.public().filter(pk__range=self.ids)

    def lastmod(self):
        """The latest approval among its conditions, which is when the file last changed (None when none is public)."""
        return day(
            self.public()
            .order_by("-approved_description_id")
            .values_list("approved_description__approved_at", flat=True)
            .first()
        )

    @classmethod
    def latest_by_section(cls):
        # Approvals are recorded in order, so a section's latest has its highest id: the grouping reads
        # the condition table alone, and one more query dates the few approvals found.
        latest_ids = dict(latest_by_block(Condition.objects.public(), "pk", "approved_description_id"))
        approved_at = dict(
            ConditionDescriptionApproval.objects.filter(pk__in=latest_ids.values()).values_list("pk", "approved_at")
        )
        return [(number, approved_at[approval]) for number, approval in latest_ids.items()]

    def entries(self):
        pattern = path_pattern("explainers:condition", 1)
        for slug in self.public().order_by("pk").values_list("slug", flat=True).iterator(chunk_size=2000):
            yield pattern.format(slug), None


class ReviewersSection(IdRangeSection):
    kind = "reviewers"
    model = Reviewer

    def lastmod(self):
        """The latest publication naming one of its reviewers (None when a public page names none)."""
        naming = Q(public_review__reviewer__pk__range=self.ids) | Q(published_review__reviewer__pk__range=self.ids)
        return latest_publication(Explainer.objects.published().filter(naming))

    @classmethod
    def latest_by_section(cls):
        # Reviewers are few (one section per SECTION_SIZE of them): each section asks its own date.
        highest = Reviewer.objects.aggregate(highest=Max("pk"))["highest"] or 0
        return [(number, cls(number).lastmod()) for number in range(1, section_number(highest) + 1)]

    def entries(self):
        # Asked of each reviewer through the review indexes, never by listing every published explainer.
        published = Explainer.objects.published().order_by().values("pk")
        named = (
            Reviewer.objects.filter(pk__range=self.ids)
            .alias(
                full=Subquery(published.filter(public_review__reviewer=OuterRef("pk"))[:1]),
                change=Subquery(published.filter(published_review__reviewer=OuterRef("pk"))[:1]),
            )
            .filter(Q(full__isnull=False) | Q(change__isnull=False))
        )
        pattern = path_pattern("explainers:reviewer", 1)
        for slug in named.order_by("pk").values_list("slug", flat=True).iterator(chunk_size=2000):
            yield pattern.format(slug), None


class ExplainersSection(IdRangeSection):
    kind = "explainers"
    model = Explainer

    def published(self):
        return Explainer.objects.published().filter(pk__range=self.ids)

    def lastmod(self):
        """The latest publication among its explainers (None when none is published)."""
        return latest_publication(self.published())

    @classmethod
    def latest_by_section(cls):
        # The explainer table alone, through its index of published rows: a published explainer's
        # condition is public (publishing requires it), so the join published() adds is not needed.
        return latest_by_block(Explainer.objects.filter(status=Status.PUBLISHED), "pk", "published_at")

    def entries(self):
        """Each published explainer, with the date its public text last changed."""
        pattern = path_pattern("explainers:explainer", 2)
        rows = (
            self.published()
            .order_by("pk")
            .values_list("published_version__condition__slug", "published_version__slug", "last_updated")
        )
        for condition_slug, slug, last_updated in rows.iterator(chunk_size=2000):
            yield pattern.format(condition_slug, slug), last_updated


ID_RANGE_SECTIONS = {section.kind: section for section in (ConditionsSection, ReviewersSection, ExplainersSection)}


def find_section(name):
    """Return the section called ``name`` (e.g. "explainers-3"), or None."""
    if name == PagesSection.name:
        return PagesSection()
    kind, _, number = name.rpartition("-")
    if kind not in ID_RANGE_SECTIONS or not number.isdigit() or number.startswith("0"):
        return None
    return ID_RANGE_SECTIONS[kind](int(number))


# ---------------------------------------------------------------------------
# The views


def canonical(path):
    """Return ``path`` on settings.SITE_URL, whatever host the sitemap was requested on."""
    return f"{settings.SITE_URL}{path}"


@x_robots_tag
def index(request):
    """List every section file that lists something, with the date it last changed."""
    items = [SitemapIndexItem(canonical(reverse("sitemap_section", args=["pages"])), PagesSection().lastmod())]
    for kind, section in ID_RANGE_SECTIONS.items():
        for number, lastmod in section.listed():
            items.append(SitemapIndexItem(canonical(reverse("sitemap_section", args=[f"{kind}-{number}"])), lastmod))
    return TemplateResponse(request, "sitemap_index.xml", {"sitemaps": items}, content_type=XML_TYPE)


@x_robots_tag
def section(request, name):
    """One section file: at most SECTION_SIZE addresses with the date each last changed."""
    found = find_section(name)
    if found is None:
        raise Http404("No such sitemap section.")
    # Written into one buffer as the rows arrive: a file of 50,000 addresses is about 6 MB, and a
    # string per address would hold several times that in a worker's memory.
    body = io.BytesIO()
    body.write(
        b'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
    )
    listed = 0
    for path, lastmod in found.entries():
        modified = f"<lastmod>{lastmod.isoformat()}</lastmod>" if lastmod else ""
        body.write(f"<url><loc>{escape(canonical(path))}</loc>{modified}</url>\n".encode())
        listed += 1
    if not listed:  # an empty <urlset> is not a valid sitemap, and the index does not list it
        raise Http404("This sitemap section lists nothing.")
    body.write(b"</urlset>\n")
    return HttpResponse(body.getbuffer(), content_type=XML_TYPE)
