"""
The public reading site. Every page reads only what a medical reviewer approved:
published snapshots (``Explainer.published_version``) and approved condition descriptions.
"""

import re
import string
from email.utils import parseaddr
from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import InvalidPage, Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from .models import (
    Author,
    Condition,
    EventAction,
    Explainer,
    ExplainerEvent,
    ExplainerVersion,
    Review,
    Reviewer,
    SiteSettings,
)
from .public_paths import OTHER_INITIAL, initial_of, letter_of
from .search import MAX_QUERY_LENGTH, search

RECENTLY_REVIEWED = 8
# Long lists are cut into pages, so a page costs the same however large the library grows.
CONDITIONS_PER_PAGE = 100
REVIEWS_PER_PAGE = 20
PAGE_NUMBER = re.compile(r"[1-9][0-9]{0,5}")
PUBMED_URL = "https://pubmed.ncbi.nlm.nih.gov/{}/"
DOI_URL = "https://doi.org/{}"
SCHEMA_ORG = "https://schema.org/"
# Control characters carry no meaning in a search and PostgreSQL refuses NUL in text.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def absolute_url(path):
    """Return ``path`` on the canonical site address (settings.SITE_URL)."""
    return f"{settings.SITE_URL}{path}"


def page_context(**context):
    """Add the site settings, loaded once for the page rather than on every template lookup."""
    if "site_settings" not in context:  # not setdefault, which would load them even when given
        context["site_settings"] = SiteSettings.load()
    return context


def page_number(request):
    """Return the page number ``?page=`` asks for (1 without one); anything but a page number is not found (404)."""
    number = request.GET.get("page", "1")
    if not PAGE_NUMBER.fullmatch(number):
        raise Http404("No such page.")
    return int(number)


def paginate(request, items, per_page):
    """Return the page of ``items`` that ``?page=`` asks for; a page past the last is not found (404)."""
    try:
        return Paginator(items, per_page).page(page_number(request))
    except InvalidPage as error:
        raise Http404("No such page.") from error


def page_links(page, path, **params):
    """Return the links between the pages of a list: numbered pages (with gaps when many), previous and next.

    Links keep ``params`` (a search's words, say); the first page's address has no page number.
    """

    def url(number):
        query = urlencode({**params, **({"page": number} if number > 1 else {})})
        return f"{path}?{query}" if query else path

    numbers = page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    return {
        "number": page.number,
        "count": page.paginator.num_pages,
        "first_item": page.start_index(),
        "last_item": page.end_index(),
        "items": page.paginator.count,
        "pages": [
            {"number": n, "url": url(n), "current": n == page.number} if n != Paginator.ELLIPSIS else None
            for n in numbers
        ],
        "previous": url(page.previous_page_number()) if page.has_previous() else None,
        "next": url(page.next_page_number()) if page.has_next() else None,
    }


def paginated_canonical_url(path, page):
    """Return the canonical address of one page of a list: each page of it is a page of its own."""
    return absolute_url(f"{path}?page={page.number}" if page.number > 1 else path)


def alphabet(counts=None, current=None):
    """Return the A–Z's letters, then "#", each with its letter page's address.

    With ``counts`` ({letter: conditions}), each letter says how many conditions it lists and
    letters listing none have no address. Without, every letter links to its page (which says
    when it lists nothing), so a page showing the letters need not count the library.
    """
    return [
        {
            "initial": initial,
            "conditions": counts.get(initial, 0) if counts is not None else None,
            "url": reverse("explainers:condition_letter", args=[letter_of(initial)])
            if counts is None or initial in counts
            else None,
            "current": initial == current,
        }
        for initial in [*string.ascii_uppercase, OTHER_INITIAL]
    ]


def home(request):
    """Recently reviewed answers and the A–Z's letters: a bounded selection, whatever the size of the library."""
    # Reviews are recorded as they happen, so the latest full review has the highest id: the index on
    # public_review reads the most recently reviewed first, where sorting by review date reads them all.
    recent = (
        Explainer.objects.for_public_list()
        .filter(public_review__isnull=False)
        .order_by("-public_review_id")[:RECENTLY_REVIEWED]
    )
    return render(
        request,
        "explainers/home.html",
        page_context(
            recent_explainers=recent,
            alphabet=alphabet(),
            canonical_url=absolute_url(reverse("explainers:home")),
        ),
    )


