"""
Markdown → HTML → allow-listed HTML: the only place user-written Markdown becomes markup.

The admin's live preview (django-markdownx) and the frozen snapshots the public reads both
call ``render_markdown``, so what a reviewer previews is what a patient sees.
"""

import html
import re
import xml.etree.ElementTree as etree

import markdown
import nh3
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

# Section bodies sit under the page's <h1> and the section's own <h2>.
HEADING_OFFSET = 2

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "h3",
    "h4",
    "h5",
    "h6",
    "strong",
    "em",
    "b",
    "i",
    "sup",
    "sub",
    "abbr",
    "ul",
    "ol",
    "li",
    "dl",
    "dt",
    "dd",
    "blockquote",
    "code",
    "pre",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "caption",
    "a",
    "img",
    "div",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"scope"},
    "sup": {"id"},
    "li": {"id"},
    "ol": {"start"},
}
ALLOWED_CLASSES = {
    "a": {"footnote-ref", "footnote-backref"},
    "div": {"footnote"},
}
# No javascript:, data: or other schemes; relative links (the site's own uploads) are allowed.
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}

FOOTNOTE_ID = re.compile(r'(id="|href="#)(fn|fnref):')


class _ShiftHeadings(Treeprocessor):
    def run(self, root: etree.Element):
        for element in root.iter():
            if re.fullmatch(r"h[1-6]", element.tag):
                element.tag = f"h{min(int(element.tag[1]) + HEADING_OFFSET, 6)}"


class ShiftHeadingsExtension(Extension):
    """Demote Markdown headings so a body's ``#`` never competes with the page's title."""

    def extendMarkdown(self, md):
        md.treeprocessors.register(_ShiftHeadings(md), "shift_headings", 5)


def _markdown():
    return markdown.Markdown(
        extensions=["extra", "sane_lists", "smarty", ShiftHeadingsExtension()],
        extension_configs={"smarty": {"smart_angled_quotes": False}},
        output_format="html",
    )


def _footnote_ids_only(anchor_prefix):
    # Ids are allowed for footnotes alone: a raw <li id="answer"> would hijack the page's own anchors.
    footnote_id = re.compile(rf"{re.escape(anchor_prefix)}fn(ref)?:[\w-]+")

    def attribute_filter(element, attribute, value):
        return None if attribute == "id" and not footnote_id.fullmatch(value) else value

    return attribute_filter


def render_markdown(text, *, anchor_prefix=""):
    """Return sanitised HTML for ``text``; footnote anchors get ``anchor_prefix`` to stay unique on a page."""
    raw = _markdown().convert(text or "")
    if anchor_prefix:
        raw = FOOTNOTE_ID.sub(lambda m: f"{m[1]}{anchor_prefix}{m[2]}:", raw)
    return nh3.clean(
        raw,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
        attribute_filter=_footnote_ids_only(anchor_prefix),
        strip_comments=True,
    )


def plain_text(text):
    """Return the words of a Markdown text with every tag removed (for search and descriptions)."""
    words = html.unescape(nh3.clean(render_markdown(text), tags=set())).replace("↩", "")
    return " ".join(words.split())
