"""E-mails about reader reports: factual-error reports go, once stored, to every active medical reviewer
with an e-mail address (any of them may need to act) and to the page's owner (whose page it is).
"""

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse

from explainers.management.commands.send_review_reminders import medical_reviewers


def notify_reviewers(report):
    """E-mail the medical reviewers and the page's owner about ``report``.

    Plain text: the reader's words are never markup.
    """
    recipients = list(medical_reviewers().values_list("email", flat=True))
    owner = report.version.explainer.owner
    if owner is not None and owner.is_active and owner.email and owner.email not in recipients:
        recipients.append(owner.email)
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