def condition_index(request):
    """The A–Z: each letter with how many conditions it lists, linking to the letter's page."""
    counts = Condition.objects.count_by_initial()
    return render(
        request,
        "explainers/condition_list.html",
        page_context(alphabet=alphabet(counts), letters_in_use=bool(counts), canonical_url=absolute_url(request.path)),
    )


def condition_letter(request, letter):
    """One letter of the A–Z: its public conditions in order, CONDITIONS_PER_PAGE to a page."""
    initial = initial_of(letter)
    page = paginate(request, Condition.objects.in_letter(initial), CONDITIONS_PER_PAGE)
    return render(
        request,
        "explainers/condition_letter.html",
        page_context(
            letter_name="a number or symbol" if initial == OTHER_INITIAL else initial,
            alphabet=alphabet(current=initial),
            conditions=page.object_list,
            pagination=page_links(page, request.path),
            canonical_url=paginated_canonical_url(request.path, page),
        ),
    )


def condition_detail(request, slug):
    condition = get_object_or_404(Condition.objects.public(), slug=slug)
    explainers = (
        Explainer.objects.for_public_list()
        .filter(published_version__condition=condition)
        .order_by("position", "published_version__question", "pk")
    )
    canonical = absolute_url(condition.get_absolute_url())
    structured_data = {
        "@context": "https://schema.org",
        "@type": "MedicalCondition",
        "name": condition.public_name,
        "url": canonical,
    }
    if condition.public_alternate_names:
        structured_data["alternateName"] = condition.public_alternate_names
    if condition.public_description:
        structured_data["description"] = condition.public_description
    return render(
        request,
        "explainers/condition_detail.html",
        page_context(
            condition=condition,
            explainers=explainers,
            canonical_url=canonical,
            structured_data=structured_data,
        ),
    )


def explainer_detail(request, condition_slug, slug):
    """Show the published snapshot at its address; an address a page was published at before redirects."""
    explainer = Explainer.objects.for_public_page().at_address(condition_slug, slug)
    if explainer is None:
        return redirect_moved_explainer(condition_slug, slug)
    version = explainer.published_version
    sections = [{**section, "anchor": f"section-{number}"} for number, section in enumerate(version.sections, start=1)]
    sources = [source_links(source) for source in version.sources]
    authors = authors_of(version)
    canonical = absolute_url(explainer.get_absolute_url())
    site = SiteSettings.load()
    return render(
        request,
        "explainers/explainer_detail.html",
        page_context(
            site_settings=site,
            explainer=explainer,
            condition=version.condition,
            version=version,
            review=explainer.public_review,
            authors=authors,
            latest_change=explainer.latest_change_review,
            sections=sections,
            sources=sources,
            is_overdue=explainer.is_overdue(),
            # Only a flagged page asks: every other page keeps its query budget.
            source_flags=list(explainer.open_flags()) if explainer.flagged_since else [],
            get_help_action=site.get_help_action(version.get_help["level"]) if version.get_help else "",
            correction=explainer.correction_notice(days=site.correction_notice_days),
            history_url=reverse("explainers:explainer_history", args=[condition_slug, slug]),
            canonical_url=canonical,
            structured_data=explainer_structured_data(explainer, sections, sources, canonical, authors),
        ),
    )


def explainer_history(request, condition_slug, slug):
    """Every publication of a public explainer: when, the kind of review, who approved it, and what changed."""
    explainer = Explainer.objects.for_public_list().at_address(condition_slug, slug)
    if explainer is None:
        raise Http404("No published explainer at this address.")
    publications = (
        ExplainerEvent.objects.filter(explainer=explainer, action=EventAction.PUBLISHED)
        .select_related("version")
        .order_by("-pk")
    )
    approvals = {
        review.version_id: review
        for review in Review.objects.approvals().filter(explainer=explainer).order_by("pk")  # the latest wins
    }
    entries = [
        {
            "published_on": publication.at,
            "version": publication.version.number,
            "review": approvals.get(publication.version_id),
            "summary": summary_of(approvals.get(publication.version_id), publication.version),
            "first": index == len(publications) - 1,
        }
        for index, publication in enumerate(publications)
    ]
    return render(
        request,
        "explainers/explainer_history.html",
        page_context(
            explainer=explainer,
            condition=explainer.published_version.condition,
            entries=entries,
            canonical_url=absolute_url(request.path),
        ),
    )


