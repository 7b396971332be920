"""The review queue on the admin index: what the signed-in person can act on next."""

from django import template

from explainers.queues import queues_for

register = template.Library()


@register.simple_tag(takes_context=True)
def review_queues(context):
    """Return the queues the request's user may act on (none for anyone signed out)."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return []
    return queues_for(request.user)
