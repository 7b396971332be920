"""
The content model and its clinical review workflow.

Two kinds of rows live here:

* the **working copy** an author edits (Condition, Explainer, Section, Source), and
* the **record** that never changes once written (ExplainerVersion snapshots, Review,
  ExplainerEvent, ConditionDescriptionApproval).

The public site reads only records: an explainer is public through
``Explainer.published_version``, a frozen snapshot that a medical reviewer approved.
Status changes happen only through the named methods on ``Explainer``; each checks the
current state and raises ``TransitionNotAllowed`` with a sentence a person can act on.
"""

import calendar
import datetime
import hashlib
import json

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models, transaction
from django.db.models import Q
from django.db.models.signals import m2m_changed
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from markdownx.models import MarkdownxField

from .rendering import plain_text, render_markdown


def now():
    """Return the current time, looked up at call time (so a replayed history, like the demo's, is consistent)."""
    return timezone.now()


class TransitionNotAllowed(Exception):
    """A workflow step that the explainer's state or the person's role does not allow."""


class ImmutableRecord(Exception):
    """An attempt to change or delete part of the review record."""


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In clinical review"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    APPROVED = "approved", "Approved, awaiting publication"
    PUBLISHED = "published", "Published"
    WITHDRAWN = "withdrawn", "Withdrawn"


class HealthAspect(models.TextChoices):
    """Members of schema.org's HealthAspectEnumeration: what a section is about."""

    OVERVIEW = "OverviewHealthAspect", "Overview"
    CAUSES = "CausesHealthAspect", "Causes"
    RISKS = "RisksOrComplicationsHealthAspect", "Risks or complications"
    SYMPTOMS = "SymptomsHealthAspect", "Symptoms"
    TYPES = "TypesHealthAspect", "Types"
    STAGES = "StagesHealthAspect", "Stages"
    SCREENING = "ScreeningHealthAspect", "Screening and diagnosis"
    TREATMENTS = "TreatmentsHealthAspect", "Treatments"
    PREVENTION = "PreventionHealthAspect", "Prevention"
    PROGNOSIS = "PrognosisHealthAspect", "Prognosis"
    LIVING_WITH = "LivingWithHealthAspect", "Living with"
    SELF_CARE = "SelfCareHealthAspect", "Self-care"
    SEE_DOCTOR = "SeeDoctorHealthAspect", "When to see a doctor"
    MISCONCEPTIONS = "MisconceptionsHealthAspect", "Misconceptions"
    PATIENT_EXPERIENCE = "PatientExperienceHealthAspect", "Patient experience"


class ReviewKind(models.TextChoices):
    FULL = "full", "Full clinical review"
    MINOR = "minor", "Minor change"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"