def summary_of(review, version):
    """The change summary readers see: as the reviewer approved it, else the author's."""
    return (review.change_summary if review else "") or version.change_summary


def redirect_moved_explainer(condition_slug, slug):
    """Redirect (301) an address an explainer was published at before to where it is published now; else 404."""
    publication = (
        ExplainerEvent.objects.filter(
            action=EventAction.PUBLISHED, version__condition__slug=condition_slug, version__slug=slug
        )
        .order_by("-pk")
        .values_list("explainer_id", flat=True)
        .first()
    )
    explainer = Explainer.objects.for_public_list().filter(pk=publication).first() if publication else None
    if explainer is None:
        raise Http404("No published explainer at this address.")
    return redirect(explainer.get_absolute_url(), permanent=True)


def source_links(source):
    """Return a snapshot source with its PubMed and DOI addresses worked out."""
    pmid, doi = source.get("pmid", "").strip(), source.get("doi", "").strip()
    return {
        **source,
        "pubmed_url": PUBMED_URL.format(pmid) if pmid else "",
        "doi_url": DOI_URL.format(doi) if doi else "",
    }


def explainer_structured_data(explainer, sections, sources, canonical, authors=()):
    """Return the schema.org MedicalWebPage description of an explainer page, as plain data."""
    version, review = explainer.published_version, explainer.public_review
    condition = version.condition
    about = {
        "@type": "MedicalCondition",
        "name": condition.public_name,
        "url": absolute_url(condition.get_absolute_url()),
    }
    if condition.public_alternate_names:
        about["alternateName"] = condition.public_alternate_names
    data = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "name": version.question,
        "headline": version.question,
        "description": version.tldr,
        "url": canonical,
        "inLanguage": "en-GB",
        "dateModified": explainer.last_updated.isoformat(),
        "about": about,
        "mainContentOfPage": {"@type": "WebPageElement", "cssSelector": "#answer"},
        "publisher": {"@type": "Organization", "name": "condinfo", "url": absolute_url("/")},
    }
    # The approved text's fingerprint, which /verify/<hash>/ explains (schema.org has no content-hash property).
    data["identifier"] = {
        "@type": "PropertyValue",
        "propertyID": "condinfo-approved-content-sha256",
        "value": version.content_hash,
        "url": absolute_url(reverse("verification:verify", args=[version.content_hash])),
    }
    if explainer.first_published_on:
        data["datePublished"] = explainer.first_published_on.isoformat()
    if explainer.correction_id:  # the latest correction, as the page's history keeps it
        data["correction"] = {
            "@type": "CorrectionComment",
            "text": explainer.correction.correction_note,
            "datePublished": explainer.corrected_on.isoformat(),
        }
    if authors:
        people = [
            {"@type": "Person", "name": a.display_name, "jobTitle": a.role, "url": absolute_url(a.get_absolute_url())}
            for a in authors
        ]
        data["author"] = people[0] if len(people) == 1 else people
    if review is not None:
        data["lastReviewed"] = review.reviewed_on.isoformat()
    # Everyone who approved the words shown: the full review, and a later minor change's approver.
    reviewers = [r for r in (review, explainer.latest_change_review) if r is not None]
    if reviewers:
        people = [
            {
                "@type": "Person",
                "name": r.reviewer_name,
                "jobTitle": r.reviewer_credentials,
                "url": absolute_url(r.reviewer.get_absolute_url()),
            }
            for r in reviewers
        ]
        data["reviewedBy"] = people[0] if len(people) == 1 else people
    parts = []
    for section in sections:
        part = {"@type": "WebPageElement", "cssSelector": f"#{section['anchor']}"}
        if section.get("heading"):
            part["name"] = section["heading"]
        if section.get("health_aspect"):
            # hasHealthAspect belongs to HealthTopicContent: the section is both kinds of thing.
            part["@type"] = ["WebPageElement", "HealthTopicContent"]
            part["hasHealthAspect"] = SCHEMA_ORG + section["health_aspect"]
        parts.append(part)
    if parts:
        data["hasPart"] = parts
    citations = []
    for source in sources:
        citation = {"@type": "CreativeWork", "name": source["citation"]}
        if source.get("url"):
            citation["url"] = source["url"]
        same_as = [link for link in (source["pubmed_url"], source["doi_url"]) if link]
        if same_as:
            citation["sameAs"] = same_as
        citations.append(citation)
    if citations:
        data["citation"] = citations
    return data


