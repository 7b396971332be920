"""
How hard a text is to read: Flesch reading ease and an approximate reading age, from plain text.

The figures inform the author and the reviewer; nothing is refused because of them. Pure
functions, no database: ``readability.models`` stores what they return for each frozen version.

Terms, as the admin pages use them:

- **Flesch reading ease** is textstat's score, roughly 0-100: higher is easier. 60-70 is plain
  English; below 30 reads like an academic paper.
- **Reading age** is the Flesch–Kincaid grade (a US school year) plus 5, rounded and kept
  between 5 and 21: grade 6, the level national health services aim for, is a reading age of 11.
  It is an approximation: the formulas count words per sentence and syllables per word, and
  cannot tell a familiar long word ("everyone") from an unfamiliar one.
- **Hardest sentences** are a part's sentences of at least ``MIN_HARD_SENTENCE_WORDS`` words with
  the highest reading age, at most ``HARDEST_PER_PART`` of them, hardest first. All are stored;
  the pages point out those above the site's target.

A sentence ends at ".", "!" or "?" followed by a space, and at the end of a paragraph, list item,
heading or table cell: a bulleted list is read as one short sentence per item, not one long one.
"""

import re
from html.parser import HTMLParser
from importlib import metadata

MIN_READING_AGE = 5
MAX_READING_AGE = 21
GRADE_TO_AGE = 5  # a US school year (grade) is about the reader's age minus 5
HARDEST_PER_PART = 3
MIN_HARD_SENTENCE_WORDS = 4  # one long word alone ("Haemochromatosis.") is not a hard sentence

# Elements whose end ends a sentence, whatever punctuation it has.
BLOCKS = {"p", "li", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "caption", "blockquote", "pre", "br"}
# Footnote markers and the footnotes themselves are not prose the reader reads in line.
SKIPPED = {"sup", "script", "style"}

SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])")


def textstat_version():
    """Return the installed textstat's version: its counting rules change between releases."""
    return metadata.version("textstat")


def reading_age(grade):
    """Return the approximate reading age for a Flesch–Kincaid ``grade`` (grade + 5, kept within 5-21)."""
    return max(MIN_READING_AGE, min(MAX_READING_AGE, round(grade + GRADE_TO_AGE)))


def sentences(text):
    """Return the sentences of plain ``text``; a line break ends a sentence too."""
    found = []
    for line in text.splitlines():
        found.extend(s.strip() for s in SENTENCE_END.split(line.strip()) if s.strip())
    return found


def _ended(sentence):
    return sentence if sentence[-1] in ".!?" else f"{sentence}."


def measure(text):
    """Return the figures of plain ``text`` (a sentence ends a line or with punctuation), or None without words.

    The figures: ``flesch_reading_ease`` and ``grade`` (one decimal), ``reading_age``, ``words``,
    ``sentences``, and ``hardest``: a list of ``{"text", "reading_age"}``, hardest first.
    """
    # Imported here: textstat and its pronouncing dictionary (about 70 MB once loaded) belong only in
    # processes that measure (a submission, the submit page), never in every worker of the public site.
    import textstat

    found = sentences(text or "")
    # textstat finds sentences by their final punctuation: give every sentence one, so a list item
    # without a full stop is not run into the next.
    joined = " ".join(_ended(s) for s in found)
    words = textstat.lexicon_count(joined) if joined else 0
    if not words:
        return None
    graded = [
        (textstat.flesch_kincaid_grade(_ended(s)), s)
        for s in found
        if textstat.lexicon_count(s) >= MIN_HARD_SENTENCE_WORDS
    ]
    graded.sort(key=lambda pair: pair[0], reverse=True)
    grade = textstat.flesch_kincaid_grade(joined)
    return {
        "flesch_reading_ease": round(textstat.flesch_reading_ease(joined), 1),
        "grade": round(grade, 1),
        "reading_age": reading_age(grade),
        "words": words,
        "sentences": len(found),
        "hardest": [{"text": s, "reading_age": reading_age(g)} for g, s in graded[:HARDEST_PER_PART]],
    }


class _TextOfHtml(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines = [[]]
        self.skipping = []  # open elements whose text is left out

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if tag in SKIPPED or "footnote" in classes:
            self.skipping.append(tag)
        elif tag in BLOCKS:
            self.lines.append([])

    def handle_startendtag(self, tag, attrs):
        if tag in BLOCKS:
            self.lines.append([])

    def handle_endtag(self, tag):
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()
        elif tag in BLOCKS:
            self.lines.append([])

    def handle_data(self, data):
        if not self.skipping:
            self.lines[-1].append(data)


def text_of_html(html):
    """Return the readable text of sanitised section HTML: one line per paragraph, list item, heading or cell."""
    parser = _TextOfHtml()
    parser.feed(html or "")
    parser.close()
    lines = (" ".join("".join(parts).split()) for parts in parser.lines)
    return "\n".join(line for line in lines if line)


def measure_parts(parts):
    """Return the figures of an explainer's parts, each ``(kind, heading, plain text)``, and of them all together.

    ``kind`` is "tldr" or "section". A part without words has ``None`` for figures.
    """
    measured = [{"kind": kind, "heading": heading, "figures": measure(text)} for kind, heading, text in parts]
    whole = measure("\n".join(text for _, _, text in parts))
    if whole:
        del whole["hardest"]  # each part points out its own
    return {"whole": whole, "parts": measured}
