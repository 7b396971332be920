"""
Scheduled publication and withdrawal: a publisher decides now, and `manage.py publish_scheduled`
carries it out at the time they chose, as them.

A schedule is only ever carried out through the explainer's own publish() and withdraw(), which
ask their rules again at that moment: anything that voided the approval in between (an edit, a
newer submission) refuses the step, and the schedule is cancelled with that reason in the history.
A run that is missed loses nothing: the next one carries out everything whose time has passed.
"""

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from .choices import EventAction, ScheduledAction, SignedWith, TransitionNotAllowed


class ScheduledStepQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(done_at__isnull=True, cancelled_at__isnull=True)

    def due(self, *, now=None):
        """Pending steps whose time has come (or passed, if a run was missed), oldest first."""
        return self.pending().filter(at__lte=now or timezone.now()).order_by("at", "pk")


class ScheduledStep(models.Model):
    """A publication or withdrawal a publisher scheduled, and what became of it."""

    explainer = models.ForeignKey("Explainer", on_delete=models.PROTECT, related_name="scheduled_steps")
    action = models.CharField(max_length=10, choices=ScheduledAction)
    at = models.DateTimeField(help_text="When the step is to happen.")
    scheduled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(
        "ExplainerVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The approved version to publish (publications only).",
    )
    signed_with = models.CharField(max_length=20, choices=SignedWith, blank=True)
    reason = models.TextField(blank=True, help_text="Why the page is withdrawn (withdrawals only).")
    created_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.TextField(blank=True)

    objects = ScheduledStepQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["at"], name="scheduled_step_at", condition=models.Q(done_at__isnull=True))]

    def __str__(self):
        return f"{self.get_action_display()} “{self.explainer}” at {timezone.localtime(self.at):%Y-%m-%d %H:%M}"

    def carry_out(self):
        """Publish or withdraw as the scheduling publisher, or cancel with the refusal. Return whether it was done."""
        explainer = self.explainer
        try:
            if self.action == ScheduledAction.PUBLISH:
                explainer.publish(by=self.scheduled_by, version=self.version, signed_with=self.signed_with)
            else:
                explainer.withdraw(by=self.scheduled_by, reason=self.reason)
        except TransitionNotAllowed as refusal:
            self.cancel(reason=f"The scheduled step could not be carried out: {refusal}", by=self.scheduled_by)
            return False
        self.done_at = timezone.now()
        self.save(update_fields=["done_at"])
        return True

    def cancel(self, *, reason, by):
        """Cancel the step and say why in the explainer's history."""
        with transaction.atomic():
            self.cancelled_at, self.cancel_reason = timezone.now(), reason
            self.save(update_fields=["cancelled_at", "cancel_reason"])
            self.explainer._log(
                by=by,
                action=EventAction.SCHEDULE_CANCELLED,
                to_status=self.explainer.status,
                comment=f"{self.get_action_display()} at {local_time(self.at)} cancelled. {reason}",
                version=self.version,
            )


def local_time(moment):
    return f"{timezone.localtime(moment):%-d %B %Y, %H:%M}"
