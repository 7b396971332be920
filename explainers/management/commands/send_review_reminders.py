"""
E-mail each member of staff their reminder digest (explainers/reminders.py says who hears what).

Meant to run daily from cron. A person gets one e-mail per day at most, with plain-text and HTML
parts: a second run on the same day sends nothing to anyone already sent today's digest, so a
retried or doubled cron job is harmless. Someone with nothing to do gets no e-mail.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.management.base import BaseCommand
from django.db import IntegrityError, transaction
from django.utils import timezone

from explainers.models import ReminderSent
from explainers.reminders import digest_for, recipients
from explainers.roles import holders


def medical_reviewers():
    """Active users who may approve explainers and have an e-mail address (reader reports go to them too)."""
    return holders("approve_explainer")


def reminders(count):
    return f"{count} reminder{'' if count == 1 else 's'}"


def people(count):
    return f"{count} {'person' if count == 1 else 'people'}"


class Command(BaseCommand):
    help = "E-mail each member of staff the explainers that are theirs to review, fix, own or escalate (once a day)."

    def handle(self, *args, **options):
        today = timezone.localdate()
        sent = idle = already = 0
        for user in recipients():
            if ReminderSent.objects.filter(recipient=user, sent_on=today).exists():
                already += 1
                continue
            digest = digest_for(user, today=today)
            if digest is None:
                idle += 1
                continue
            text, html = digest.render()
            message = EmailMultiAlternatives(digest.subject, text, settings.DEFAULT_FROM_EMAIL, [user.email])
            message.attach_alternative(html, "text/html")
            try:
                # The record first, the e-mail inside the same transaction: a failed send leaves no record
                # (the next run retries), and of two simultaneous runs only one can write the record.
                with transaction.atomic():
                    ReminderSent.objects.create(recipient=user, sent_on=today, subject=digest.subject[:300])
                    message.send()
            except IntegrityError:
                already += 1
                continue
            sent += 1
            if options["verbosity"] > 1:
                self.stdout.write(f"{user.email}: {digest.subject}")
        self.stdout.write(
            f"Sent {reminders(sent)}; {people(idle)} had nothing to do; {people(already)} already had today's."
        )
