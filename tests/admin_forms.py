"""Build the POST data the admin's explainer change form sends, as a browser would."""

from django.urls import reverse

INLINE_MANAGEMENT = {"MIN_NUM_FORMS": 0, "MAX_NUM_FORMS": 1000}


def explainer_form_data(explainer, *, sections=None, **changes):
    """Return the change form's fields for ``explainer``; ``sections`` replaces the section rows (dicts)."""
    data = {
        "condition": explainer.condition_id,
        "question": explainer.question,
        "slug": explainer.slug,
        "tldr": explainer.tldr,
        "get_help_level": explainer.get_help_level,
        "get_help_text": explainer.get_help_text,
        "format_labels": explainer.format_labels,
        "experience_count": explainer.experience_count,
        "position": explainer.position,
        "review_interval_months": explainer.review_interval_months or "",
        "owner": explainer.owner_id or "",
        "lock_version": explainer.lock_version,
    }
    existing = [
        {"id": s.pk, "heading": s.heading, "body": s.body, "health_aspect": s.health_aspect, "position": s.position}
        for s in (explainer.sections.all() if explainer.pk else [])
    ]
    rows = existing if sections is None else sections
    data |= inline_rows("sections", explainer, rows, initial=sum(1 for row in rows if row.get("id")))
    sources = [
        {"id": s.pk, "reference": s.reference_id, "position": s.position}
        for s in (explainer.sources.all() if explainer.pk else [])
    ]
    data |= inline_rows("sources", explainer, sources, initial=len(sources))
    data.update(changes)
    return data


def inline_rows(prefix, explainer, rows, *, initial):
    data = {f"{prefix}-TOTAL_FORMS": len(rows), f"{prefix}-INITIAL_FORMS": initial}
    data |= {f"{prefix}-{key}": value for key, value in INLINE_MANAGEMENT.items()}
    for i, row in enumerate(rows):
        data[f"{prefix}-{i}-explainer"] = explainer.pk or ""
        data |= {f"{prefix}-{i}-{key}": "" if value is None else value for key, value in row.items()}
    return data


def change_url(explainer):
    return reverse("admin:explainers_explainer_change", args=[explainer.pk])


def workflow_url(name, explainer):
    return reverse(f"admin:explainers_explainer_{name}", args=[explainer.pk])


# Every test account's password (tests/factories.py): what a person types to sign a decision.
SIGNATURE = {"signature": "a-long-test-password"}


def version_fields(version):
    """Return what a decision page posts besides the decision: the version it showed, and the signature."""
    return {"version_number": version.number, "content_hash": version.content_hash, **SIGNATURE}


def condition_approval_fields(condition):
    """Return what the condition approval page posts: the fingerprint of the details it showed, and the signature."""
    return {"content_hash": condition.working_hash(), **SIGNATURE}
