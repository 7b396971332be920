"""
Erase the reporter's e-mail from reader reports closed more than REPORT_CONTACT_RETENTION_DAYS ago.

Run daily from cron. Idempotent: an erased e-mail stays erased, and a second run erases nothing.
"""

from django.conf import settings
from django.core.management.base import BaseCommand

from reports.models import Report


class Command(BaseCommand):
    help = __doc__.strip().splitlines()[0]

    def handle(self, *args, **options):
        erased = sum(report.erase_contact() for report in Report.objects.contact_expired().iterator())
        days = settings.REPORT_CONTACT_RETENTION_DAYS
        self.stdout.write(
            f"Erased the e-mail address of {erased} report{'s' if erased != 1 else ''} "
            f"closed more than {days} days ago."
        )
