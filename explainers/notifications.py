"""E-mails about sources that changed: each page's owner hears once about their flagged pages.

Pages with no active owner are reported to the publishers instead, so a flag never goes unheard.
"""

from collections import defaultdict

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse

from .roles import holders


def tell_owners_of_flags(flags):
    """E-mail each owner (or, for pages nobody owns, each publisher) one message about ``flags``."""
    by_person = defaultdict(list)
    for flag in flags:
        owner = flag.explainer.owner
        if owner is not None and owner.is_active and owner.email:
            by_person[owner].append(flag)
        else:
            for publisher in holders("publish_explainer"):
                by_person[publisher].append(flag)
    for person, theirs in by_person.items():
        reference = theirs[0].reference
        lines = [
            f"Hello {person.get_full_name() or person.get_username()},",
            "",
            f"A source that published pages rely on {reference.change_label}:",
            f"  {reference.citation}",
        ]
        if reference.superseded_by_id:
            lines.append(f"  Superseded by: {reference.superseded_by.citation}")
        lines += [f"  Note: {reference.status_note}", "", "These pages are flagged for re-review:"]
        for flag in theirs:
            link = settings.SITE_URL + reverse("admin:explainers_explainer_change", args=[flag.explainer.pk])
            owned = "" if flag.explainer.owner == person else " (no owner: please give it one)"
            lines.append(f"- {flag.explainer.question}{owned}\n  {link}")
        lines += [
            "",
            "Each page says publicly that it is under review until a full review of a version that no longer "
            "relies on the source, or whose reviewer confirms it is still right, is published.",
        ]
        count = len(theirs)
        send_mail(
            f"Source changed: {count} page{'s' if count != 1 else ''} to re-review",
            "\n".join(lines),
            settings.DEFAULT_FROM_EMAIL,
            [person.email],
        )
