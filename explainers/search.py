"""
Search over what the public can read: published snapshots and public conditions.

PostgreSQL gets weighted full-text search over a GIN-indexed ``tsvector`` stored on each
snapshot (question A, TL;DR B, condition names C, section text D). SQLite, the local default,
gets a simpler term-matching ranking behind the same ``search()`` function.
"""

import html
import re
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import F, Q, Value
from django.utils.safestring import mark_safe

from .models import Condition, Explainer

MAX_QUERY_LENGTH = 200
SEARCH_CONFIG = "english"
MAX_RESULTS = 50
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
    explainers: list = field(default_factory=list)
    truncated: bool = False

    @property
    def count(self):
        return len(self.conditions) + len(self.explainers)


def clean_query(raw):
    """Return the query as searched (whitespace folded, length capped) and whether it was cut."""
    query = " ".join((raw or "").split())
    return query[:MAX_QUERY_LENGTH].strip(), len(query) > MAX_QUERY_LENGTH


def terms_of(query):
    return [t for t in re.findall(r"\w[\w'’-]*", query.lower()) if len(t) > 1 or t.isdigit()]


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


def search(raw_query):
    """Return public conditions and explainers matching ``raw_query``, best first."""
    query, truncated = clean_query(raw_query)
    results = SearchResults(query=query, truncated=truncated)
    terms = terms_of(query)
    if not terms:
        return results
    results.conditions = _conditions(terms)
    finder = _explainers_postgresql if is_postgresql() else _explainers_fallback
    results.explainers = finder(query, terms)
    return results


def _conditions(terms):
    match = Q()
    for term in terms:
        match &= Q(approved_description__name__icontains=term) | Q(
            approved_description__alternate_names__icontains=term
        )
    found = list(Condition.objects.public().filter(match)[:MAX_RESULTS])
    return sorted(found, key=lambda c: (not all(t in c.public_name.lower() for t in terms), c.public_name))


def _public_explainers():
    return Explainer.objects.for_public_page()


def _explainers_postgresql(query, terms):
    search_query = SearchQuery(query, search_type="websearch", config=SEARCH_CONFIG)
    rows = (
        _public_explainers()
        .filter(published_version__search_vector=search_query)
        .annotate(
            rank=SearchRank(F("published_version__search_vector"), search_query),
            headline=SearchHeadline(
                "published_version__body_text",
                search_query,
                config=SEARCH_CONFIG,
                start_sel=START,
                stop_sel=STOP,
                max_words=35,
                min_words=15,
            ),
        )
        .order_by("-rank", "published_version__question")[:MAX_RESULTS]
    )
    hits = []
    for explainer in rows:
        snippet = explainer.headline if START in explainer.headline else explainer.published_version.tldr
        hits.append(ExplainerHit(explainer, _mark(snippet, terms)))
    return hits


def _explainers_fallback(query, terms):
    match = Q()
    for term in terms:
        match &= (
            Q(published_version__question__icontains=term)
            | Q(published_version__tldr__icontains=term)
            | Q(published_version__body_text__icontains=term)
            | Q(published_version__condition__approved_description__name__icontains=term)
            | Q(published_version__condition__approved_description__alternate_names__icontains=term)
        )
    scored = []
    for explainer in _public_explainers().filter(match):
        version = explainer.published_version
        fields = {
            "question": version.question.lower(),
            "tldr": version.tldr.lower(),
            "names": version.condition.public_names_text.lower(),
            "body": version.body_text.lower(),
        }
        score = sum(weight for term in terms for name, weight in WEIGHTS.items() if term in fields[name])
        scored.append((score, explainer))
    scored.sort(key=lambda pair: (-pair[0], pair[1].published_version.question))
    return [ExplainerHit(e, _mark(_window(e.published_version, terms), terms)) for _, e in scored[:MAX_RESULTS]]


def _window(version, terms, words=30):
    """Return about ``words`` words of the snapshot's text around the first matching term."""
    text = f"{version.tldr} {version.body_text}"
    lowered = text.lower()
    hits = [lowered.find(t) for t in terms if t in lowered]
    if not hits:
        return " ".join(version.tldr.split()[:words])
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