def add_months(day, months):
    """Return the same day ``months`` later, clamped to the end of shorter months."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


class ImmutableQuerySet(models.QuerySet):
    def delete(self):
        # Bulk deletes (the admin's "delete selected", related managers) skip Model.delete().
        raise ImmutableRecord(f"{self.model._meta.verbose_name} records cannot be deleted.")

    delete.alters_data = True
    delete.queryset_only = True


class ImmutableModel(models.Model):
    """A row that may be created but never changed or deleted (the review record)."""

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableRecord(f"{self._meta.verbose_name} records cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableRecord(f"{self._meta.verbose_name} records cannot be deleted.")


# ---------------------------------------------------------------------------
# Site-wide settings


def default_review_interval():
    # Read at creation, not frozen into a migration, so REVIEW_INTERVAL_MONTHS can differ per site.
    return settings.CONDINFO_REVIEW_INTERVAL_MONTHS


class SiteSettings(models.Model):
    """Site-wide text and defaults that editors change without a deploy."""

    disclaimer = models.TextField(
        default=(
            "This information is for educational purposes only and does not constitute medical "
            "advice, diagnosis, or treatment; always seek the advice of your physician or other "
            "qualified health provider with any questions regarding a medical condition."
        ),
        help_text="Shown on every explainer and condition page, after the words “Medical disclaimer:”.",
    )
    community_name = models.CharField(
        max_length=80,
        default="DiseaseMaps",
        help_text="The patient community the experience and member counts come from.",
    )
    review_interval_months = models.PositiveSmallIntegerField(
        default=default_review_interval,
        validators=[MinValueValidator(1)],
        help_text="How long a full clinical review stands before the next is due, unless an explainer overrides it.",
    )

    class Meta:
        verbose_name = "site settings"
        verbose_name_plural = "site settings"
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="site_settings_singleton")]

    def __str__(self):
        return "Site settings"

    @classmethod
    def load(cls):
        """Return the one settings row, creating it with defaults on first use."""
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj


# ---------------------------------------------------------------------------
# Reviewers


class Reviewer(models.Model):
    """The public profile of a clinician who reviews explainers."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviewer_profile")
    display_name = models.CharField(max_length=120, help_text="As it appears on pages, e.g. “Dr Amina Okafor”.")
    credentials = models.CharField(max_length=120, help_text="Qualifications and role, e.g. “MD, rheumatologist”.")
    specialty = models.CharField(max_length=120, blank=True)
    bio = models.TextField(blank=True, help_text="Two or three sentences a patient would find reassuring.")
    slug = models.SlugField(max_length=120, unique=True)

    class Meta:
        ordering = ["display_name"]

    def __str__(self):
        return f"{self.display_name}, {self.credentials}"

    def get_absolute_url(self):
        return reverse("explainers:reviewer", args=[self.slug])


# ---------------------------------------------------------------------------
# Conditions


class ConditionQuerySet(models.QuerySet):
    def public(self):
        """Conditions with something reviewed to show: a published explainer or an approved description."""
        return self.filter(
            Q(explainers__published_version__isnull=False) | Q(approved_description__isnull=False)
        ).distinct()


