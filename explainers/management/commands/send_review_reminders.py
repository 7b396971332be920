"""
Email each medical reviewer a digest of what needs them: explainers awaiting their review
and published explainers overdue or due for review within 30 days.

Meant to run daily or weekly from cron. A reviewer with nothing to do gets no email, and
an explainer a reviewer edited is left out of their list: someone else must review it.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.mail import send_mail
from django.core.management.base import BaseCommand
from django.db.models import Q
from django.urls import reverse

from explainers.queues import awaiting_review_split, review_schedule


def admin_link(name, explainer):
    return settings.SITE_URL + reverse(f"admin:explainers_explainer_{name}", args=[explainer.pk])


def medical_reviewers():
    """Return active users who may approve explainers and have an email address."""
    permission = Permission.objects.get(content_type__app_label="explainers", codename="approve_explainer")
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(groups__permissions=permission) | Q(user_permissions=permission) | Q(is_superuser=True))
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )


def digest(user, overdue, soon):
    """Return (subject, body) of ``user``'s reminder, or None when there is nothing for them to do."""
    awaiting, _edited = awaiting_review_split(user)
    if not (awaiting or overdue or soon):
        return None
    counts = [f"{len(awaiting)} awaiting your review"] if awaiting else []
    counts += [f"{len(overdue)} overdue"] if overdue else []
    counts += [f"{len(soon)} due within 30 days"] if soon else []
    lines = [f"Hello {user.get_full_name() or user.get_username()},", ""]
    if awaiting:
        lines += ["Awaiting your review:"]
        lines += [f"- {e.question} ({e.condition.name})\n  {admin_link('review', e)}" for e in awaiting]
        lines += [""]
    if overdue:
        lines += ["Published, and overdue for review:"]
        lines += [f"- {e.question} (due {e.next_review_due:%d %B %Y})\n  {admin_link('change', e)}" for e in overdue]
        lines += [""]
    if soon:
        lines += ["Published, and due for review within 30 days:"]
        lines += [f"- {e.question} (due {e.next_review_due:%d %B %Y})\n  {admin_link('change', e)}" for e in soon]
        lines += [""]
    lines += [
        "Explainers you edited yourself are left out: another medical reviewer must review them.",
        f"Review queue: {settings.SITE_URL}{reverse('admin:index')}",
    ]
    return f"condinfo reviews: {', '.join(counts)}", "\n".join(lines)


class Command(BaseCommand):
    help = "Email each medical reviewer the explainers awaiting their review and those due for review."

    def handle(self, *args, **options):
        overdue, soon = review_schedule()
        sent = idle = 0
        for user in medical_reviewers():
            message = digest(user, overdue, soon)
            if message is None:
                idle += 1
                continue
            subject, body = message
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
            sent += 1
            if options["verbosity"] > 1:
                self.stdout.write(f"{user.email}: {subject}")
        self.stdout.write(
            f"Sent {sent} reminder{'s' if sent != 1 else ''}; "
            f"{idle} reviewer{'s' if idle != 1 else ''} had nothing to review."
        )
