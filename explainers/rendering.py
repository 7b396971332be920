"""
Markdown → HTML → allow-listed HTML: the only place user-written Markdown becomes markup.

The admin's live preview (django-markdownx) and the frozen snapshots the public reads both
call ``render_markdown``, so what a reviewer previews is what a patient sees.

Rendering is bounded in time. Python-Markdown is pure Python and some inputs take it quadratic
time or worse: 4,000 "[" characters take 6.6 s (50,000 would take some twenty minutes), 50,000
characters of "<a " take 57 s. 50,000 characters of ordinary Markdown (prose, links, tables,
nested lists) take well under a second, and odd but harmless text (thousands of headings,
reference links, nested quotes) 2-6 s; a 200,000-character explainer of prose takes 3-6 s to
submit (each section rendered, then again for its plain text). So the length limits (site
settings) cannot bound the time; a timer does. A thread with a timeout cannot stop CPU-bound
Python, and a subprocess per preview costs a fork on every keystroke pause, so the timer is
SIGALRM (``signal.setitimer``), which interrupts the Python code running in the main thread: the
thread gunicorn's sync workers serve every request in. It is armed around the pure-Python work
only (Markdown and nh3, never a database call), and a submission shares one deadline across all
its sections (``rendering_deadline``). Where no timer can be armed (another thread, as under
``runserver``, or a timer someone else armed) rendering runs unbounded, as before.
"""

import contextlib
import html
import re
import signal
import threading
import time
import xml.etree.ElementTree as etree
from contextvars import ContextVar

import markdown
import nh3
from django.conf import settings
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


class RenderingRefused(Exception):
    """The text cannot be rendered within the site's bounds; the message tells the editor what to change."""


class RenderingTooSlow(RenderingRefused):
    """Rendering ran past its time bound (``CONDINFO_RENDER_TIME_LIMIT``) and was stopped."""

    def __init__(self, seconds):
        super().__init__(
            f"This text took too long to prepare; it was stopped after {seconds:g} seconds. Split long sections "
            "into shorter ones, and look for a run of unclosed brackets, very long tables or deeply nested lists "
            "or quotes."
        )


class RenderingTooDeep(RenderingRefused):
    """Markdown nested deeper than Python's recursion limit (a few hundred levels of lists)."""

    def __init__(self):
        super().__init__(
            "This text is nested too deeply to prepare: look for lists or quotes inside one another many levels "
            "deep, and flatten them."
        )


_deadline = ContextVar("rendering_deadline", default=None)  # (time.monotonic() deadline, seconds allowed)
_armed_for = None  # the seconds allowed while SIGALRM may interrupt (inside _time_bound's block), else None


@contextlib.contextmanager
def rendering_deadline(seconds=None):
    """Make every ``render_markdown`` call in the block share one time bound, e.g. all sections of a submission."""
    if _deadline.get() is not None:
        yield
        return
    seconds = settings.CONDINFO_RENDER_TIME_LIMIT if seconds is None else seconds
    token = _deadline.set((time.monotonic() + seconds, seconds))
    try:
        yield
    finally:
        _deadline.reset(token)


def _can_interrupt():
    return (
        hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
        and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    )


def _interrupt(signum, frame):
    if _armed_for is not None:  # a signal delivered after the block finished changes nothing
        raise RenderingTooSlow(_armed_for)


@contextlib.contextmanager
def _time_bound():
    """Raise ``RenderingTooSlow`` in the block once the deadline passes (in the main thread; elsewhere, never)."""
    global _armed_for
    deadline, seconds = _deadline.get() or (None, settings.CONDINFO_RENDER_TIME_LIMIT)
    remaining = seconds if deadline is None else deadline - time.monotonic()
    if remaining <= 0:
        raise RenderingTooSlow(seconds)
    if not _can_interrupt():
        yield
        return
    previous = signal.signal(signal.SIGALRM, _interrupt)
    try:
        _armed_for = seconds
        signal.setitimer(signal.ITIMER_REAL, remaining)
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            _armed_for = None
    finally:
        signal.signal(signal.SIGALRM, previous)


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
    """Return sanitised HTML for ``text``; footnote anchors get ``anchor_prefix`` to stay unique on a page.

    Raise ``RenderingTooSlow`` when it runs past the time bound, ``RenderingTooDeep`` when its nesting is too deep.
    """
    with _time_bound():
        try:
            raw = _markdown().convert(text or "")
        except RecursionError as error:
            raise RenderingTooDeep from error
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