class Condition(models.Model):
    """A condition patients ask about. Its description is medical text, so it is reviewed too."""

    name = models.CharField(max_length=200, unique=True, help_text="E.g. “Dermatomyositis and Polymyositis”.")
    slug = models.SlugField(max_length=200, unique=True)
    alternate_names = models.TextField(
        blank=True, help_text="Other names patients search for, one per line. Shown as “Also known as”."
    )
    description = models.TextField(
        blank=True,
        help_text=(
            "A short plain-language description. It is medical content: the public sees only the "
            "last version a medical reviewer approved."
        ),
    )
    description_edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, editable=False, on_delete=models.PROTECT, related_name="+"
    )
    approved_description = models.ForeignKey(
        "ConditionDescriptionApproval",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )
    community_size = models.PositiveIntegerField(
        null=True, blank=True, help_text="Members of the community living with this condition (leave blank if unknown)."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ConditionQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("explainers:condition", args=[self.slug])

    @property
    def alternate_name_list(self):
        return [line.strip() for line in self.alternate_names.splitlines() if line.strip()]

    @property
    def initial(self):
        first = self.name[:1].upper()
        return first if first.isalpha() else "#"

    @property
    def public_description(self):
        return self.approved_description.text if self.approved_description else ""

    @property
    def description_awaits_approval(self):
        return self.description.strip() != self.public_description.strip()

    def approve_description(self, *, by):
        """Record a reviewer's approval of the current description and make it public."""
        reviewer = _reviewer_profile(by)
        if not by.has_perm("explainers.approve_explainer") or reviewer is None:
            raise TransitionNotAllowed("Only a medical reviewer with a reviewer profile can approve a description.")
        if not self.description_awaits_approval:
            raise TransitionNotAllowed(f"The description of “{self}” has no changes to approve.")
        if self.description_edited_by_id == by.pk:
            raise TransitionNotAllowed("You edited this description, so another reviewer must approve it.")
        with transaction.atomic():
            approval = ConditionDescriptionApproval.objects.create(
                condition=self,
                text=self.description,
                reviewer=reviewer,
                reviewer_name=reviewer.display_name,
                reviewer_credentials=reviewer.credentials,
            )
            self.approved_description = approval
            self.save(update_fields=["approved_description", "updated_at"])
        return approval


class ConditionDescriptionApproval(ImmutableModel):
    """A reviewer's approval of one exact wording of a condition's description."""

    condition = models.ForeignKey(Condition, on_delete=models.PROTECT, related_name="description_approvals")
    text = models.TextField()
    reviewer = models.ForeignKey(Reviewer, on_delete=models.PROTECT, related_name="+")
    reviewer_name = models.CharField(max_length=120)
    reviewer_credentials = models.CharField(max_length=120)
    approved_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["-approved_at"]

    def __str__(self):
        return f"{self.condition} description approved by {self.reviewer_name}"


# ---------------------------------------------------------------------------
# Explainers: the working copy


class ExplainerQuerySet(models.QuerySet):
    def published(self):
        """Explainers the public can read: those with a published, approved snapshot."""
        return self.filter(published_version__isnull=False)

    def for_public_page(self):
        return self.published().select_related(
            "condition", "published_version", "public_review", "public_review__reviewer"
        )

    def due_for_review(self, *, on=None):
        """Published explainers whose next full review is due on or before ``on`` (default today)."""
        return self.published().filter(next_review_due__lte=on or timezone.localdate())

    def due_soon(self, *, on=None, days=None):
        """Published explainers due for review within the next ``days`` days but not yet overdue."""
        today = on or timezone.localdate()
        days = settings.CONDINFO_DUE_SOON_DAYS if days is None else days
        return self.published().filter(
            next_review_due__gt=today, next_review_due__lte=today + datetime.timedelta(days=days)
        )

    def awaiting_review(self):
        return self.filter(status=Status.IN_REVIEW)

    def changes_requested(self):
        return self.filter(status=Status.CHANGES_REQUESTED)

    def awaiting_publication(self):
        return self.filter(status=Status.APPROVED)


class Explainer(models.Model):
    """A patient's question about a condition and its answer: the author's working copy."""

    condition = models.ForeignKey(Condition, on_delete=models.PROTECT, related_name="explainers")
    question = models.CharField(
        max_length=200, help_text="The patient's question, in their words: “What causes …?” It is the page's title."
    )
    slug = models.SlugField(max_length=200, help_text="The last part of the page address; unique within the condition.")
    format_labels = models.CharField(
        max_length=200,
        default="Short answer, Medically reviewed summary",
        help_text="Labels for the badge line, separated by commas, e.g. “Short answer, Medically reviewed summary”.",
    )
    tldr = models.TextField(
        "TL;DR", help_text="Two or three plain sentences that answer the question. Also the page's search description."
    )
    experience_count = models.PositiveIntegerField(
        default=0,
        help_text=(
            "How many community members have shared first-person experience on this question. Not medical content."
        ),
    )
    position = models.PositiveSmallIntegerField(default=0, help_text="Order among the condition's explainers.")
    review_interval_months = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Months between full reviews for this explainer; blank uses the site setting.",
    )

    # Workflow state: changed only by the methods below.
    status = models.CharField(max_length=20, choices=Status, default=Status.DRAFT, editable=False)
    lock_version = models.PositiveIntegerField(default=0, editable=False)
    published_version = models.ForeignKey(
        "ExplainerVersion", null=True, blank=True, editable=False, on_delete=models.PROTECT, related_name="+"
    )
    public_review = models.ForeignKey(
        "Review",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The latest full clinical review behind the published text.",
    )
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_updated = models.DateField(
        null=True, blank=True, editable=False, help_text="When the public text last changed."
    )
    next_review_due = models.DateField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, editable=False, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ExplainerQuerySet.as_manager()

    class Meta:
        ordering = ["condition__name", "position", "question"]
        permissions = [
            ("submit_explainer", "Can submit an explainer for clinical review"),
            ("approve_explainer", "Can approve or request changes as a medical reviewer"),
            ("publish_explainer", "Can publish, withdraw and schedule reviews of explainers"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["condition", "slug"], name="explainer_slug_unique_per_condition"),
            models.CheckConstraint(
                condition=~Q(status=Status.PUBLISHED) | Q(published_version__isnull=False),
                name="published_explainer_has_published_version",
            ),
            models.CheckConstraint(
                condition=Q(published_version__isnull=True)
                | (Q(published_at__isnull=False) & Q(last_updated__isnull=False)),
                name="public_explainer_has_publication_dates",
            ),
        ]

    def __str__(self):
        return self.question

    def get_absolute_url(self):
        return reverse("explainers:explainer", args=[self.condition.slug, self.slug])

    # -- reading ---------------------------------------------------------

    @property
    def is_public(self):
        return self.published_version_id is not None

    @property
    def status_label(self):
        """The workflow state as a reviewer would say it, including unpublished changes."""
        label = self.get_status_display()
        if self.is_public and self.status != Status.PUBLISHED:
            return f"Published, with unpublished changes ({label.lower()})"
        return label

    @property
    def interval_months(self):
        return self.review_interval_months or SiteSettings.load().review_interval_months

    def is_overdue(self, on=None):
        return bool(self.next_review_due and self.next_review_due < (on or timezone.localdate()))

    def working_content(self):
        """Return the working copy as the plain data a snapshot freezes."""
        return {
            "question": self.question,
            "tldr": self.tldr,
            "format_labels": self.format_labels,
            "sections": [
                {"heading": s.heading, "body": s.body, "health_aspect": s.health_aspect} for s in self.sections.all()
            ],
            "sources": [
                {"citation": s.citation, "url": s.url, "pmid": s.pmid, "doi": s.doi} for s in self.sources.all()
            ],
        }

    def working_hash(self):
        return content_hash(self.working_content())

    def latest_version(self):
        return self.versions.order_by("-number").first()

    def last_approved_version(self):
        review = self.reviews.filter(kind__in=[ReviewKind.FULL, ReviewKind.MINOR]).order_by("-pk").first()
        return review.version if review else None

    def pending_review(self):
        """The approval that ``publish`` would make public, if the explainer is approved."""
        return self.reviews.exclude(kind=ReviewKind.CHANGES_REQUESTED).order_by("-pk").first()

    # -- workflow --------------------------------------------------------

    def record_edit(self, *, by):
        """Note that ``by`` changed the working copy; an edit voids any pending submission or approval."""
        with transaction.atomic():
            self._log(by=by, action="edited", to_status=self._status_after_edit())
            if self.status != self._status_after_edit():
                self.status = self._status_after_edit()
                self.save(update_fields=["status", "updated_at"])

    def _status_after_edit(self):
        if self.status in (Status.DRAFT, Status.CHANGES_REQUESTED):
            return self.status
        return Status.DRAFT

    def submit_for_review(self, *, by, comment=""):
        """Freeze the working copy as a new version and send it to the medical reviewers."""
        if not by.has_perm("explainers.submit_explainer"):
            raise TransitionNotAllowed("Your role cannot submit explainers for review.")
        if self.status not in (Status.DRAFT, Status.CHANGES_REQUESTED, Status.PUBLISHED, Status.WITHDRAWN):
            raise TransitionNotAllowed(f"“{self}” is {self.get_status_display().lower()} and cannot be submitted.")
        if not self.sections.exists():
            raise TransitionNotAllowed(f"“{self}” has no sections yet: add the answer before submitting it.")
        with transaction.atomic():
            version = ExplainerVersion.freeze(self, by=by)
            self._transition(Status.IN_REVIEW, by=by, action="submitted", comment=comment, version=version)
        return version

    def _submitted_version(self):
        version = self.latest_version()
        if self.status != Status.IN_REVIEW or version is None:
            raise TransitionNotAllowed(f"“{self}” is not awaiting review.")
        if version.content_hash != self.working_hash():
            raise TransitionNotAllowed(
                f"“{self}” changed after it was submitted; the author must submit the new text for review."
            )
        return version

    def approve(self, *, by, kind=ReviewKind.FULL, comments=""):
        """Record a medical reviewer's approval of exactly the submitted version."""
        reviewer = self._check_reviewer(by)
        version = self._submitted_version()
        if kind not in (ReviewKind.FULL, ReviewKind.MINOR):
            raise TransitionNotAllowed("An approval is either a full clinical review or a minor change.")
        if kind == ReviewKind.MINOR and not self.reviews.filter(kind=ReviewKind.FULL).exists():
            raise TransitionNotAllowed("The first approval of an explainer must be a full clinical review.")
        if version.contributors.filter(pk=by.pk).exists():
            raise TransitionNotAllowed("You edited this version, so another medical reviewer must approve it.")
        with transaction.atomic():
            review = Review.record(self, version, reviewer=reviewer, kind=kind, comments=comments)
            self._transition(
                Status.APPROVED,
                by=by,
                action=f"approved ({ReviewKind(kind).label.lower()})",
                comment=comments,
                version=version,
            )
        return review

    def request_changes(self, *, by, comments):
        """Send the submitted version back to its authors with the reviewer's comments."""
        reviewer = self._check_reviewer(by)
        version = self._submitted_version()
        if not comments.strip():
            raise TransitionNotAllowed("Say what needs to change: the comment is what the author will work from.")
        with transaction.atomic():
            review = Review.record(
                self, version, reviewer=reviewer, kind=ReviewKind.CHANGES_REQUESTED, comments=comments
            )
            self._transition(
                Status.CHANGES_REQUESTED, by=by, action="changes requested", comment=comments, version=version
            )
        return review

    def publish(self, *, by):
        """Make the approved version public (never the working copy)."""
        if not by.has_perm("explainers.publish_explainer"):
            raise TransitionNotAllowed("Your role cannot publish explainers.")
        if self.status != Status.APPROVED:
            raise TransitionNotAllowed(
                f"“{self}” is {self.get_status_display().lower()}: only approved versions can be published."
            )
        review = self.pending_review()
        today = timezone.localdate()
        # "Last updated" is when the public text changed: a re-review of unchanged text leaves it alone.
        text_changed = (
            self.published_version is None or self.published_version.content_hash != review.version.content_hash
        )
        with transaction.atomic():
            self.published_version = review.version
            self.published_at = timezone.now()
            if text_changed or self.last_updated is None:
                self.last_updated = today
            if review.kind == ReviewKind.FULL:
                self.public_review = review
                self.next_review_due = add_months(review.reviewed_on, self.interval_months)
            self.save(
                update_fields=[
                    "published_version",
                    "published_at",
                    "last_updated",
                    "public_review",
                    "next_review_due",
                    "updated_at",
                ]
            )
            self._transition(Status.PUBLISHED, by=by, action="published", version=review.version)

    def withdraw(self, *, by, reason):
        """Take the explainer off the public site; its record stays."""
        if not by.has_perm("explainers.publish_explainer"):
            raise TransitionNotAllowed("Your role cannot withdraw explainers.")
        if not self.is_public:
            raise TransitionNotAllowed(f"“{self}” is not published.")
        if not reason.strip():
            raise TransitionNotAllowed("Give a reason for withdrawing: it stays in the explainer's history.")
        with transaction.atomic():
            # One save for both fields: a published status without a published version breaks
            # the published_explainer_has_published_version constraint.
            from_status = self.status
            self.published_version = None
            self.status = Status.WITHDRAWN
            self.save(update_fields=["published_version", "status", "updated_at"])
            self._log(by=by, action="withdrawn", from_status=from_status, to_status=Status.WITHDRAWN, comment=reason)

    def schedule_review(self, *, by, due):
        """Set the next review date of a published explainer."""
        if not by.has_perm("explainers.publish_explainer"):
            raise TransitionNotAllowed("Your role cannot schedule reviews.")
        if not self.is_public:
            raise TransitionNotAllowed(f"“{self}” is not published, so it has no review cycle yet.")
        with transaction.atomic():
            previous = self.next_review_due
            self.next_review_due = due
            self.save(update_fields=["next_review_due", "updated_at"])
            self._log(
                by=by,
                action="review scheduled",
                to_status=self.status,
                comment=f"Next review due changed from {previous} to {due}.",
            )

    def _check_reviewer(self, user):
        reviewer = _reviewer_profile(user)
        if not user.has_perm("explainers.approve_explainer"):
            raise TransitionNotAllowed("Only medical reviewers can approve or request changes.")
        if reviewer is None:
            raise TransitionNotAllowed("You need a reviewer profile (name and credentials) before you can review.")
        return reviewer

    def _transition(self, to_status, *, by, action, comment="", version=None):
        from_status = self.status
        self.status = to_status
        self.save(update_fields=["status", "updated_at"])
        self._log(by=by, action=action, from_status=from_status, to_status=to_status, comment=comment, version=version)

    def _log(self, *, by, action, to_status, from_status=None, comment="", version=None):
        ExplainerEvent.objects.create(
            explainer=self,
            actor=by,
            action=action,
            from_status=from_status or self.status,
            to_status=to_status,
            comment=comment,
            version=version,
        )


