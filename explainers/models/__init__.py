"""
The content model, in three parts: the vocabulary (``choices``), the working copy and its
workflow (``content``, with site settings and reviewers in ``site``), and the immutable
record (``records``). Everything is re-exported here, so ``from explainers.models import …``
keeps working.
"""

from .choices import (
    ConditionAction,
    EventAction,
    GetHelpLevel,
    HealthAspect,
    ImmutableRecord,
    LinkResult,
    ReferenceStatus,
    RegistrationBody,
    ReviewKind,
    ScheduledAction,
    SignedWith,
    Status,
    TransitionNotAllowed,
)
from .content import APPROVE, PUBLISH, SUBMIT, Condition, Explainer, Section, Source, version_url
from .records import (
    CHAINED_RECORDS,
    ConditionDescriptionApproval,
    ConditionEvent,
    ExplainerEvent,
    ExplainerVersion,
    ImmutableModel,
    ImmutableQuerySet,
    Review,
    ReviewerProfileChange,
    SiteSettingsChange,
    chain_hash,
    content_hash,
    explainer_editor_ids,
    now,
)
from .references import LinkCheck, Reference, ReviewFlag, VersionCitation, normal_doi
from .reminders import ReminderSent
from .schedule import ScheduledStep
from .site import Author, Reviewer, SiteSettings, add_months, default_review_interval, reviewer_profile

__all__ = [
    "LinkCheck",
    "LinkResult",
    "Reference",
    "ReferenceStatus",
    "ReviewFlag",
    "VersionCitation",
    "normal_doi",
    "ReminderSent",
    "ScheduledStep",
    "ScheduledAction",
    "GetHelpLevel",
    "Author",
    "SignedWith",
    "APPROVE",
    "CHAINED_RECORDS",
    "PUBLISH",
    "SUBMIT",
    "Condition",
    "ConditionAction",
    "ConditionDescriptionApproval",
    "ConditionEvent",
    "EventAction",
    "Explainer",
    "ExplainerEvent",
    "ExplainerVersion",
    "HealthAspect",
    "ImmutableModel",
    "ImmutableQuerySet",
    "ImmutableRecord",
    "RegistrationBody",
    "Review",
    "Reviewer",
    "ReviewerProfileChange",
    "ReviewKind",
    "Section",
    "SiteSettings",
    "SiteSettingsChange",
    "Source",
    "Status",
    "TransitionNotAllowed",
    "add_months",
    "chain_hash",
    "content_hash",
    "default_review_interval",
    "explainer_editor_ids",
    "now",
    "reviewer_profile",
    "version_url",
]
