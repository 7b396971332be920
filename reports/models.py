"""
Reader reports: "Report a problem with this page", the site's first public write path.

A report is kept with the exact published version and section the reader saw, so triage reads
what they read, whatever has been published since. Triage moves a report new → acknowledged →
resolved or dismissed through named methods; ``step_refusal`` is the one rule every step and
every admin button asks, and each step writes a ReportEvent (who, when, from, to, note). The
reporter's e-mail is kept only to reply: ``purge_report_contacts`` erases it
REPORT_CONTACT_RETENTION_DAYS after the report is closed.
"""

import datetime

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from explainers.models import ExplainerVersion, TransitionNotAllowed

TRIAGE = "reports.triage_report"
DESCRIPTION_MAX_LENGTH = 2000


class ReportKind(models.TextChoices):
    FACTUAL_ERROR = "factual_error", "A factual error"
    OUT_OF_DATE = "out_of_date", "Out of date"
    BROKEN_LINK = "broken_link", "A broken link"
    HARD_TO_UNDERSTAND = "hard_to_understand", "Hard to understand"
    OTHER = "other", "Something else"

    @classmethod
    def notifying_reviewers(cls):
        """The kinds the medical reviewers are e-mailed about as soon as they arrive."""
        return [cls.FACTUAL_ERROR]


class ReportStatus(models.TextChoices):
    NEW = "new", "New"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    RESOLVED = "resolved", "Resolved"
    DISMISSED = "dismissed", "Dismissed"

    @classmethod
    def closed(cls):
        return [cls.RESOLVED, cls.DISMISSED]


class TriageStep(models.TextChoices):
    """What a line of a report's history records; also the names of the admin's triage buttons."""

    ACKNOWLEDGE = "acknowledge", "Acknowledge"
    RESOLVE = "resolve", "Resolve"
    DISMISS = "dismiss", "Dismiss"
    START_RE_REVIEW = "start_re_review", "Start a re-review"
    ERASE_CONTACT = "erase_contact", "Erase the reporter's e-mail"

    @classmethod
    def needing_a_note(cls):
        return [cls.RESOLVE, cls.DISMISS]


# Which status each step leaves a report in, and from which statuses it may be taken.
STEP_TO = {
    TriageStep.ACKNOWLEDGE: ReportStatus.ACKNOWLEDGED,
    TriageStep.RESOLVE: ReportStatus.RESOLVED,
    TriageStep.DISMISS: ReportStatus.DISMISSED,
}
STEP_FROM = {
    TriageStep.ACKNOWLEDGE: [ReportStatus.NEW],
    TriageStep.RESOLVE: [ReportStatus.NEW, ReportStatus.ACKNOWLEDGED],
    TriageStep.DISMISS: [ReportStatus.NEW, ReportStatus.ACKNOWLEDGED],
    TriageStep.START_RE_REVIEW: [ReportStatus.NEW, ReportStatus.ACKNOWLEDGED],
}


class ReportQuerySet(models.QuerySet):
    def awaiting_triage(self):
        return self.filter(status=ReportStatus.NEW)

    def contact_expired(self, *, now=None):
        """Closed reports still holding an e-mail, closed more than REPORT_CONTACT_RETENTION_DAYS ago."""
        cutoff = (now or timezone.now()) - datetime.timedelta(days=settings.REPORT_CONTACT_RETENTION_DAYS)
        return self.filter(status__in=ReportStatus.closed(), closed_at__lt=cutoff).exclude(email="")


