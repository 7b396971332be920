"""Small pieces of markup the public pages repeat: dates, counts and structured data."""

import datetime
import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()

# The same escapes as Django's json_script: the data can never close the <script> element.
_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def jsonld(data):
    """Return ``data`` as a schema.org JSON-LD <script> element, escaped like ``json_script``."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_JSON_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))  # noqa: S308


@register.filter
def time_element(day):
    """Return a date as ``<time datetime="2026-04-07">7 April 2026</time>``."""
    if not day:
        return ""
    if isinstance(day, datetime.datetime):
        day = timezone.localtime(day).date()
    return format_html('<time datetime="{}">{}</time>', day.isoformat()[:10], format_date(day, "j F Y"))


@register.filter
def grouped(number):
    """Return a whole number with thousands separators, e.g. 1,413."""
    return f"{int(number):,}"