def authors_of(version):
    """Return the public author profiles among the contributors recorded on ``version``, in one query."""
    contributors = ExplainerVersion.contributors.through.objects.filter(explainerversion_id=version.pk)
    return list(Author.objects.filter(user_id__in=contributors.values("user_id")))


def author_detail(request, slug):
    """An author's profile, listing the public pages whose published version they wrote."""
    author = get_object_or_404(Author, slug=slug)
    ids = list(
        Explainer.objects.published()
        .written_by(author)
        .order_by(
            "published_version__condition__approved_description__name", "position", "published_version__question", "pk"
        )
        .values_list("pk", flat=True)
    )
    page = paginate(request, ids, REVIEWS_PER_PAGE)
    return render(
        request,
        "explainers/author_detail.html",
        page_context(
            author=author,
            written=list(Explainer.objects.for_public_list().in_order(page.object_list)),
            pagination=page_links(page, request.path),
            canonical_url=paginated_canonical_url(author.get_absolute_url(), page),
        ),
    )


def reviewer_detail(request, slug):
    """A reviewer's profile, listing each public page they approved under the name recorded with that review."""
    reviewer = get_object_or_404(Reviewer, slug=slug)
    # One query sorts the ids of every page they are named on (what their count needs too); only the
    # page shown is read in full.
    ids = list(
        Explainer.objects.published()
        .naming_reviewer(reviewer)
        .order_by(
            "published_version__condition__approved_description__name",
            "position",
            "published_version__question",
            "pk",
        )
        .values_list("pk", flat=True)
    )
    page = paginate(request, ids, REVIEWS_PER_PAGE)
    reviewed = [
        (explainer, reviews_by(reviewer, explainer))
        for explainer in Explainer.objects.for_public_list().in_order(page.object_list)
    ]
    return render(
        request,
        "explainers/reviewer_detail.html",
        page_context(
            reviewer=reviewer,
            reviewed=reviewed,
            pagination=page_links(page, request.path),
            canonical_url=paginated_canonical_url(reviewer.get_absolute_url(), page),
        ),
    )


def reviews_by(reviewer, explainer):
    """Return the reviews behind ``explainer``'s public text that ``reviewer`` gave: the full review, a minor change."""
    reviews = (explainer.public_review, explainer.latest_change_review)
    return [review for review in reviews if review is not None and review.reviewer_id == reviewer.pk]


def search_view(request):
    raw = CONTROL_CHARACTERS.sub(" ", request.GET.get("q", ""))
    submitted = bool(raw.strip())
    number = page_number(request)
    if not submitted and number != 1:
        raise Http404("No such page of results.")
    try:
        results = search(raw, page=number) if submitted else None
    except InvalidPage as error:
        raise Http404("No such page of results.") from error
    return render(
        request,
        "explainers/search.html",
        page_context(
            query=results.query if results else "",
            submitted=submitted,
            results=results,
            pagination=page_links(results.page, request.path, q=results.query) if results else None,
            max_query_length=MAX_QUERY_LENGTH,
        ),
    )


def editorial_policy(request):
    _, contact_email = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return render(
        request,
        "explainers/editorial_policy.html",
        page_context(contact_email=contact_email, canonical_url=absolute_url(request.path)),
    )


def robots_txt(request):
    return render(
        request,
        "robots.txt",
        {"sitemap_url": absolute_url(reverse("sitemap"))},
        content_type="text/plain; charset=utf-8",
    )
