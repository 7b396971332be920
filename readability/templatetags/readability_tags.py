"""The readability figures on the admin pages where decisions are made: the review page and the submit page."""

import logging

from django import template

from explainers.models import SiteSettings
from readability.measure import measure_parts
from readability.models import working_parts

register = template.Library()
logger = logging.getLogger(__name__)


def _row(label, figures, target):
    """Return one table row: a part's figures against the target, with its hardest sentences above it."""
    if figures is None:
        return {"label": label, "figures": None}
    return {
        "label": label,
        "figures": figures,
        "above_target": figures["reading_age"] > target,
        "hardest": [s for s in figures.get("hardest", []) if s["reading_age"] > target],
    }


def figures_context(context, figures, *, caption, missing):
    """Return what ``readability/figures.html`` shows for ``figures`` (as ``measure_parts`` returns them, or None)."""
    # The page's own settings object (context processor) when there is one: one query for the whole page.
    target = (context.get("site_settings") or SiteSettings.load()).target_reading_age
    if figures is None:
        return {"caption": caption, "target": target, "rows": None, "missing": missing}
    rows = [_row("Whole text", figures["whole"], target)]
    for number, part in enumerate(figures["parts"]):
        label = part["heading"] or f"Section {number} (no heading)"
        rows.append(_row(label, part["figures"], target))
    hardest_rows = [row for row in rows if row.get("hardest")]
    return {"caption": caption, "target": target, "rows": rows, "hardest_rows": hardest_rows}


@register.inclusion_tag("readability/figures.html", takes_context=True)
def version_readability(context, version):
    """Show the figures stored when ``version`` was frozen, or say it was not measured."""
    stored = getattr(version, "readability", None)  # the related-object error is an AttributeError
    caption = f"Reading level of version {version.number}, measured when it was submitted"
    missing = "Not measured: this version was stored without readability figures."
    return figures_context(context, stored.figures if stored else None, caption=caption, missing=missing)


@register.inclusion_tag("readability/figures.html", takes_context=True)
def working_readability(context, explainer):
    """Show the figures of ``explainer``'s working copy as last saved, measured now (it is not frozen yet)."""
    try:
        figures = measure_parts(working_parts(explainer))
    except Exception:  # the figures inform: a failure to measure never stops the page
        logger.exception("Could not measure the readability of the working copy of %s.", explainer)
        figures = None
    return figures_context(
        context,
        figures,
        caption="Reading level of the text as last saved",
        missing="Not measured: the text could not be measured just now.",
    )
