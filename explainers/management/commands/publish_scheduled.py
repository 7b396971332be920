"""
Carry out the publications and withdrawals publishers scheduled, once their time has come.

Run it from cron every few minutes (see README, "Deploying to production"). Each step is carried
out as the publisher who scheduled it, through the same rules as the admin's buttons; a step whose
approval was voided in between is cancelled with the reason in the explainer's history. A missed
run loses nothing: the next one carries out everything overdue, oldest first.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from explainers.models import ScheduledStep


class Command(BaseCommand):
    help = "Publish and withdraw explainers whose scheduled time has come."

    def handle(self, *args, **options):
        done = cancelled = 0
        for step_id in list(ScheduledStep.objects.due().values_list("pk", flat=True)):
            with transaction.atomic():
                # Locked and read again: two overlapping runs never carry out one step twice.
                step = ScheduledStep.objects.select_for_update().filter(pk=step_id).pending().first()
                if step is None:
                    continue
                if step.carry_out():
                    done += 1
                    self.stdout.write(f"Done: {step}")
                else:
                    cancelled += 1
                    self.stdout.write(f"Cancelled: {step}. {step.cancel_reason}")
        self.stdout.write(self.style.SUCCESS(f"{done} scheduled step(s) carried out, {cancelled} cancelled."))
