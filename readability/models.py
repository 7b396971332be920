"""
The reading level of each version as it was frozen, stored beside it.

Stored rather than worked out on each visit, so the reviewer sees the figures of exactly the
text they review, measured by the textstat release recorded with them. A version frozen without
figures (bulk-generated corpora, or a measuring error) simply has none: the pages say "not measured".
"""

import logging

from django.db import models, transaction
from django.utils import timezone

from .measure import measure_parts, text_of_html, textstat_version

logger = logging.getLogger(__name__)

TLDR = "TL;DR"


def version_parts(version):
    """Return the parts of a frozen ``version`` to measure: its TL;DR, then each section, as plain text."""
    return [
        ("tldr", TLDR, version.tldr),
        *(("section", s.get("heading", ""), text_of_html(s.get("html", ""))) for s in version.sections),
    ]


def working_parts(explainer):
    """Return the parts of ``explainer``'s working copy as last saved, rendered as the next version would be."""
    from explainers.rendering import render_markdown

    sections = explainer.sections.all()
    return [
        ("tldr", TLDR, explainer.tldr),
        *(("section", s.heading, text_of_html(render_markdown(s.body))) for s in sections),
    ]


class VersionReadability(models.Model):
    """How hard a frozen version is to read: Flesch reading ease and reading age, part by part."""

    version = models.OneToOneField(
        "explainers.ExplainerVersion", on_delete=models.PROTECT, related_name="readability", editable=False
    )
    figures = models.JSONField(
        help_text="For the whole version and for the TL;DR and each section in order: Flesch reading ease, "
        "reading age, words, sentences and the hardest sentences (see readability/measure.py)."
    )
    textstat_version = models.CharField(max_length=20, help_text="The textstat release that measured the text.")
    measured_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "readability of a version"
        verbose_name_plural = "readability of versions"

    def __str__(self):
        return f"Readability of {self.version}"

    @classmethod
    def record(cls, version):
        """Measure and store ``version``'s figures; on any error, log it and return None.

        The figures inform and never block: a submission goes ahead without them.
        """
        try:
            with transaction.atomic():  # a savepoint: a failure here leaves the submission's transaction usable
                return cls.objects.create(
                    version=version, figures=measure_parts(version_parts(version)), textstat_version=textstat_version()
                )
        except Exception:
            logger.exception("Could not measure the readability of %s; it was saved without figures.", version)
            return None

    @property
    def whole(self):
        return self.figures.get("whole")

    @property
    def parts(self):
        return self.figures.get("parts", [])
