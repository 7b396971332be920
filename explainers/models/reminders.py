"""Which reminder digests went out, so that running the reminders twice on a day sends nothing twice."""

from django.conf import settings
from django.db import models


class ReminderSent(models.Model):
    """One person's reminder digest on one day: at most one per person per day."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_on = models.DateField()
    subject = models.CharField(max_length=300)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["recipient", "sent_on"], name="one_reminder_per_person_a_day")]

    def __str__(self):
        return f"{self.subject} ({self.sent_on})"
