"""
The words the review rules are written in: states, decisions, history actions, and the two
exceptions the workflow raises. Each is a choice, never a string matched elsewhere, so a typo
cannot silently switch a rule off.
"""

from django.db import models


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

    @classmethod
    def approvals(cls):
        """The kinds of review that approve a version (the others send it back)."""
        return [cls.FULL, cls.MINOR]


class EventAction(models.TextChoices):
    """What a line of an explainer's history records. ``EDITED`` decides who contributed to a version."""

    EDITED = "edited", "Edited"
    SUBMITTED = "submitted", "Submitted for review"
    APPROVED = "approved", "Approved"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    PUBLISHED = "published", "Published"
    WITHDRAWN = "withdrawn", "Withdrawn"
    REVIEW_SCHEDULED = "review_scheduled", "Review scheduled"
    PUBLICATION_SCHEDULED = "publication_scheduled", "Publication scheduled"
    WITHDRAWAL_SCHEDULED = "withdrawal_scheduled", "Withdrawal scheduled"
    SCHEDULE_CANCELLED = "schedule_cancelled", "Schedule cancelled"
    OWNER_CHANGED = "owner_changed", "Owner changed"
    FLAGGED = "flagged", "Flagged for re-review"
    FLAG_CLEARED = "flag_cleared", "Re-review flag cleared"


class ReferenceStatus(models.TextChoices):
    """Whether a source still stands. A change from current flags every page whose published text cites it."""

    CURRENT = "current", "Current"
    SUPERSEDED = "superseded", "Superseded"
    RETRACTED = "retracted", "Retracted"


class LinkResult(models.TextChoices):
    OK = "ok", "Working"
    REDIRECTED = "redirected", "Redirects"
    BROKEN = "broken", "Broken"


class ScheduledAction(models.TextChoices):
    PUBLISH = "publish", "Publish"
    WITHDRAW = "withdraw", "Withdraw"


class GetHelpLevel(models.TextChoices):
    """How soon a reader with the signs an explainer describes should get help; the site says where."""

    NON_URGENT = "non_urgent", "See your doctor"
    URGENT = "urgent", "Get urgent advice"
    EMERGENCY = "emergency", "Emergency"


class SignedWith(models.TextChoices):
    """How a person proved it was them at the moment they signed a decision (21 CFR 11.200)."""

    PASSWORD = "password", "Password re-entered"
    ONE_TIME_CODE = "one_time_code", "One-time code"


class ConditionAction(models.TextChoices):
    """What a line of a condition's history records. ``EDITED`` decides who may approve its details."""

    EDITED = "edited", "Edited"
    APPROVED = "approved", "Approved"


class RegistrationBody(models.TextChoices):
    """Professional registers a reviewer's registration can be checked against."""

    GMC = "GMC", "General Medical Council (UK)"
    NMC = "NMC", "Nursing and Midwifery Council (UK)"
    HCPC = "HCPC", "Health and Care Professions Council (UK)"
    GPHC = "GPhC", "General Pharmaceutical Council (UK)"
    NPI = "NPI", "National Provider Identifier (US)"
    AHPRA = "AHPRA", "Australian Health Practitioner Regulation Agency"
    OTHER = "other", "Other register"
