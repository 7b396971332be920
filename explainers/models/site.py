"""Site-wide settings and the reviewers whose names stand behind every public page."""

import calendar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Max, Q, Sum
from django.db.models.functions import Length
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as format_date

from .choices import GetHelpLevel, RegistrationBody
from .records import ReviewerProfileChange, SiteSettingsChange, record_changes

# The longest review cycle health-information standards allow (e.g. PIF TICK: three years).
LONGEST_REVIEW_CYCLE_MONTHS = 36
# Bounds for the length limits: a limit below a short paragraph would refuse ordinary sections, and
# one above a million characters lets a single save outgrow the request size the site accepts
# (DATA_UPLOAD_MAX_MEMORY_SIZE, 5 MiB) and the time rendering may take.
MIN_LENGTH_LIMIT = 1_000
MAX_LENGTH_LIMIT = 1_000_000


def public_pages_changed(paths):
    from core.cache import public_pages_changed as changed  # the cache layer sits above the models

    changed(paths)


def add_months(day, months):
    """Return the same day ``months`` later, clamped to the end of shorter months."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def long_date(day):
    return format_date(day, "j F Y")


def default_review_interval():
    # Read at creation, not frozen into a migration, so REVIEW_INTERVAL_MONTHS can differ per site.
    return settings.CONDINFO_REVIEW_INTERVAL_MONTHS


class SiteSettings(models.Model):
    """Site-wide text and defaults that editors change without a deploy. Every change is recorded."""

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
    max_review_interval_months = models.PositiveSmallIntegerField(
        default=LONGEST_REVIEW_CYCLE_MONTHS,
        validators=[MinValueValidator(1), MaxValueValidator(LONGEST_REVIEW_CYCLE_MONTHS)],
        help_text=(
            "The longest an explainer may go between full reviews, whatever its own interval or a scheduled "
            f"date says. At most {LONGEST_REVIEW_CYCLE_MONTHS} months, the longest cycle health-information "
            "standards allow."
        ),
    )
    registration_check_months = models.PositiveSmallIntegerField(
        default=12,
        validators=[MinValueValidator(1)],
        help_text="A reviewer whose professional registration was checked longer ago than this cannot approve.",
    )
    interests_declaration_months = models.PositiveSmallIntegerField(
        default=12,
        validators=[MinValueValidator(1)],
        help_text="A reviewer whose declaration of interests was made longer ago than this cannot approve.",
    )
    minor_change_max_percent = models.PositiveSmallIntegerField(
        default=20,
        validators=[MaxValueValidator(100)],
        help_text="A version in which more than this share of the words changed needs a full clinical review.",
    )
    max_section_length = models.PositiveIntegerField(
        default=50_000,
        validators=[MinValueValidator(MIN_LENGTH_LIMIT), MaxValueValidator(MAX_LENGTH_LIMIT)],
        help_text=(
            "The most characters one section may have, spaces and Markdown included. 50,000 is about twenty "
            "printed pages: more is hard to read on a phone and slow to prepare. A longer section is refused when "
            "saved, with a message asking for it to be split in two; nothing typed is lost."
        ),
    )
    max_explainer_length = models.PositiveIntegerField(
        default=200_000,
        validators=[MinValueValidator(MIN_LENGTH_LIMIT), MaxValueValidator(MAX_LENGTH_LIMIT)],
        help_text=(
            "The most characters a whole explainer may have: its question, TL;DR and every section together. "
            "A longer explainer cannot be saved or submitted for review; split it into two explainers."
        ),
    )

    correction_notice_days = models.PositiveSmallIntegerField(
        default=90,
        validators=[MinValueValidator(1)],
        help_text="How many days a page shows the notice of a correction of a clinically significant error. The "
        "page's history keeps it for good.",
    )
    escalate_overdue_after_days = models.PositiveSmallIntegerField(
        default=30,
        validators=[MinValueValidator(1)],
        help_text="A page overdue for review by more than this many days is escalated: the publishers get it in "
        "their reminder, not only its owner.",
    )
    target_reading_age = models.PositiveSmallIntegerField(
        default=11,
        validators=[MinValueValidator(5), MaxValueValidator(21)],
        help_text="The reading age authors and reviewers aim for. 11 is the level national health services aim "
        "for. Shown beside each version's reading level; it informs and never blocks.",
    )
    get_help_non_urgent = models.CharField(
        "where to get help: see your doctor",
        max_length=300,
        default="Make an appointment with your GP or the team who look after your condition.",
        help_text="What a page at the level “See your doctor” tells readers to do. Name the services of the "
        "country the site serves.",
    )
    get_help_urgent = models.CharField(
        "where to get help: urgent advice",
        max_length=300,
        default="Get advice today: call 111, or ask your GP surgery for an urgent appointment.",
        help_text="What a page at the level “Get urgent advice” tells readers to do, with the number to call.",
    )
    get_help_emergency = models.CharField(
        "where to get help: emergency",
        max_length=300,
        default="Call 999 now, or go to A&E.",
        help_text="What a page at the level “Emergency” tells readers to do, with the emergency number.",
    )

    TRACKED_FIELDS = [
        "disclaimer",
        "community_name",
        "review_interval_months",
        "max_review_interval_months",
        "registration_check_months",
        "interests_declaration_months",
        "minor_change_max_percent",
        "max_section_length",
        "max_explainer_length",
        "get_help_non_urgent",
        "get_help_urgent",
        "get_help_emergency",
        "correction_notice_days",
        "escalate_overdue_after_days",
        "target_reading_age",
    ]

    class Meta:
        verbose_name = "site settings"
        verbose_name_plural = "site settings"
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="site_settings_singleton")]

    def __str__(self):
        return "Site settings"

    def get_help_action(self, level):
        """What the site tells a reader to do at ``level`` (a GetHelpLevel): its services and numbers."""
        return {
            GetHelpLevel.NON_URGENT: self.get_help_non_urgent,
            GetHelpLevel.URGENT: self.get_help_urgent,
            GetHelpLevel.EMERGENCY: self.get_help_emergency,
        }[level]

    def clean(self):
        if (self.review_interval_months or 0) > (self.max_review_interval_months or 0):
            raise ValidationError(
                {"review_interval_months": "The usual interval cannot be longer than the longest interval allowed."}
            )
        if (self.max_section_length or 0) > (self.max_explainer_length or 0):
            raise ValidationError(
                {"max_section_length": "A section cannot be allowed to be longer than a whole explainer."}
            )

    @classmethod
    def load(cls):
        """Return the one settings row, creating it with defaults on first use."""
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj

    def section_length_refusal(self, body, *, name="This section"):
        """Return why a section body is longer than allowed (``name`` says which section), or None."""
        if len(body) <= self.max_section_length:
            return None
        return (
            f"{name} is {len(body):,} characters long; the most a section may be is {self.max_section_length:,}. "
            "Split it into two sections."
        )

    def explainer_length_refusal(self, total):
        """Return why an explainer of ``total`` characters (question, TL;DR and sections) is too long, or None."""
        if total <= self.max_explainer_length:
            return None
        return (
            f"This explainer is {total:,} characters long (question, TL;DR and sections together); the most an "
            f"explainer may be is {self.max_explainer_length:,}. Shorten it, or split it into two explainers."
        )

    def length_refusal(self, explainer):
        """Return why the saved text of ``explainer`` is longer than allowed, or None (one query when it is not)."""
        lengths = explainer.sections.aggregate(longest=Max(Length("body")), total=Sum(Length("body")))
        if (lengths["longest"] or 0) > self.max_section_length:
            section = explainer.sections.annotate(length=Length("body")).order_by("-length", "position", "pk").first()
            return self.section_length_refusal(section.body, name=f"The section “{section}”")
        return self.explainer_length_refusal(len(explainer.question) + len(explainer.tldr) + (lengths["total"] or 0))

    def save_with_history(self, *, by):
        """Save, and record who changed which setting from what to what."""
        with transaction.atomic():
            before = SiteSettings.objects.select_for_update().filter(pk=self.pk).first() or SiteSettings()
            self.save()
            changes = record_changes(SiteSettingsChange, before, self, by=by, fields=self.TRACKED_FIELDS)
            if changes:
                public_pages_changed([])  # the disclaimer and labels are on every page
            return changes


class Author(models.Model):
    """The public profile of someone who writes explainers: the byline on every page they wrote.

    Set by people who may change author profiles (``change_author``), never by authors themselves:
    a byline is a public claim about who wrote medical text.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="author_profile",
        help_text="The account whose edits make them an author of a version.",
    )
    display_name = models.CharField(
        max_length=120, unique=True, help_text="As the byline shows it, e.g. “Alex Author”. Unique."
    )
    role = models.CharField(max_length=120, help_text="What they do, e.g. “Health writer” or “Specialist nurse”.")
    bio = models.TextField(blank=True, help_text="Two or three sentences about their background.")
    slug = models.SlugField(max_length=120, unique=True)

    class Meta:
        ordering = ["display_name"]

    def __str__(self):
        return f"{self.display_name}, {self.role}"

    def get_absolute_url(self):
        return reverse("explainers:author", args=[self.slug])

    def save_profile(self):
        """Save the profile and have every page show the byline as it now stands, once committed."""
        with transaction.atomic():
            self.save()
            public_pages_changed([self.get_absolute_url()])  # bylines are on many pages: all are refreshed


