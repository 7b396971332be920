"""
The public reading site. Every page reads only what a medical reviewer approved:
published snapshots (``Explainer.published_version``) and approved condition descriptions.
"""

import re
import string
from email.utils import parseaddr
from itertools import groupby

from django.conf import settings
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from .models import Condition, EventAction, Explainer, ExplainerEvent, Reviewer, SiteSettings
from .search import MAX_QUERY_LENGTH, search

RECENTLY_REVIEWED = 8
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
    context.setdefault("site_settings", SiteSettings.load())
    return context


def conditions_by_letter(conditions):
    """Return [(letter, [conditions])] in alphabetical order, with "#" for names not starting with a letter."""
    ordered = sorted(conditions, key=lambda c: (c.initial == "#", c.initial, c.public_name.lower()))
    return [(letter, list(group)) for letter, group in groupby(ordered, key=lambda c: c.initial)]


def alphabet(letters_in_use):
    """Return every letter A–Z (and "#" when used) with whether any condition starts with it."""
    letters = list(string.ascii_uppercase) + (["#"] if "#" in letters_in_use else [])
    return [(letter, letter in letters_in_use) for letter in letters]


def letter_anchor(letter):
    return "letter-other" if letter == "#" else f"letter-{letter.lower()}"


def az_context(conditions):
    groups = conditions_by_letter(conditions)
    used = {letter for letter, _ in groups}
    return {
        "letter_groups": [(letter, letter_anchor(letter), items) for letter, items in groups],
        "alphabet": [(letter, letter_anchor(letter), in_use) for letter, in_use in alphabet(used)],
    }


def home(request):
    recent = (
        Explainer.objects.for_public_page()
        .filter(public_review__isnull=False)
        .order_by("-public_review__reviewed_on", "-published_at")[:RECENTLY_REVIEWED]
    )
    return render(
        request,
        "explainers/home.html",
        page_context(
            recent_explainers=recent,
            canonical_url=absolute_url(reverse("explainers:home")),
            **az_context(Condition.objects.public()),
        ),
    )


def condition_index(request):
    return render(
        request,
        "explainers/condition_list.html",
        page_context(canonical_url=absolute_url(request.path), **az_context(Condition.objects.public())),
    )


def condition_detail(request, slug):
    condition = get_object_or_404(Condition.objects.public(), slug=slug)
    explainers = (
        Explainer.objects.for_public_page()
        .filter(published_version__condition=condition)
        .order_by("position", "published_version__question")
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
    explainer = (
        Explainer.objects.for_public_page()
        .filter(published_version__condition__slug=condition_slug, published_version__slug=slug)
        .first()
    )
    if explainer is None:
        return redirect_moved_explainer(condition_slug, slug)
    version = explainer.published_version
    sections = [{**section, "anchor": f"section-{number}"} for number, section in enumerate(version.sections, start=1)]
    sources = [source_links(source) for source in version.sources]
    canonical = absolute_url(explainer.get_absolute_url())
    return render(
        request,
        "explainers/explainer_detail.html",
        page_context(
            explainer=explainer,
            condition=version.condition,
            version=version,
            review=explainer.public_review,
            latest_change=explainer.latest_change_review,
            sections=sections,
            sources=sources,
            is_overdue=explainer.is_overdue(),
            canonical_url=canonical,
            structured_data=explainer_structured_data(explainer, sections, sources, canonical),
        ),
    )


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
    explainer = Explainer.objects.for_public_page().filter(pk=publication).first() if publication else None
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


def explainer_structured_data(explainer, sections, sources, canonical):
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


def reviewer_detail(request, slug):
    """A reviewer's profile, listing each public page they approved under the name recorded with that review."""
    reviewer = get_object_or_404(Reviewer, slug=slug)
    explainers = (
        Explainer.objects.for_public_page()
        .filter(Q(public_review__reviewer=reviewer) | Q(published_review__reviewer=reviewer))
        .order_by("published_version__condition__approved_description__name", "position", "published_version__question")
    )
    reviews = []
    for explainer in explainers:
        for review in (explainer.public_review, explainer.latest_change_review):
            if review is not None and review.reviewer_id == reviewer.pk:
                reviews.append((explainer, review))
    return render(
        request,
        "explainers/reviewer_detail.html",
        page_context(reviewer=reviewer, reviews=reviews, canonical_url=absolute_url(reviewer.get_absolute_url())),
    )


def search_view(request):
    raw = CONTROL_CHARACTERS.sub(" ", request.GET.get("q", ""))
    submitted = bool(raw.strip())
    results = search(raw) if submitted else None
    return render(
        request,
        "explainers/search.html",
        page_context(
            query=results.query if results else "",
            submitted=submitted,
            results=results,
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
