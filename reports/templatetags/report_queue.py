"""The admin index's count of reader reports awaiting triage, for people who may triage them."""

from django import template

from ..models import TRIAGE, Report

register = template.Library()


@register.simple_tag(takes_context=True)
def reports_awaiting_triage(context):
    """Return how many new reports await triage, or None when the signed-in user may not triage."""
    user = context["request"].user
    if not user.has_perm(TRIAGE):
        return None
    return Report.objects.awaiting_triage().count()
