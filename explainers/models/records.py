"""
The record: rows written once and never changed or deleted.

Snapshots (``ExplainerVersion``), decisions (``Review``, ``ConditionDescriptionApproval``) and
every history line (``ExplainerEvent``, ``ConditionEvent``, ``ReviewerProfileChange``,
``SiteSettingsChange``) are immutable three times over: ``save()``/``delete()`` and the bulk
queryset methods refuse, the database's own triggers refuse UPDATE and DELETE (migration
0008), and each row carries a SHA-256 chained over the previous row of its table, so
``manage.py verify_records`` catches a change made with the triggers switched off.
"""

import datetime
import hashlib
import json

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import connection, models, transaction
from django.db.models.signals import m2m_changed
from django.dispatch import receiver
from django.utils import timezone

from .choices import ConditionAction, EventAction, GetHelpLevel, ImmutableRecord, ReviewKind, SignedWith, Status

GENESIS = "0" * 64  # the "previous hash" of the first row of each table


def now():
    """Return the current time, looked up at call time (so a replayed history, like the demo's, is consistent)."""
    return timezone.now()


def _encode(value):
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} has no canonical form")


def canonical_json(data):
    """Return the one canonical text of ``data``: sorted keys, no spaces, UTF-8, UTC times."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_encode)


def content_hash(content):
    """Return a stable SHA-256 fingerprint of an explainer's content."""
    return hashlib.sha256(canonical_json(content).encode()).hexdigest()


def chain_hash(previous_hash, payload):
    """Return the SHA-256 of a record row chained to the row before it."""
    return hashlib.sha256(f"{previous_hash}\n{canonical_json(payload)}".encode()).hexdigest()


class ImmutableQuerySet(models.QuerySet):
    """Refuse every bulk path that would skip ``ImmutableModel``'s checks."""

    def _refuse(self, what):
        raise ImmutableRecord(f"{self.model._meta.verbose_name} records cannot be {what}.")

    def delete(self):
        # Bulk deletes (the admin's "delete selected", related managers) skip Model.delete().
        self._refuse("deleted")

    def update(self, **kwargs):
        self._refuse("changed")

    def bulk_update(self, objs, fields, batch_size=None):
        self._refuse("changed")

    def bulk_create(self, objs, *args, **kwargs):
        # Each row is chained to the one before it, so rows are written one at a time.
        self._refuse("created in bulk")

    delete.alters_data = update.alters_data = bulk_update.alters_data = True
    delete.queryset_only = update.queryset_only = True


class ImmutableModel(models.Model):
    """A row that may be created but never changed or deleted (the review record)."""

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableRecord(f"{self._meta.verbose_name} records cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableRecord(f"{self._meta.verbose_name} records cannot be deleted.")


def signed_with_field():
    """The column recording how a decision's signer re-authenticated (a SignedWith), on each signed record."""
    return models.CharField(
        max_length=20,
        choices=SignedWith,
        blank=True,
        editable=False,
        help_text="How the signer proved it was them when signing: password re-entered or a one-time code "
        "(blank: not signed through the admin, e.g. demo content).",
    )


class ChainedRecord(ImmutableModel):
    """An immutable row whose hash covers its content and the hash of the row written before it."""

    previous_hash = models.CharField(max_length=64, editable=False)
    record_hash = models.CharField(max_length=64, editable=False, unique=True)

    # The fields the chain covers, listed once per model so that a column added later does not
    # change the hash of rows written before it.
    CHAIN_FIELDS = ()
    # Columns added after rows were written: hashed only when set, so older rows keep their hashes.
    CHAIN_FIELDS_WHEN_SET = ()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableRecord(f"{self._meta.verbose_name} records cannot be changed.")
        # The chain is part of the record itself, so every way of creating a row extends it.
        with transaction.atomic():
            self._lock_chain()
            last = type(self)._base_manager.order_by("-pk").values_list("record_hash", flat=True).first()
            self.previous_hash = last or GENESIS
            self.record_hash = chain_hash(self.previous_hash, self.chain_payload())
            super().save(*args, **kwargs)

    def _lock_chain(self):
        # Two transactions appending at once would both chain onto the same row: take turns.
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [self._meta.db_table])

    def chain_payload(self):
        """Return the row's content as the chain hashes it."""
        payload = chain_payload(self, self.CHAIN_FIELDS)
        payload.update({name: value for name in self.CHAIN_FIELDS_WHEN_SET if (value := getattr(self, name))})
        return payload


def chain_payload(row, fields):
    """Return ``fields`` of ``row`` (attribute names, e.g. ``actor_id``) as the chain hashes them."""
    return {name: getattr(row, name) for name in fields}


# ---------------------------------------------------------------------------
# Explainer records


class ExplainerVersion(ChainedRecord):
    """A frozen copy of an explainer as submitted for review: what is reviewed is what is published."""

    explainer = models.ForeignKey("Explainer", on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    condition = models.ForeignKey(
        "Condition", on_delete=models.PROTECT, related_name="+", help_text="The condition the page is filed under."
    )
    slug = models.SlugField(max_length=200, help_text="The last part of the page address.")
    question = models.CharField(max_length=200)
    tldr = models.TextField()
    format_labels = models.CharField(max_length=200, blank=True)
    content = models.JSONField(help_text="Sections (Markdown and sanitised HTML) and sources, as frozen.")
    body_text = models.TextField(blank=True, help_text="Plain text of the sections, for search.")
    content_hash = models.CharField(max_length=64)
    search_vector = SearchVectorField(null=True, editable=False)  # PostgreSQL only; written at insert
    contributors = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=now)
    change_summary = models.CharField(
        max_length=200, blank=True, help_text="The author's one line for readers: what changed in this version."
    )

    CHAIN_FIELDS = (
        "explainer_id",
        "number",
        "condition_id",
        "slug",
        "question",
        "tldr",
        "format_labels",
        "content",
        "body_text",
        "content_hash",
        "created_by_id",
        "created_at",
    )  # plus the contributors; not the search vector, which only serves search
    CHAIN_FIELDS_WHEN_SET = ("change_summary",)

    class Meta:
        ordering = ["explainer", "-number"]
        get_latest_by = "number"
        constraints = [
            models.UniqueConstraint(fields=["explainer", "number"], name="version_number_unique_per_explainer"),
        ]
        # /verify/<hash>/ finds a version by its fingerprint.
        indexes = [models.Index(fields=["content_hash"], name="version_content_hash")]

    def __str__(self):
        return f"{self.question} (version {self.number})"

    @classmethod
    def freeze(cls, explainer, *, by, change_summary=""):
        """Snapshot the working copy, rendering and sanitising its Markdown once, for good."""
        from ..rendering import plain_text, render_markdown

        content = explainer.working_content()
        last = explainer.latest_version()
        rendered = [
            (render_markdown(s["body"], anchor_prefix=f"s{i}-"), plain_text(s["body"]))
            for i, s in enumerate(content["sections"], start=1)
        ]
        version = cls.snapshot(
            explainer,
            content,
            rendered,
            number=(last.number + 1) if last else 1,
            created_by=by,
            change_summary=change_summary,
        )
        contributor_ids = sorted(explainer_editor_ids(explainer))
        version._contributor_ids = contributor_ids
        version.save()
        version._recording_contributors = True  # the one moment the contributors may be written
        version.contributors.set(contributor_ids)
        del version._recording_contributors
        from .references import VersionCitation

        for position, source in enumerate(explainer.cited_sources()):
            VersionCitation.objects.create(version=version, reference_id=source.reference_id, position=position)
        from readability.models import VersionReadability  # here, not at the top: readability builds on explainers

        VersionReadability.record(version)  # informs, never blocks: a measuring error leaves it without figures
        return version

    @classmethod
    def snapshot(cls, explainer, content, rendered, **fields):
        """Return an unsaved version of ``content`` (``working_content()``), one shape for every writer.

        ``rendered`` holds each section's sanitised HTML and plain text, in order.
        """
        from ..search import search_vector_for  # search depends on the database vendor

        body_text = "\n\n".join(
            filter(
                None,
                (
                    f"{s['heading']}\n{plain}".strip()
                    for s, (_, plain) in zip(content["sections"], rendered, strict=True)
                ),
            )
        )
        return cls(
            explainer=explainer,
            condition=explainer.condition,
            slug=content["slug"],
            question=content["question"],
            tldr=content["tldr"],
            format_labels=content["format_labels"],
            content={
                "condition": content["condition"],
                "sections": [{**s, "html": html} for s, (html, _) in zip(content["sections"], rendered, strict=True)],
                "sources": content["sources"],
                **({"get_help": content["get_help"]} if "get_help" in content else {}),
            },
            body_text=body_text,
            content_hash=content_hash(content),
            search_vector=search_vector_for(
                question=content["question"],
                tldr=content["tldr"],
                names=explainer.condition.public_names_text,
                body=body_text,
            ),
            **fields,
        )

    def chain_payload(self):
        ids = getattr(self, "_contributor_ids", None)
        if ids is None:
            ids = sorted(user.pk for user in self.contributors.all())  # uses a prefetch when there is one
        return {**super().chain_payload(), "contributors": ids}

    @property
    def sections(self):
        return self.content.get("sections", [])

    @property
    def sources(self):
        return self.content.get("sources", [])

    def changed_sources(self):
        """The references this version cites that have since been superseded or retracted."""
        from .references import Reference

        return list(
            Reference.objects.changed().filter(citations__version=self).select_related("superseded_by").distinct()
        )

    @property
    def format_label_list(self):
        return [label.strip() for label in self.format_labels.split(",") if label.strip()]

    def hashed_content(self):
        """Return the content exactly as ``content_hash`` fingerprints it (the canonical form).

        Versions frozen before the address became part of the snapshot (migration 0006) have no
        "condition" in their content, and their hash does not cover the address.
        """
        address = {"condition": self.content["condition"], "slug": self.slug} if "condition" in self.content else {}
        return {
            **address,
            "question": self.question,
            "tldr": self.tldr,
            "format_labels": self.format_labels,
            "sections": [
                {key: section.get(key, "") for key in ("heading", "body", "health_aspect")} for section in self.sections
            ],
            "sources": self.sources,
            **({"get_help": self.get_help} if self.get_help else {}),
        }

    @property
    def get_help(self):
        """The reviewed "when to get help" block ({"level", "text"}), or None when the page has none."""
        return self.content.get("get_help")

    @property
    def get_help_for_review(self):
        """The block as one line a reviewer compares between versions."""
        get_help = self.get_help
        return f"{GetHelpLevel(get_help['level']).label}: {get_help['text']}" if get_help else ""


@receiver(m2m_changed, sender=ExplainerVersion.contributors.through)
def _contributors_are_part_of_the_record(sender, instance, action, **kwargs):
    """Refuse changes to a version's contributors after freeze(): they decide who may approve it."""
    if action.startswith("pre_") and not getattr(instance, "_recording_contributors", False):
        raise ImmutableRecord("The contributors of an explainer version cannot be changed.")


def explainer_editor_ids(explainer):
    """Return the ids of everyone who edited the working copy since its last approval.

    Worked out from the order of the history rows (ids), never from their timestamps: every
    edit and decision is written while holding the explainer's row lock, so ids follow commits.
    """
    events = ExplainerEvent.objects.filter(explainer=explainer)
    last_approval = events.filter(action=EventAction.APPROVED).order_by("-pk").values_list("pk", flat=True).first()
    edits = events.filter(action=EventAction.EDITED)
    if last_approval:
        edits = edits.filter(pk__gt=last_approval)
    ids = set(edits.values_list("actor_id", flat=True))
    if last_approval is None and explainer.created_by_id:
        ids.add(explainer.created_by_id)
    return ids


class ReviewQuerySet(ImmutableQuerySet):
    def approvals(self):
        """Reviews that approve a version: a full clinical review or a minor change."""
        return self.filter(kind__in=ReviewKind.approvals())


class Review(ChainedRecord):
    """A medical reviewer's decision on one exact version, with their name as it was that day."""

    explainer = models.ForeignKey("Explainer", on_delete=models.PROTECT, related_name="reviews")
    version = models.ForeignKey(ExplainerVersion, on_delete=models.PROTECT, related_name="reviews")
    reviewer = models.ForeignKey("Reviewer", on_delete=models.PROTECT, related_name="reviews")
    reviewer_name = models.CharField(max_length=120)
    reviewer_credentials = models.CharField(max_length=120)
    reviewer_registration = models.CharField(
        max_length=120, blank=True, help_text="Register and number, and when they were last checked, as that day."
    )
    kind = models.CharField(max_length=20, choices=ReviewKind)
    comments = models.TextField(blank=True)
    content_hash = models.CharField(max_length=64, help_text="Fingerprint of the version reviewed.")
    words_changed_percent = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Share of words changed since the last approved version, when there was one."
    )
    reviewed_on = models.DateField(default=timezone.localdate)
    created_at = models.DateTimeField(default=now)
    signed_with = signed_with_field()

    change_summary = models.CharField(
        max_length=200,
        blank=True,
        help_text="What changed, in one line, as the reviewer approved it: shown in the page's public history.",
    )
    reviewer_interests = models.TextField(
        blank=True, help_text="The reviewer's declaration of interests as it stood that day, with its date."
    )
    correction_note = models.TextField(
        blank=True,
        help_text="When this approval corrects a clinically significant error: the public note saying what was "
        "wrong and what changed. Shown on the page for a while, and in its history for good.",
    )
    sources_confirmed = models.TextField(
        blank=True,
        help_text="The superseded or retracted sources the version still cited, which the reviewer confirmed it "
        "is still right against (a full review only).",
    )

    objects = ReviewQuerySet.as_manager()

    CHAIN_FIELDS = (
        "explainer_id",
        "version_id",
        "reviewer_id",
        "reviewer_name",
        "reviewer_credentials",
        "reviewer_registration",
        "kind",
        "comments",
        "content_hash",
        "words_changed_percent",
        "reviewed_on",
        "created_at",
    )
    CHAIN_FIELDS_WHEN_SET = (
        "signed_with",
        "change_summary",
        "correction_note",
        "reviewer_interests",
        "sources_confirmed",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} of “{self.version.question}” by {self.reviewer_name}"

    @classmethod
    def record(cls, explainer, version, *, reviewer, kind, comments, words_changed_percent=None, **signed):
        """Record a decision; ``signed`` holds what the admin adds: signed_with, change_summary, correction_note."""
        return cls.objects.create(
            **signed,
            explainer=explainer,
            version=version,
            reviewer=reviewer,
            reviewer_name=reviewer.display_name,
            reviewer_credentials=reviewer.credentials,
            reviewer_registration=reviewer.registration_summary,
            reviewer_interests=reviewer.interests_summary,
            kind=kind,
            comments=comments,
            content_hash=version.content_hash,
            words_changed_percent=words_changed_percent,
        )


class ExplainerEvent(ChainedRecord):
    """One line of an explainer's history: who did what, when, from which state to which."""

    explainer = models.ForeignKey("Explainer", on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=60, choices=EventAction)
    from_status = models.CharField(max_length=20, choices=Status)
    to_status = models.CharField(max_length=20, choices=Status)
    comment = models.TextField(blank=True)
    version = models.ForeignKey(ExplainerVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=now)
    signed_with = signed_with_field()

    CHAIN_FIELDS = ("explainer_id", "actor_id", "action", "from_status", "to_status", "comment", "version_id", "at")
    CHAIN_FIELDS_WHEN_SET = ("signed_with",)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["explainer", "action"], name="event_explainer_action")]

    def __str__(self):
        return f"{self.get_action_display()} by {self.actor} at {self.at:%Y-%m-%d %H:%M}"


# ---------------------------------------------------------------------------
# Condition records


class ConditionDescriptionApproval(ChainedRecord):
    """A reviewer's approval of one exact wording of a condition's public details: name, other names, description."""

    condition = models.ForeignKey("Condition", on_delete=models.PROTECT, related_name="description_approvals")
    name = models.CharField(max_length=200)
    alternate_names = models.TextField(blank=True)
    text = models.TextField(blank=True, help_text="The description, as approved.")
    content_hash = models.CharField(max_length=64, help_text="Fingerprint of the details approved.")
    reviewer = models.ForeignKey("Reviewer", on_delete=models.PROTECT, related_name="+")
    reviewer_name = models.CharField(max_length=120)
    reviewer_credentials = models.CharField(max_length=120)
    approved_at = models.DateTimeField(default=now)
    signed_with = signed_with_field()

    CHAIN_FIELDS_WHEN_SET = ("signed_with",)
    CHAIN_FIELDS = (
        "condition_id",
        "name",
        "alternate_names",
        "text",
        "content_hash",
        "reviewer_id",
        "reviewer_name",
        "reviewer_credentials",
        "approved_at",
    )

    class Meta:
        ordering = ["-approved_at", "-pk"]
        verbose_name = "condition approval"

    def __str__(self):
        return f"{self.name}: details approved by {self.reviewer_name}"

    @property
    def alternate_name_list(self):
        return [line.strip() for line in self.alternate_names.splitlines() if line.strip()]


class ConditionEvent(ChainedRecord):
    """One line of a condition's history: an edit of its public details, or their approval."""

    condition = models.ForeignKey("Condition", on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=20, choices=ConditionAction)
    approval = models.ForeignKey(
        ConditionDescriptionApproval, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=now)

    CHAIN_FIELDS = ("condition_id", "actor_id", "action", "approval_id", "at")

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.get_action_display()} by {self.actor} at {self.at:%Y-%m-%d %H:%M}"


# ---------------------------------------------------------------------------
# People and site records


class ReviewerProfileChange(ChainedRecord):
    """One changed field of a reviewer's public profile: who changed it, when, from what to what."""

    reviewer = models.ForeignKey("Reviewer", on_delete=models.PROTECT, related_name="changes")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    field = models.CharField(max_length=60)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    at = models.DateTimeField(default=now)

    CHAIN_FIELDS = ("reviewer_id", "actor_id", "field", "old_value", "new_value", "at")

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.reviewer}: {self.field} changed by {self.actor}"


class SiteSettingsChange(ChainedRecord):
    """One changed site setting (the disclaimer, review intervals, …): who, when, old → new."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    field = models.CharField(max_length=60)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    at = models.DateTimeField(default=now)

    CHAIN_FIELDS = ("actor_id", "field", "old_value", "new_value", "at")

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.field} changed by {self.actor}"


def record_changes(model, instance_before, instance_after, *, by, fields, **scope):
    """Write one change row of ``model`` for each of ``fields`` whose value differs; return the rows."""
    rows = []
    for name in fields:
        old, new = getattr(instance_before, name), getattr(instance_after, name)
        if old != new:
            rows.append(
                model.objects.create(
                    actor=by,
                    field=name,
                    old_value="" if old is None else str(old),
                    new_value="" if new is None else str(new),
                    **scope,
                )
            )
    return rows


CHAINED_RECORDS = [
    ExplainerVersion,
    Review,
    ExplainerEvent,
    ConditionDescriptionApproval,
    ConditionEvent,
    ReviewerProfileChange,
    SiteSettingsChange,
]
