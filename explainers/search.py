"""
Search over what the public can read: published snapshots and public conditions.

PostgreSQL gets weighted full-text search over a GIN-indexed ``tsvector`` stored on each
snapshot (question A, TL;DR B, condition names C, section text D). SQLite, the local default,
gets a simpler term-matching ranking behind the same ``search()`` function.

Either way a search costs the same however large the library grows: at most MAX_CANDIDATES
matching explainers are taken (through the GIN index on PostgreSQL), only those are ranked, the
ranking sorts ids rather than rows, and only the page shown is read, with its highlighted
snippets. For a very common word the candidates are the first found, not the best of every match:
more words narrow the search to the answers wanted.
"""

import html
import re
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Case, F, Func, IntegerField, Q, Value, When
from django.utils.safestring import mark_safe

from .models import Condition, Explainer

MAX_QUERY_LENGTH = 200
SEARCH_CONFIG = "english"
MAX_RESULTS = 50  # conditions
MAX_CANDIDATES = 200  # explainers ranked for one search
RESULTS_PER_PAGE = 20
# Markers that cannot occur in text: the snippet is escaped first, then these become <mark>.
START, STOP = "\x02", "\x03"
WEIGHTS = {"question": 8, "tldr": 4, "names": 2, "body": 1}


@dataclass
class ExplainerHit:
    explainer: Explainer
    snippet: str


@dataclass
class SearchResults:
    query: str
    conditions: list = field(default_factory=list)
    explainers: list = field(default_factory=list)  # the hits on the page shown
    page: Page = None  # of the ranked explainer ids
    more: bool = False  # more explainers matched than MAX_CANDIDATES
    truncated: bool = False

    @property
    def count(self):
        return len(self.conditions) + (self.page.paginator.count if self.page else 0)


def clean_query(raw):
    """Return the query as searched (whitespace folded, length capped) and whether it was cut."""
    query = " ".join((raw or "").split())
    return query[:MAX_QUERY_LENGTH].strip(), len(query) > MAX_QUERY_LENGTH


def terms_of(query):
    """Return the distinct words of ``query`` worth matching, in order."""
    words = re.findall(r"\w[\w'’-]*", query.lower())
    return list(dict.fromkeys(t for t in words if len(t) > 1 or t.isdigit()))


def is_postgresql():
    return connection.vendor == "postgresql"


def search_vector_for(*, question, tldr, names, body):
    """Return the weighted search vector a snapshot stores at insert (None on SQLite, which searches columns)."""
    if not is_postgresql():
        return None
    return (
        SearchVector(Value(question), weight="A", config=SEARCH_CONFIG)
        + SearchVector(Value(tldr), weight="B", config=SEARCH_CONFIG)
        + SearchVector(Value(names), weight="C", config=SEARCH_CONFIG)
        + SearchVector(Value(body), weight="D", config=SEARCH_CONFIG)
    )


def search(raw_query, *, page=1):
    """Return public conditions and page ``page`` of the explainers matching ``raw_query``, best first.

    Raises ``django.core.paginator.InvalidPage`` for a page past the last.
    """
    query, truncated = clean_query(raw_query)
    results = SearchResults(query=query, truncated=truncated)
    terms = terms_of(query)
    ranked = []
    if terms:
        results.conditions = _conditions(terms)
        ranked = (_ranked_postgresql if is_postgresql() else _ranked_fallback)(query, terms)
    results.more = len(ranked) > MAX_CANDIDATES
    results.page = Paginator(ranked[:MAX_CANDIDATES], RESULTS_PER_PAGE).page(page)
    if results.page.object_list:
        shown = _hits_postgresql if is_postgresql() else _hits_fallback
        results.explainers = shown(list(results.page.object_list), query, terms)
    return results


def condition_matches(terms):
    """Public conditions whose approved name or other names contain every term (trigram-indexed on PostgreSQL)."""
    match = Q()
    for term in terms:
        match &= Q(approved_description__name__icontains=term) | Q(
            approved_description__alternate_names__icontains=term
        )
    return Condition.objects.public().filter(match)


