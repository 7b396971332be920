"""
What changed between two versions of an explainer, as a medical reviewer reads it.

Sections are matched by heading (a renamed section whose text is mostly the same still
counts as changed, not as removed-and-added), then compared word by word. Every piece of
text is escaped before it is wrapped in ``<ins>``/``<del>``, so the result is safe HTML.
"""

import difflib
import re
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import mark_safe

from .models import HealthAspect

# Words and single punctuation marks, each with the whitespace after it (so a change reads
# as whole words); joined again, the tokens give back the text exactly.
TOKEN = re.compile(r"\w+\s*|[^\w\s]\s*|\s+")
# Below this share of common words, two sections under different headings are different sections.
SAME_SECTION_RATIO = 0.5

ADDED, REMOVED, CHANGED, UNCHANGED = "added", "removed", "changed", "unchanged"


@dataclass
class FieldChange:
    label: str
    html: str


@dataclass
class SectionChange:
    kind: str
    heading: str
    heading_html: str = ""
    body_html: str = ""
    aspect_change: str = ""


@dataclass
class SourceChange:
    kind: str
    html: str


@dataclass
class ExplainerDiff:
    first_version: bool
    fields: list = field(default_factory=list)
    sections: list = field(default_factory=list)
    sources: list = field(default_factory=list)

    @property
    def has_changes(self):
        return self.first_version or bool(
            self.fields or self.sources or any(s.kind != UNCHANGED for s in self.sections)
        )

    @property
    def counts(self):
        """Return how many sections were added, removed, changed and left unchanged."""
        return {kind: sum(1 for s in self.sections if s.kind == kind) for kind in (ADDED, REMOVED, CHANGED, UNCHANGED)}


def word_diff(old, new):
    """Return ``new`` as safe HTML with words added since ``old`` in <ins> and removed ones in <del>."""
    old_tokens, new_tokens = TOKEN.findall(old or ""), TOKEN.findall(new or "")
    matcher = difflib.SequenceMatcher(None, old_tokens, new_tokens, autojunk=False)
    parts = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        removed, added = "".join(old_tokens[i1:i2]), "".join(new_tokens[j1:j2])
        if op == "equal":
            parts.append(escape(added))
            continue
        if removed:
            parts.append(f"<del>{escape(removed)}</del>")
        if removed and added:
            parts.append(" ")  # a replaced phrase reads as two phrases, not one run-on word
        if added:
            parts.append(f"<ins>{escape(added)}</ins>")
    return mark_safe("".join(parts))  # noqa: S308 - every token above went through escape()


def _words(version):
    parts = [version.question, version.tldr]
    for section in version.sections:
        parts += [section.get("heading", ""), section.get("body", "")]
    return re.findall(r"\w+", " ".join(parts).lower())


def changed_word_share(old, new):
    """Return the share (0 to 1) of words that differ between two versions: a minor change keeps it small.

    Measured over question, TL;DR, headings and section text: the words removed or added, over
    the words of the longer version.
    """
    old_words, new_words = _words(old), _words(new)
    longest = max(len(old_words), len(new_words))
    if not longest:
        return 0.0
    matcher = difflib.SequenceMatcher(None, old_words, new_words, autojunk=False)
    kept = sum(block.size for block in matcher.get_matching_blocks())
    return (longest - kept) / longest


def whole(tag, text):
    return mark_safe(f"<{tag}>{escape(text)}</{tag}>") if text else mark_safe("")  # noqa: S308 - escaped


def _similarity(old, new):
    return difflib.SequenceMatcher(None, TOKEN.findall(old), TOKEN.findall(new), autojunk=False).ratio()


def _aspect_label(value):
    return HealthAspect(value).label if value in HealthAspect.values else "none"


def _section_change(old, new):
    if old is None:
        return SectionChange(ADDED, new["heading"], whole("ins", new["heading"]), whole("ins", new["body"]))
    if new is None:
        return SectionChange(REMOVED, old["heading"], whole("del", old["heading"]), whole("del", old["body"]))
    aspect = ""
    if old.get("health_aspect", "") != new.get("health_aspect", ""):
        aspect = f"{_aspect_label(old.get('health_aspect'))} → {_aspect_label(new.get('health_aspect'))}"
    kind = UNCHANGED if (old["heading"], old["body"]) == (new["heading"], new["body"]) and not aspect else CHANGED
    return SectionChange(
        kind, new["heading"], word_diff(old["heading"], new["heading"]), word_diff(old["body"], new["body"]), aspect
    )


def diff_sections(old_sections, new_sections):
    """Return a SectionChange per section, in the new order, with removed sections where they were."""
    matcher = difflib.SequenceMatcher(
        None, [s["heading"] for s in old_sections], [s["heading"] for s in new_sections], autojunk=False
    )
    changes = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        olds, news = old_sections[i1:i2], new_sections[j1:j2]
        if op == "equal":
            changes.extend(_section_change(o, n) for o, n in zip(olds, news, strict=True))
            continue
        # A replaced run: pair sections whose text is mostly shared (renamed headings), in order.
        remaining = list(olds)
        for new in news:
            match = next((o for o in remaining if _similarity(o["body"], new["body"]) >= SAME_SECTION_RATIO), None)
            if match is not None:
                for skipped in remaining[: remaining.index(match)]:
                    changes.append(_section_change(skipped, None))
                remaining = remaining[remaining.index(match) + 1 :]
            changes.append(_section_change(match, new))
        changes.extend(_section_change(o, None) for o in remaining)
    return changes


def _source_text(source):
    extras = [source.get("url", "")]
    extras += [f"PMID {source['pmid']}"] if source.get("pmid") else []
    extras += [f"DOI {source['doi']}"] if source.get("doi") else []
    return " · ".join(filter(None, [source["citation"], *extras]))


def diff_sources(old_sources, new_sources):
    """Return only the sources that were added, removed or changed."""
    old_texts, new_texts = [_source_text(s) for s in old_sources], [_source_text(s) for s in new_sources]
    matcher = difflib.SequenceMatcher(None, old_texts, new_texts, autojunk=False)
    changes = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        olds, news = old_texts[i1:i2], new_texts[j1:j2]
        paired = min(len(olds), len(news)) if op == "replace" else 0
        changes += [SourceChange(CHANGED, word_diff(o, n)) for o, n in zip(olds[:paired], news[:paired], strict=True)]
        changes += [SourceChange(REMOVED, whole("del", o)) for o in olds[paired:]]
        changes += [SourceChange(ADDED, whole("ins", n)) for n in news[paired:]]
    return changes


def diff_versions(old, new):
    """Compare two ExplainerVersions; ``old`` is None for a first submission, where everything is new."""
    if old is None:
        return ExplainerDiff(
            first_version=True,
            sections=[_section_change(None, s) for s in new.sections],
            sources=[SourceChange(ADDED, whole("ins", _source_text(s))) for s in new.sources],
        )
    fields = [
        FieldChange(label, word_diff(getattr(old, name), getattr(new, name)))
        for name, label in [
            ("question", "Question"),
            ("tldr", "TL;DR"),
            ("format_labels", "Format labels"),
            ("get_help_for_review", "When to get help"),
        ]
        if getattr(old, name) != getattr(new, name)
    ]
    return ExplainerDiff(
        first_version=False,
        fields=fields,
        sections=diff_sections(old.sections, new.sections),
        sources=diff_sources(old.sources, new.sources),
    )
