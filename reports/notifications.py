"""E-mails about reader reports: factual-error reports go to the medical reviewers once the report is stored.

Explainers have no owner yet, so every active medical reviewer with an e-mail address is told.
"""

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse

from explainers.management.commands.send_review_reminders import medical_reviewers


def notify_reviewers(report):
    """E-mail the medical reviewers about ``report`` (plain text: the reader's words are never markup)."""
    recipients = list(medical_reviewers().values_list("email", flat=True))
    if not recipients:
        return 0
    link = settings.SITE_URL + reverse("admin:reports_report_change", args=[report.pk])
    page = settings.SITE_URL + reverse(
        "explainers:explainer", args=[report.version.condition.slug, report.version.slug]
    )
    body = "\n".join(
        [
            f"A reader reported {report.get_kind_display().lower()} on a published explainer.",
            "",
            f"Explainer: {report.version.question} (version {report.version.number})",
            f"Page: {page}",
            f"Section: {report.section_label}",
            "",
            "What they wrote:",
            report.description,
            "",
            f"Triage it here: {link}",
        ]
    )
    return send_mail(
        f"Reader report: {report.get_kind_display().lower()} in “{report.version.question}”",
        body,
        settings.DEFAULT_FROM_EMAIL,
        recipients,
    )