class Reviewer(models.Model):
    """The public profile of a clinician who reviews explainers."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="reviewer_profile",
        help_text="The account that signs this reviewer's decisions. It can never change once the profile exists.",
    )
    display_name = models.CharField(
        max_length=120, unique=True, help_text="As it appears on pages, e.g. “Dr Amina Okafor”. Unique."
    )
    credentials = models.CharField(max_length=120, help_text="Qualifications and role, e.g. “MD, rheumatologist”.")
    specialty = models.CharField(max_length=120, blank=True)
    bio = models.TextField(blank=True, help_text="Two or three sentences a patient would find reassuring.")
    slug = models.SlugField(max_length=120, unique=True)
    registration_body = models.CharField(
        max_length=10, choices=RegistrationBody, blank=True, help_text="The professional register they are on."
    )
    registration_number = models.CharField(max_length=40, blank=True, help_text="Their number on that register.")
    registration_verified_on = models.DateField(
        null=True,
        blank=True,
        help_text="When someone who manages reviewer profiles last checked the registration on the register itself.",
    )
    interests_declaration = models.TextField(
        "declared interests",
        blank=True,
        help_text="Your declaration of interests that could bear on your reviews: funding, consultancy, shares, "
        "roles, relationships. Write “None” if you have none: that is a declaration too. Shown on your public page.",
    )
    interests_declared_on = models.DateField(
        "interests declared on",
        null=True,
        blank=True,
        help_text="When you made or last confirmed this declaration. An approval is refused once it is older than "
        "the site settings allow (12 months unless changed): confirm it again by setting today's date.",
    )

    # Fields only people with the manage_reviewer_profiles permission may set: they decide whose
    # name stands behind an approval.
    IDENTITY_FIELDS = [
        "display_name",
        "credentials",
        "slug",
        "registration_body",
        "registration_number",
        "registration_verified_on",
    ]
    OWN_FIELDS = ["specialty", "bio", "interests_declaration", "interests_declared_on"]
    MANAGE = "explainers.manage_reviewer_profiles"

    class Meta:
        ordering = ["display_name"]
        permissions = [
            (
                "manage_reviewer_profiles",
                "Can create reviewer profiles, change their names, credentials and registrations, and verify them",
            )
        ]

    def __str__(self):
        return f"{self.display_name}, {self.credentials}"

    def get_absolute_url(self):
        return reverse("explainers:reviewer", args=[self.slug])

    def clean(self):
        if self.registration_verified_on and self.registration_verified_on > timezone.localdate():
            raise ValidationError({"registration_verified_on": "A registration cannot be checked in the future."})
        if self.interests_declared_on and self.interests_declared_on > timezone.localdate():
            raise ValidationError({"interests_declared_on": "A declaration cannot be made in the future."})
        if self.interests_declared_on and not self.interests_declaration.strip():
            raise ValidationError(
                {"interests_declaration": "Write the declaration, or “None” if you have nothing to declare."}
            )

    @property
    def interests_summary(self):
        """E.g. “None (declared 7 April 2026)”, as a review records it."""
        if not self.interests_declaration.strip():
            return ""
        declared = f" (declared {long_date(self.interests_declared_on)})" if self.interests_declared_on else ""
        return f"{self.interests_declaration.strip()}{declared}"

    def editable_fields(self, user):
        """Return the profile fields ``user`` may change (the account itself never changes)."""
        if user.has_perm(self.MANAGE):
            return self.IDENTITY_FIELDS + self.OWN_FIELDS
        if self.pk and self.user_id == user.pk and user.has_perm("explainers.change_reviewer"):
            return list(self.OWN_FIELDS)
        return []

    @property
    def registration_summary(self):
        """E.g. “GMC 1234567, checked 7 April 2026”, as a review records it."""
        if not self.registration_number:
            return ""
        checked = f", checked {long_date(self.registration_verified_on)}" if self.registration_verified_on else ""
        return f"{self.registration_body} {self.registration_number}{checked}".strip()

    def approval_refusal(self, *, on=None):
        """Return why this reviewer cannot approve today (their registration check is missing or stale), or None."""
        months = SiteSettings.load().registration_check_months
        checked = self.registration_verified_on
        if checked is None:
            return (
                "Your professional registration has not been checked yet, so you cannot approve: ask someone "
                "who manages reviewer profiles to check it on the register."
            )
        if add_months(checked, months) < (on or timezone.localdate()):
            return (
                f"Your professional registration was last checked on {long_date(checked)}, more than {months} "
                "months ago, so you cannot approve: ask someone who manages reviewer profiles to check it again."
            )
        return self.interests_refusal(on=on)

    def interests_refusal(self, *, on=None):
        """Return why this reviewer's declaration of interests does not let them approve (missing or stale), or None."""
        months = SiteSettings.load().interests_declaration_months
        declared = self.interests_declared_on
        if declared is None or not self.interests_declaration.strip():
            return (
                "You have not declared your interests, so you cannot approve: add your declaration (or “None”) "
                "and its date on your reviewer profile."
            )
        if add_months(declared, months) < (on or timezone.localdate()):
            return (
                f"Your declaration of interests was made on {long_date(declared)}, more than {months} months ago, "
                "so you cannot approve: confirm or update it on your reviewer profile."
            )
        return None

    def save_with_history(self, *, by):
        """Save, and record who changed which field of the profile from what to what."""
        with transaction.atomic():
            before = Reviewer.objects.select_for_update().filter(pk=self.pk).first() if self.pk else Reviewer()
            if before.pk and before.user_id != self.user_id:
                raise ValidationError("The account of a reviewer profile never changes.")
            self.save()
            public_pages_changed([self.get_absolute_url()] if before.pk else [])
            return record_changes(
                ReviewerProfileChange,
                before,
                self,
                by=by,
                fields=self.IDENTITY_FIELDS + self.OWN_FIELDS,
                reviewer=self,
            )


def reviewer_profile(user):
    try:
        return user.reviewer_profile
    except Reviewer.DoesNotExist:
        return None
