"""
The source registry: each paper, guideline or page an explainer cites is one shared ``Reference``.

An explainer's working copy cites references in order (``Source``); a frozen version records the
references it cited (``VersionCitation``, as immutable as the version) beside the citations it
froze in its content. When a reviewer or publisher marks a reference superseded or retracted,
every explainer whose *published* version cites it gets a ``ReviewFlag``: it tops the review
queues, its owner is e-mailed, and its page says it is under review. The flag clears only when a
full review is published of a version that no longer cites the reference, or whose reviewer
confirmed the page is still right (``Explainer.publish``).
"""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from .choices import LinkResult, ReferenceStatus, TransitionNotAllowed
from .records import ImmutableModel

DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)


def normal_doi(doi):
    """A DOI as compared: without a resolver prefix, case-folded (DOIs are case-insensitive)."""
    return DOI_PREFIX.sub("", (doi or "").strip()).lower()


def normal_url(url):
    return (url or "").strip().rstrip("/")


class ReferenceQuerySet(models.QuerySet):
    def matching(self, *, doi="", pmid="", url=""):
        """The reference a citation with these identifiers is: by DOI, then PubMed ID, then address."""
        for lookup, value in (("doi__iexact", normal_doi(doi)), ("pmid", (pmid or "").strip()), ("url", url)):
            if value and (found := self.filter(**{lookup: value}).order_by("pk").first()):
                return found
        return None

    def changed(self):
        return self.exclude(status=ReferenceStatus.CURRENT)


class Reference(models.Model):
    """A source explainers cite: a paper, guideline or web page, shared by every page that cites it."""

    citation = models.CharField(
        max_length=500, help_text="As readers see it: authors, title, journal or publisher, year."
    )
    url = models.URLField("address", blank=True, max_length=500)
    pmid = models.CharField("PMID", max_length=12, blank=True)
    doi = models.CharField("DOI", max_length=200, blank=True)
    guideline_id = models.CharField(
        "guideline id", max_length=60, blank=True, help_text="The publisher's number for a guideline, e.g. NICE NG193."
    )
    publisher = models.CharField(max_length=200, blank=True, help_text="E.g. NICE, the journal, or the charity.")
    published_on = models.DateField("publication date", null=True, blank=True)

    status = models.CharField(max_length=20, choices=ReferenceStatus, default=ReferenceStatus.CURRENT, editable=False)
    superseded_by = models.ForeignKey(
        "self", null=True, blank=True, editable=False, on_delete=models.PROTECT, related_name="supersedes"
    )
    status_note = models.TextField(blank=True, editable=False)
    status_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, editable=False, on_delete=models.PROTECT, related_name="+"
    )

    # What manage.py check_links last found at ``url``.
    link_result = models.CharField(max_length=20, choices=LinkResult, blank=True, editable=False)
    link_detail = models.CharField(max_length=500, blank=True, editable=False)
    link_checked_at = models.DateTimeField(null=True, blank=True, editable=False)

    created_at = models.DateTimeField(auto_now_add=True)

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        ordering = ["citation", "pk"]
        permissions = [("mark_reference", "Can mark a reference superseded or retracted")]
        constraints = [
            models.UniqueConstraint(fields=["doi"], condition=~Q(doi=""), name="reference_doi_unique"),
            models.UniqueConstraint(fields=["pmid"], condition=~Q(pmid=""), name="reference_pmid_unique"),
            models.CheckConstraint(
                condition=~Q(status=ReferenceStatus.SUPERSEDED) | Q(superseded_by__isnull=False),
                name="superseded_reference_names_its_successor",
            ),
        ]
        indexes = [models.Index(fields=["url"], name="reference_url")]

    def __str__(self):
        return self.citation

    def save(self, *args, **kwargs):
        self.doi = normal_doi(self.doi)  # one spelling, so the unique constraint catches duplicates
        super().save(*args, **kwargs)

    def clean(self):
        errors = {}
        if self.pmid and not self.pmid.isdigit():
            errors["pmid"] = "A PubMed ID is a number, e.g. 31234567."
        if self.doi and not normal_doi(self.doi).startswith("10."):
            errors["doi"] = "A DOI starts with “10.”, e.g. 10.1000/xyz123."
        if errors:
            raise ValidationError(errors)

    def as_cited(self):
        """The citation as a version freezes it (its hash covers exactly these four keys)."""
        return {"citation": self.citation, "url": self.url, "pmid": self.pmid, "doi": self.doi}

    @property
    def change_label(self):
        """How a page under review names the change: "was updated" or "was retracted"."""
        return "was retracted" if self.status == ReferenceStatus.RETRACTED else "was updated"

    # -- marking a change ---------------------------------------------------

    def mark_refusal(self, user, *, replacement=None):
        """Return why ``user`` may not mark this reference changed (with ``replacement``, superseded), or None."""
        if not user.has_perm("explainers.mark_reference"):
            return "Only medical reviewers and publishers may mark a source superseded or retracted."
        if self.status != ReferenceStatus.CURRENT:
            return f"This source is already marked {self.get_status_display().lower()}."
        if replacement is not None and replacement.pk == self.pk:
            return "A source cannot supersede itself: choose the newer source."
        return None

    def mark_superseded(self, *, by, replacement, note):
        """Record that ``replacement`` supersedes this source, and flag the pages whose published text cites it."""
        return self._mark(ReferenceStatus.SUPERSEDED, by=by, replacement=replacement, note=note)

    def mark_retracted(self, *, by, note):
        """Record that this source was retracted, and flag the pages whose published text cites it."""
        return self._mark(ReferenceStatus.RETRACTED, by=by, replacement=None, note=note)

    def _mark(self, status, *, by, replacement, note):
        if not note.strip():
            raise TransitionNotAllowed("Say what changed: the note tells owners and reviewers what to check.")
        if status == ReferenceStatus.SUPERSEDED and replacement is None:
            raise TransitionNotAllowed("Choose the source that supersedes this one.")
        with transaction.atomic():
            self.refresh_from_db(from_queryset=Reference.objects.select_for_update())
            if reason := self.mark_refusal(by, replacement=replacement):
                raise TransitionNotAllowed(reason)
            self.status = status
            self.superseded_by = replacement
            self.status_note = note.strip()
            self.status_changed_at = timezone.now()
            self.status_changed_by = by
            self.save(
                update_fields=["status", "superseded_by", "status_note", "status_changed_at", "status_changed_by"]
            )
            from .content import Explainer

            flags = [
                explainer.flag_for_rereview(reference=self, by=by)
                for explainer in Explainer.objects.published().filter(published_version__citations__reference=self)
            ]
            flags = [flag for flag in flags if flag is not None]
            if flags:
                from ..notifications import tell_owners_of_flags

                transaction.on_commit(lambda: tell_owners_of_flags(flags))
        return flags