class Report(models.Model):
    explainer = models.ForeignKey("explainers.Explainer", on_delete=models.PROTECT, related_name="reports")
    version = models.ForeignKey(
        ExplainerVersion,
        on_delete=models.PROTECT,
        related_name="reports",
        help_text="The published version the reader was reading when they reported.",
    )
    section_position = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Which section (1 is the first) the reader chose; empty for the whole page."
    )
    section_anchor = models.CharField(max_length=40, blank=True, help_text="The section's anchor on the page.")
    section_heading = models.CharField(
        max_length=200, blank=True, help_text="The section's heading as the reader saw it in that version."
    )
    kind = models.CharField(max_length=30, choices=ReportKind, help_text="What the reader says is wrong.")
    description = models.TextField(
        max_length=DESCRIPTION_MAX_LENGTH,
        help_text="The reader's words, stored and shown as plain text (never as markup).",
    )
    email = models.EmailField(
        "e-mail",
        max_length=254,
        blank=True,
        help_text="For a reply only. Erased automatically some days after the report is closed.",
    )
    status = models.CharField(max_length=20, choices=ReportStatus, default=ReportStatus.NEW, editable=False)
    resolution_note = models.TextField(blank=True, editable=False, help_text="Why it was resolved or dismissed.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    contact_erased_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        permissions = [("triage_report", "Can triage reader reports")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status__in=ReportStatus.closed()) | Q(closed_at__isnull=False),
                name="closed_report_has_closed_at",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=ReportStatus.closed()) | ~Q(resolution_note=""),
                name="closed_report_has_resolution_note",
            ),
        ]
        indexes = [models.Index(fields=["status", "-created_at"], name="report_triage_order")]

    def __str__(self):
        return f"{self.get_kind_display()} on “{self.version.question}” ({self.created_at:%d %b %Y})"

    @property
    def section_label(self):
        if self.section_position is None:
            return "The whole page"
        return self.section_heading or f"Section {self.section_position} (no heading)"

    @property
    def is_closed(self):
        return self.status in ReportStatus.closed()

    # -- the rule: one method for every step, returning the reason it is refused or None --

    def step_refusal(self, user, step, *, note=""):
        """Return why ``user`` cannot take ``step`` (a TriageStep) on this report now, or None."""
        if not user.has_perm(TRIAGE):
            return "Your role cannot triage reader reports."
        if step not in STEP_FROM:
            return f"“{step}” is not a triage step."
        if self.status not in STEP_FROM[step]:
            allowed = " or ".join(ReportStatus(status).label.lower() for status in STEP_FROM[step])
            return (
                f"This report is {self.get_status_display().lower()}: “{TriageStep(step).label}” is only possible "
                f"for {allowed} reports."
            )
        if step in TriageStep.needing_a_note() and not note.strip():
            return "Write a resolution note: say what was done, or why nothing needs doing."
        if step == TriageStep.START_RE_REVIEW:
            return self.explainer.schedule_refusal(user, due=timezone.localdate())
        return None

    # -- triage ------------------------------------------------------------

    def acknowledge(self, *, by, note=""):
        """Say the report has been read and is being looked into."""
        self._step(TriageStep.ACKNOWLEDGE, by=by, note=note)

    def resolve(self, *, by, note):
        """Close the report: the page was corrected, or will be; ``note`` says how."""
        self._step(TriageStep.RESOLVE, by=by, note=note)

    def dismiss(self, *, by, note):
        """Close the report without a change to the page; ``note`` says why."""
        self._step(TriageStep.DISMISS, by=by, note=note)

    def start_re_review(self, *, by, note=""):
        """Make the explainer due for review today (Explainer.schedule_review), and record it on the report."""
        with transaction.atomic():
            self._lock()
            if reason := self.step_refusal(by, TriageStep.START_RE_REVIEW, note=note):
                raise TransitionNotAllowed(reason)
            self.explainer.schedule_review(by=by, due=timezone.localdate())
            self._log(by=by, step=TriageStep.START_RE_REVIEW, from_status=self.status, note=note)

    def erase_contact(self):
        """Forget the reporter's e-mail (the retention period after closing has passed)."""
        with transaction.atomic():
            self._lock()
            if not self.email:
                return False
            self.email = ""
            self.contact_erased_at = timezone.now()
            self.save(update_fields=["email", "contact_erased_at"])
            self._log(by=None, step=TriageStep.ERASE_CONTACT, from_status=self.status)
            return True

    def _lock(self):
        self.refresh_from_db(from_queryset=Report.objects.select_for_update())

    def _step(self, step, *, by, note):
        with transaction.atomic():
            self._lock()
            if reason := self.step_refusal(by, step, note=note):
                raise TransitionNotAllowed(reason)
            from_status = self.status
            self.status = STEP_TO[step]
            fields = ["status"]
            if self.status in ReportStatus.closed():
                self.closed_at = timezone.now()
                self.resolution_note = note.strip()
                fields += ["closed_at", "resolution_note"]
            self.save(update_fields=fields)
            self._log(by=by, step=step, from_status=from_status, note=note)

    def _log(self, *, by, step, from_status, note=""):
        ReportEvent.objects.create(
            report=self, actor=by, step=step, from_status=from_status, to_status=self.status, note=note.strip()
        )


class ReportEvent(models.Model):
    """One line of a report's triage history: who did what, when, from which status to which, and why."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty for what the site did by itself (erasing an e-mail).",
    )
    step = models.CharField(max_length=30, choices=TriageStep)
    from_status = models.CharField(max_length=20, choices=ReportStatus)
    to_status = models.CharField(max_length=20, choices=ReportStatus)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"{self.get_step_display()} by {self.actor or 'the site'} on {self.created_at:%d %b %Y %H:%M}"