def _reviewer_profile(user):
    try:
        return user.reviewer_profile
    except Reviewer.DoesNotExist:
        return None


class Section(models.Model):
    """One part of an explainer's answer: an optional heading and a Markdown body."""

    explainer = models.ForeignKey(Explainer, on_delete=models.CASCADE, related_name="sections")
    heading = models.CharField(max_length=200, blank=True, help_text="Optional; shown as a heading below the question.")
    body = MarkdownxField(help_text="Markdown: lists, tables, links and footnotes[^1] are supported. HTML is removed.")
    health_aspect = models.CharField(
        max_length=40,
        choices=HealthAspect,
        blank=True,
        help_text="What this section covers, for search engines (schema.org health aspect).",
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return self.heading or f"Section {self.position + 1}"


class Source(models.Model):
    """A reference the explainer cites, listed and numbered on the page."""

    explainer = models.ForeignKey(Explainer, on_delete=models.CASCADE, related_name="sources")
    citation = models.CharField(max_length=500, help_text="Authors, title, journal, year.")
    url = models.URLField(blank=True, max_length=500)
    pmid = models.CharField("PMID", max_length=12, blank=True)
    doi = models.CharField("DOI", max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return self.citation

    def clean(self):
        if self.pmid and not self.pmid.isdigit():
            raise ValidationError({"pmid": "A PubMed ID is a number, e.g. 31234567."})
        if self.doi and not self.doi.startswith("10."):
            raise ValidationError({"doi": "A DOI starts with “10.”, e.g. 10.1000/xyz123."})


# ---------------------------------------------------------------------------
# The record: snapshots, reviews and history


def content_hash(content):
    """Return a stable SHA-256 fingerprint of an explainer's content."""
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


class ExplainerVersion(ImmutableModel):
    """A frozen copy of an explainer as submitted for review: what is reviewed is what is published."""

    explainer = models.ForeignKey(Explainer, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    question = models.CharField(max_length=200)
    tldr = models.TextField()
    format_labels = models.CharField(max_length=200, blank=True)
    content = models.JSONField(help_text="Sections (Markdown and sanitised HTML) and sources, as frozen.")
    body_text = models.TextField(blank=True, help_text="Plain text of the sections, for search.")
    content_hash = models.CharField(max_length=64)
    search_vector = SearchVectorField(null=True, editable=False)  # filled on PostgreSQL only
    contributors = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["explainer", "-number"]
        get_latest_by = "number"
        constraints = [
            models.UniqueConstraint(fields=["explainer", "number"], name="version_number_unique_per_explainer"),
        ]

    def __str__(self):
        return f"{self.question} (version {self.number})"

    @classmethod
    def freeze(cls, explainer, *, by):
        """Snapshot the working copy, rendering and sanitising its Markdown once, for good."""
        content = explainer.working_content()
        last = explainer.latest_version()
        version = cls.objects.create(
            explainer=explainer,
            number=(last.number + 1) if last else 1,
            question=content["question"],
            tldr=content["tldr"],
            format_labels=content["format_labels"],
            content={
                "sections": [
                    {**s, "html": render_markdown(s["body"], anchor_prefix=f"s{i}-")}
                    for i, s in enumerate(content["sections"], start=1)
                ],
                "sources": content["sources"],
            },
            body_text="\n\n".join(
                filter(None, (f"{s['heading']}\n{plain_text(s['body'])}".strip() for s in content["sections"]))
            ),
            content_hash=content_hash(content),
            created_by=by,
        )
        version._recording_contributors = True  # the one moment the contributors may be written
        version.contributors.set(explainer_editor_ids(explainer))
        del version._recording_contributors
        from .search import index_version  # search depends on the database vendor

        index_version(version)
        return version

    @property
    def sections(self):
        return self.content.get("sections", [])

    @property
    def sources(self):
        return self.content.get("sources", [])

    @property
    def format_label_list(self):
        return [label.strip() for label in self.format_labels.split(",") if label.strip()]


@receiver(m2m_changed, sender=ExplainerVersion.contributors.through)
def _contributors_are_part_of_the_record(sender, instance, action, **kwargs):
    """Refuse changes to a version's contributors after freeze(): they decide who may approve it."""
    if action.startswith("pre_") and not getattr(instance, "_recording_contributors", False):
        raise ImmutableRecord("The contributors of an explainer version cannot be changed.")


def explainer_editor_ids(explainer):
    """Return the ids of everyone who edited the working copy since its last approval."""
    events = explainer.events.filter(action="edited")
    last_approval = explainer.reviews.exclude(kind=ReviewKind.CHANGES_REQUESTED).order_by("-pk").first()
    if last_approval:
        events = events.filter(at__gt=last_approval.created_at)
    ids = set(events.values_list("actor_id", flat=True))
    if last_approval is None and explainer.created_by_id:
        ids.add(explainer.created_by_id)
    return ids


class Review(ImmutableModel):
    """A medical reviewer's decision on one exact version, with their name as it was that day."""

    explainer = models.ForeignKey(Explainer, on_delete=models.PROTECT, related_name="reviews")
    version = models.ForeignKey(ExplainerVersion, on_delete=models.PROTECT, related_name="reviews")
    reviewer = models.ForeignKey(Reviewer, on_delete=models.PROTECT, related_name="reviews")
    reviewer_name = models.CharField(max_length=120)
    reviewer_credentials = models.CharField(max_length=120)
    kind = models.CharField(max_length=20, choices=ReviewKind)
    comments = models.TextField(blank=True)
    content_hash = models.CharField(max_length=64, help_text="Fingerprint of the version reviewed.")
    reviewed_on = models.DateField(default=timezone.localdate)
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} of “{self.version.question}” by {self.reviewer_name}"

    @property
    def is_approval(self):
        return self.kind in (ReviewKind.FULL, ReviewKind.MINOR)

    @classmethod
    def record(cls, explainer, version, *, reviewer, kind, comments):
        return cls.objects.create(
            explainer=explainer,
            version=version,
            reviewer=reviewer,
            reviewer_name=reviewer.display_name,
            reviewer_credentials=reviewer.credentials,
            kind=kind,
            comments=comments,
            content_hash=version.content_hash,
        )


class ExplainerEvent(ImmutableModel):
    """One line of an explainer's history: who did what, when, from which state to which."""

    explainer = models.ForeignKey(Explainer, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=60)
    from_status = models.CharField(max_length=20, choices=Status)
    to_status = models.CharField(max_length=20, choices=Status)
    comment = models.TextField(blank=True)
    version = models.ForeignKey(ExplainerVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.action} by {self.actor} at {self.at:%Y-%m-%d %H:%M}"


def unique_slug(model, value, **scope):
    """Return a slug for ``value`` not yet used by ``model`` within ``scope``."""
    base = slugify(value)[:180] or "item"
    slug, n = base, 2
    while model.objects.filter(slug=slug, **scope).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug
