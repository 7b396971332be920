"""
What a content hash stands for: the publication of one approved version, and whether it is still public.

A hash is answered only when a version with that content hash was actually published (an
``ExplainerEvent`` PUBLISHED names it): drafts, versions in review and approved versions never
published answer nothing, so nothing unpublished leaks through ``/verify/``. The hash and its
canonical form are ``ExplainerVersion.hashed_content()`` and ``content_hash()``, defined once in
``explainers.models.records``.
"""

import re
from dataclasses import dataclass

from django.db import models

from explainers.models import EventAction, Explainer, ExplainerEvent, Review, content_hash
from explainers.models.records import canonical_json

HASH = re.compile(r"[0-9a-f]{64}")


class Standing(models.TextChoices):
    """Whether the approved text a hash names is what the public reads now."""

    CURRENT = "current", "Current: this is the text the page shows now"
    SUPERSEDED = "superseded", "Superseded by a later approved version"
    WITHDRAWN = "withdrawn", "Withdrawn from the site"
    NOT_PUBLIC = "not_public", "Not on the public site now"


@dataclass
class Publication:
    """The latest publication of one content hash, the approval behind it and what happened since."""

    publication: ExplainerEvent
    approval: Review | None
    standing: Standing
    ended: ExplainerEvent | None  # the publication or withdrawal that ended it, when it has ended
    public_url: str | None  # the explainer's page now, when it has one

    @property
    def version(self):
        return self.publication.version

    @property
    def explainer(self):
        return self.publication.explainer


def find(hash_text):
    """Return the Publication of ``hash_text`` (a lower-case SHA-256 in hex), or None when it was never published."""
    if not HASH.fullmatch(hash_text or ""):
        return None
    publication = (
        ExplainerEvent.objects.filter(action=EventAction.PUBLISHED, version__content_hash=hash_text)
        .select_related("version", "version__condition", "explainer")
        .order_by("-pk")
        .first()
    )
    if publication is None:
        return None
    approval = (
        Review.objects.approvals()
        .filter(version=publication.version, content_hash=hash_text)
        .select_related("reviewer")
        .order_by("-pk")
        .first()
    )
    ended = (
        ExplainerEvent.objects.filter(
            explainer=publication.explainer_id,
            pk__gt=publication.pk,
            action__in=[EventAction.PUBLISHED, EventAction.WITHDRAWN],
        )
        .select_related("version")
        .order_by("pk")
        .first()
    )
    public = (
        Explainer.objects.published().filter(pk=publication.explainer_id).select_related("published_version__condition")
    )
    explainer = public.first()
    if ended is not None:
        standing = Standing.SUPERSEDED if ended.action == EventAction.PUBLISHED else Standing.WITHDRAWN
    elif explainer is not None and explainer.published_version.content_hash == hash_text:
        standing = Standing.CURRENT
    else:
        standing = Standing.NOT_PUBLIC
    return Publication(
        publication=publication,
        approval=approval,
        standing=standing,
        ended=ended,
        public_url=explainer.get_absolute_url() if explainer else None,
    )


def canonical_content(version):
    """Return the canonical text of a version's content: its SHA-256 is the version's content hash."""
    return canonical_json(version.hashed_content())


def hash_of(data):
    """Return the content hash of content in the canonical form (parsed JSON)."""
    return content_hash(data)