def _conditions(terms):
    found = list(condition_matches(terms)[:MAX_RESULTS])
    return sorted(found, key=lambda c: (not all(t in c.public_name.lower() for t in terms), c.public_name))


def _rank_ids(candidates, score):
    """Return the ids of ``candidates`` (a sliced id queryset) best first: the sort carries ids, not rows.

    The page shown is then read by id (``in_order``), with its snippets.
    """
    return list(
        Explainer.objects.filter(pk__in=candidates)
        .annotate(score=score)
        .order_by("-score", "published_version__question", "pk")
        .values_list("pk", flat=True)
    )


def _search_query(query):
    return SearchQuery(query, search_type="websearch", config=SEARCH_CONFIG)


def _ranked_postgresql(query, terms):
    search_query = _search_query(query)
    candidates = (
        Explainer.objects.published()
        .filter(published_version__search_vector=search_query)
        .order_by()
        .values("pk")[: MAX_CANDIDATES + 1]
    )
    return _rank_ids(candidates, SearchRank(F("published_version__search_vector"), search_query))


def _hits_postgresql(ids, query, terms):
    headline = SearchHeadline(
        "published_version__body_text",
        _search_query(query),
        config=SEARCH_CONFIG,
        start_sel=START,
        stop_sel=STOP,
        max_words=35,
        min_words=15,
    )
    hits = []
    for explainer in Explainer.objects.for_public_list().annotate(headline=headline).in_order(ids):
        snippet = explainer.headline if START in explainer.headline else explainer.published_version.tldr
        hits.append(ExplainerHit(explainer, _mark(snippet, terms)))
    return hits


FALLBACK_FIELDS = {
    "question": ["published_version__question"],
    "tldr": ["published_version__tldr"],
    "names": [
        "published_version__condition__approved_description__name",
        "published_version__condition__approved_description__alternate_names",
    ],
    "body": ["published_version__body_text"],
}


def _contains(term, name):
    match = Q()
    for column in FALLBACK_FIELDS[name]:
        match |= Q(**{f"{column}__icontains": term})
    return match


class Total(Func):
    """The sum of its arguments, written flat: SQLite's parser overflows on a long query's nested additions."""

    template = "(%(expressions)s)"
    arg_joiner = " + "
    output_field = IntegerField()


def _ranked_fallback(query, terms):
    match = Q()
    for term in terms:
        found = Q()
        for name in FALLBACK_FIELDS:
            found |= _contains(term, name)
        match &= found
    candidates = Explainer.objects.published().filter(match).order_by().values("pk")[: MAX_CANDIDATES + 1]
    score = Total(
        *(
            Case(When(_contains(term, name), then=Value(weight)), default=Value(0))
            for term in terms
            for name, weight in WEIGHTS.items()
        )
    )
    return _rank_ids(candidates, score)


def _hits_fallback(ids, query, terms):
    shown = Explainer.objects.for_public_list().annotate(plain_text=F("published_version__body_text"))
    return [
        ExplainerHit(e, _mark(_window(e.published_version.tldr, e.plain_text, terms), terms))
        for e in shown.in_order(ids)
    ]


def _window(tldr, body_text, terms, words=30):
    """Return about ``words`` words of a snapshot's text around the first matching term."""
    text = f"{tldr} {body_text}"
    lowered = text.lower()
    hits = [lowered.find(t) for t in terms if t in lowered]
    if not hits:
        return " ".join(tldr.split()[:words])
    start = min(hits)
    before = text[:start].split()[-8:]
    after = text[start:].split()[: words - len(before)]
    prefix = "… " if len(text[:start].split()) > 8 else ""
    suffix = " …" if len(text[start:].split()) > len(after) else ""
    return prefix + " ".join(before + after) + suffix


def _mark(snippet, terms):
    """Escape ``snippet`` and wrap each occurrence of the search terms in <mark>."""
    if START not in snippet:
        pattern = re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)), re.IGNORECASE)
        snippet = pattern.sub(lambda m: f"{START}{m[0]}{STOP}", snippet)
    escaped = html.escape(snippet).replace(START, "<mark>").replace(STOP, "</mark>")
    return mark_safe(escaped)  # every piece of text was escaped first