class VersionCitation(ImmutableModel):
    """A reference a frozen version cited, in order: written once, with the version, and never changed."""

    version = models.ForeignKey("ExplainerVersion", on_delete=models.PROTECT, related_name="citations")
    reference = models.ForeignKey(Reference, on_delete=models.PROTECT, related_name="citations")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "position"], name="one_citation_per_position"),
        ]

    def __str__(self):
        return f"[{self.position + 1}] {self.reference}"


class ReviewFlagQuerySet(models.QuerySet):
    def open(self):
        return self.filter(cleared_at__isnull=True)


class ReviewFlag(models.Model):
    """An explainer's published text cites a source that changed: it needs a full review."""

    explainer = models.ForeignKey("Explainer", on_delete=models.PROTECT, related_name="review_flags")
    reference = models.ForeignKey(Reference, on_delete=models.PROTECT, related_name="review_flags")
    reason = models.CharField(max_length=20, choices=ReferenceStatus)
    raised_at = models.DateTimeField(default=timezone.now)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    confirmed_by = models.ForeignKey(
        "Review",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The full review whose reviewer confirmed the page is still right despite the change.",
    )
    cleared_at = models.DateTimeField(null=True, blank=True)
    cleared_by = models.ForeignKey(
        "Review",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The published full review that cleared the flag.",
    )

    objects = ReviewFlagQuerySet.as_manager()

    class Meta:
        ordering = ["raised_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["explainer", "reference"],
                condition=Q(cleared_at__isnull=True),
                name="one_open_flag_per_explainer_and_source",
            )
        ]

    def __str__(self):
        return f"“{self.explainer}”: {self.reference} {self.reference.change_label}"

    @property
    def reason_text(self):
        """The reason as queues and e-mails give it."""
        reference = self.reference
        text = f"A source {reference.change_label}: {reference.citation}"
        if reference.superseded_by_id:
            text += f" (superseded by {reference.superseded_by.citation})"
        return f"{text}. {reference.status_note}".strip()


class LinkCheck(models.Model):
    """A link on a published page (a source's address or a link in its text), as ``check_links`` last found it."""

    explainer = models.ForeignKey("Explainer", on_delete=models.CASCADE, related_name="link_checks")
    url = models.URLField("address", max_length=2000)
    reference = models.ForeignKey(
        Reference, null=True, blank=True, on_delete=models.CASCADE, related_name="+", help_text="When it is a source's."
    )
    result = models.CharField(max_length=20, choices=LinkResult)
    detail = models.CharField(max_length=500)
    checked_at = models.DateTimeField()

    class Meta:
        ordering = ["explainer", "url"]
        indexes = [models.Index(fields=["result", "explainer"], name="linkcheck_result")]

    def __str__(self):
        return self.url
