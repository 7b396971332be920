"""
The working copy an author edits (Condition, Explainer, Section, Source) and the workflow
that turns it into public, reviewed text.

The public site reads only records: an explainer is public through
``Explainer.published_version``, a frozen snapshot a medical reviewer approved; a condition
through ``Condition.approved_description``, the approved snapshot of its public details.

Each workflow step has one rule, a ``*_refusal(user, …)`` method that returns the sentence
explaining why the step is refused, or ``None``. The step itself locks the explainer's row,
asks the rule again and raises ``TransitionNotAllowed`` with that sentence; the admin's
buttons, the review queues and the reminder e-mails only ask.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from markdownx.models import MarkdownxField

from ..public_paths import paths_showing, paths_showing_condition
from .choices import (
    ConditionAction,
    EventAction,
    GetHelpLevel,
    HealthAspect,
    ReviewKind,
    ScheduledAction,
    Status,
    TransitionNotAllowed,
)
from .records import (
    ConditionDescriptionApproval,
    ConditionEvent,
    ExplainerEvent,
    ExplainerVersion,
    Review,
    content_hash,
)
from .references import Reference, ReviewFlag
from .schedule import ScheduledStep, local_time
from .site import SiteSettings, add_months, long_date, public_pages_changed, reviewer_profile

SUBMIT = "explainers.submit_explainer"
APPROVE = "explainers.approve_explainer"
PUBLISH = "explainers.publish_explainer"

# ---------------------------------------------------------------------------
# Conditions


def az_position(name):
    """Return (letter, sort key) of a condition name in the A–Z: "#" for names not starting with a letter A–Z."""
    first = name[:1].upper()
    return (first if "A" <= first <= "Z" else "#"), name.casefold()[:200]


class ConditionQuerySet(models.QuerySet):
    # The working copy of the public details: unreviewed, so never loaded for a public page.
    UNREVIEWED_FIELDS = ("description", "alternate_names")

    def public(self):
        """Approved conditions with something reviewed to show: a description or a published explainer.

        Only the approved snapshot is loaded with them: the working copy's text is never shown.
        Whether a condition has a published explainer is asked of each condition through indexes
        (description first, it is cheaper), never by listing every published explainer.
        """
        first_page = Explainer.objects.published().filter(published_version__condition=OuterRef("pk")).order_by()
        return (
            self.filter(approved_description__isnull=False)
            .alias(first_page=models.Subquery(first_page.values("pk")[:1]))
            .filter(~Q(approved_description__text="") | Q(first_page__isnull=False))
            .select_related("approved_description")
            .defer(*self.UNREVIEWED_FIELDS)
            .order_by("public_sort_name", "pk")
        )

    def in_letter(self, initial):
        """Public conditions under one letter of the A–Z, in A–Z order, read through its index."""
        return self.public().filter(public_initial=initial)

    def count_by_initial(self):
        """Return {letter: number of public conditions under it} for the letters of the A–Z in use.

        It asks of every condition whether it is public, so its cost grows with the number of
        conditions: only the A–Z index (and the sitemap) count.
        """
        rows = self.public().order_by().values("public_initial").annotate(conditions=models.Count("pk"))
        return {row["public_initial"]: row["conditions"] for row in rows}


class Condition(models.Model):
    """A condition patients ask about. Its name, other names and description are reviewed like an explainer."""

    name = models.CharField(max_length=200, unique=True, help_text="E.g. “Dermatomyositis and Polymyositis”.")
    slug = models.SlugField(
        max_length=200,
        unique=True,
        help_text="The condition's page address. It cannot change once a medical reviewer has approved the condition.",
    )
    alternate_names = models.TextField(
        blank=True, help_text="Other names patients search for, one per line. Shown as “Also known as”."
    )
    description = models.TextField(
        blank=True,
        help_text=(
            "A short plain-language description. The name, other names and description are medical content: "
            "the public sees only the last version a medical reviewer approved."
        ),
    )
    approved_description = models.ForeignKey(
        ConditionDescriptionApproval,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The approved snapshot of the public details.",
    )
    community_size = models.PositiveIntegerField(
        null=True, blank=True, help_text="Members of the community living with this condition (leave blank if unknown)."
    )
    # The approved name's A–Z letter and sort key, set with each approval, so a letter page of the
    # A–Z reads an index instead of every condition.
    public_initial = models.CharField(max_length=1, blank=True, editable=False)
    public_sort_name = models.CharField(max_length=200, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ConditionQuerySet.as_manager()

    REVIEWED_FIELDS = ["name", "alternate_names", "description"]

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["public_initial", "public_sort_name"], name="condition_az")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("explainers:condition", args=[self.slug])

    def clean(self):
        if self.pk and self.approved_description_id:
            saved_slug = Condition.objects.filter(pk=self.pk).values_list("slug", flat=True).first()
            if saved_slug and saved_slug != self.slug:
                raise ValidationError(
                    {"slug": "This condition has been approved, so its address can no longer change."}
                )

    # -- reading ---------------------------------------------------------

    @property
    def alternate_name_list(self):
        return [line.strip() for line in self.alternate_names.splitlines() if line.strip()]

    @property
    def public_name(self):
        return self.approved_description.name if self.approved_description else ""

    @property
    def public_alternate_names(self):
        return self.approved_description.alternate_name_list if self.approved_description else []

    @property
    def public_description(self):
        return self.approved_description.text if self.approved_description else ""

    @property
    def public_names_text(self):
        """The approved names as one text, for search."""
        return " ".join([self.public_name, *self.public_alternate_names]).strip()

    def public_page_paths(self):
        """Return the paths of every public page that shows this condition, its explainers' pages included."""
        shown_on = Explainer.objects.published().filter(published_version__condition=self)
        return paths_showing_condition(self) + [explainer.get_absolute_url() for explainer in shown_on]

    def working_content(self):
        return {name: getattr(self, name).strip() for name in self.REVIEWED_FIELDS}

    def working_hash(self):
        return content_hash(self.working_content())

    @property
    def awaits_approval(self):
        return self.approved_description is None or self.approved_description.content_hash != self.working_hash()

    def contributor_ids(self):
        """Return who edited the public details since their last approval (by the order of history rows)."""
        events = ConditionEvent.objects.filter(condition=self)
        last_approval = (
            events.filter(action=ConditionAction.APPROVED).order_by("-pk").values_list("pk", flat=True).first()
        )
        edits = events.filter(action=ConditionAction.EDITED)
        if last_approval:
            edits = edits.filter(pk__gt=last_approval)
        return set(edits.values_list("actor_id", flat=True))

    # -- workflow --------------------------------------------------------

    def record_edit(self, *, by):
        """Note that ``by`` changed the public details: they become a contributor and cannot approve them."""
        with transaction.atomic():
            Condition.objects.select_for_update().filter(pk=self.pk).first()
            ConditionEvent.objects.create(condition=self, actor=by, action=ConditionAction.EDITED)

    def approval_refusal(self, user, *, content_hash=None):
        """Return why ``user`` cannot approve the details (as the page showed them, by hash), or None."""
        reviewer = reviewer_profile(user)
        if not user.has_perm(APPROVE) or reviewer is None:
            return "Only a medical reviewer with a reviewer profile can approve a condition's details."
        if not self.awaits_approval:
            return f"The details of “{self}” have no changes to approve."
        if content_hash is not None and content_hash != self.working_hash():
            return f"The details of “{self}” were changed after you opened this page: read them again before deciding."
        if user.pk in self.contributor_ids():
            return "You edited these details, so another medical reviewer must approve them."
        return reviewer.approval_refusal()

    def approve_description(self, *, by, content_hash, signed_with=""):
        """Record a reviewer's approval of the details exactly as their page showed them, and make them public.

        ``signed_with`` records how the reviewer re-authenticated to sign (a SignedWith), when they did.
        """
        with transaction.atomic():
            self.refresh_from_db(from_queryset=Condition.objects.select_for_update())
            if reason := self.approval_refusal(by, content_hash=content_hash):
                raise TransitionNotAllowed(reason)
            reviewer = reviewer_profile(by)
            content = self.working_content()
            approval = ConditionDescriptionApproval.objects.create(
                condition=self,
                name=content["name"],
                alternate_names=content["alternate_names"],
                text=content["description"],
                content_hash=content_hash,
                reviewer=reviewer,
                reviewer_name=reviewer.display_name,
                reviewer_credentials=reviewer.credentials,
                signed_with=signed_with,
            )
            ConditionEvent.objects.create(condition=self, actor=by, action=ConditionAction.APPROVED, approval=approval)
            self.approved_description = approval
            self.public_initial, self.public_sort_name = az_position(approval.name)
            self.save(update_fields=["approved_description", "public_initial", "public_sort_name", "updated_at"])
            public_pages_changed(self.public_page_paths())
        return approval


# ---------------------------------------------------------------------------
# Explainers: the working copy


class ExplainerQuerySet(models.QuerySet):
    # Columns no public page shows: the snapshot's search columns and the working copy's unreviewed text.
    NOT_SHOWN_ON_PUBLIC_PAGES = (
        "tldr",
        "get_help_text",
        "published_version__body_text",
        "published_version__search_vector",
        *(f"published_version__condition__{name}" for name in ConditionQuerySet.UNREVIEWED_FIELDS),
        "public_review__comments",
        "published_review__comments",
        "correction__comments",
    )

    def published(self):
        """Explainers the public can read.

        Public means: a published snapshot that carries an approving review of the same content
        hash, filed under a condition whose details are approved. A published_version pointer
        set any other way shows nothing.
        """
        approved = Review.objects.approvals().filter(
            version=OuterRef("published_version"), content_hash=OuterRef("published_version__content_hash")
        )
        return self.filter(
            published_version__isnull=False, published_version__condition__approved_description__isnull=False
        ).filter(Exists(approved))

    # What a list of answers shows of each (its question and condition, who reviewed it and when) ...
    LISTED_RELATIONS = (
        "published_version",
        "published_version__condition",
        "published_version__condition__approved_description",
        "public_review",
        "published_review",
    )
    # ... and what only the page itself shows: its reviewers' profiles (linked) and its correction.
    PAGE_RELATIONS = (*LISTED_RELATIONS, "public_review__reviewer", "published_review__reviewer", "correction")

    def for_public_page(self):
        """Published explainers with everything their page shows, in one query.

        Never the snapshot's plain text or search vector (search reads them in the database), nor
        the unreviewed working copy.
        """
        return self.published().select_related(*self.PAGE_RELATIONS).defer(*self.NOT_SHOWN_ON_PUBLIC_PAGES)

    def for_public_list(self):
        """Published explainers as a list shows them (question, short answer, reviews), in one query.

        Without their sections, and without what only the page shows: three joins fewer, about a
        third less work for a page of 20 answers.
        """
        listed = tuple(f"{name}__" for name in self.LISTED_RELATIONS)
        not_shown = [name for name in self.NOT_SHOWN_ON_PUBLIC_PAGES if "__" not in name or name.startswith(listed)]
        return self.published().select_related(*self.LISTED_RELATIONS).defer(*not_shown, "published_version__content")

    def at_address(self, condition_slug, slug):
        """Return the explainer published at /conditions/<condition_slug>/<slug>/, or None.

        At most one is: the slice reads it unsorted, where ``first()`` would add a sort the query
        does not need (and a millisecond of building SQL, a tenth of the explainer page's work).
        """
        found = self.filter(published_version__condition__slug=condition_slug, published_version__slug=slug)
        return next(iter(found.order_by()[:1]), None)

    def in_order(self, ids):
        """Return these explainers with the given ids, in that order, leaving out any no longer among them.

        Long lists sort and page ids alone, then read the rows of the page shown: sorting wide rows,
        or joining every table before choosing the page, costs more the larger the library.
        """
        found = {explainer.pk: explainer for explainer in self.filter(pk__in=list(ids)).order_by()}
        return [found[pk] for pk in ids if pk in found]

    def naming_reviewer(self, reviewer):
        """Keep the explainers whose published reviews name ``reviewer``: the full review or the latest minor change.

        Chain it after ``published()``: a withdrawn explainer keeps its last full review. Each half
        is found through its own foreign key's index, where an OR across the two joins would read
        every explainer. The ids are read first and passed as a list: given the union as a subquery,
        PostgreSQL hash-joins it against a scan of every explainer (100 ms at 100,000), where a list
        lets it read each row by its primary key.
        """
        full = Explainer.objects.filter(public_review__reviewer=reviewer).order_by().values("pk")
        change = Explainer.objects.filter(published_review__reviewer=reviewer).order_by().values("pk")
        return self.filter(pk__in=[row["pk"] for row in full.union(change)])

    def written_by(self, author):
        """Keep the explainers whose published version ``author`` wrote (is among its contributors)."""
        written = ExplainerVersion.contributors.through.objects.filter(user_id=author.user_id).values(
            "explainerversion"
        )
        return self.filter(published_version__in=written)

    def due_for_review(self, *, on=None):
        """Published explainers whose next full review is due on or before ``on`` (default today)."""
        return self.published().filter(next_review_due__lte=on or timezone.localdate())

    def due_soon(self, *, on=None, days=None):
        """Published explainers due for review within the next ``days`` days but not yet overdue."""
        today = on or timezone.localdate()
        days = settings.CONDINFO_DUE_SOON_DAYS if days is None else days
        return self.published().filter(
            next_review_due__gt=today, next_review_due__lte=today + datetime.timedelta(days=days)
        )

    def overdue_by_more_than(self, days, *, on=None):
        """Published explainers whose review is more than ``days`` days overdue: escalated to the publishers."""
        return self.published().filter(next_review_due__lt=(on or timezone.localdate()) - datetime.timedelta(days=days))

    def owned_by(self, user):
        return self.filter(owner=user)

    def without_owner(self):
        """Explainers nobody looks after: no owner, or an owner who has left (an inactive account)."""
        return self.filter(Q(owner__isnull=True) | Q(owner__is_active=False)).exclude(status=Status.WITHDRAWN)

    def awaiting_review(self):
        return self.filter(status=Status.IN_REVIEW)

    def changes_requested(self):
        return self.filter(status=Status.CHANGES_REQUESTED)

    def awaiting_publication(self):
        return self.filter(status=Status.APPROVED)


class Explainer(models.Model):
    """A patient's question about a condition and its answer: the author's working copy."""

    condition = models.ForeignKey(
        Condition,
        on_delete=models.PROTECT,
        related_name="explainers",
        help_text="Moving an explainer is an edit: the public page stays where it is until the move is reviewed.",
    )
    question = models.CharField(
        max_length=200, help_text="The patient's question, in their words: “What causes …?” It is the page's title."
    )
    slug = models.SlugField(
        max_length=200,
        help_text="The last part of the page address; unique within the condition. Changing it is an edit.",
    )
    format_labels = models.CharField(
        max_length=200,
        default="Short answer, Medically reviewed summary",
        help_text="Labels for the badge line, separated by commas, e.g. “Short answer, Medically reviewed summary”.",
    )
    tldr = models.TextField(
        "TL;DR", help_text="Two or three plain sentences that answer the question. Also the page's search description."
    )
    experience_count = models.PositiveIntegerField(
        default=0,
        help_text=(
            "How many community members have shared first-person experience on this question. Not medical content."
        ),
    )
    position = models.PositiveSmallIntegerField(default=0, help_text="Order among the condition's explainers.")
    review_interval_months = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=(
            "Months between full reviews for this explainer; blank uses the site setting. Set by publishers, "
            "up to the longest interval in the site settings."
        ),
    )

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_explainers",
        limit_choices_to={"is_staff": True, "is_active": True},
        help_text="The member of staff whose job this page is: they get its review reminders and hear when a "
        "source it relies on changes. Set by publishers.",
    )

    # Workflow state: changed only by the methods below.
    status = models.CharField(max_length=20, choices=Status, default=Status.DRAFT, editable=False)
    lock_version = models.PositiveIntegerField(default=0, editable=False)
    published_version = models.ForeignKey(
        ExplainerVersion, null=True, blank=True, editable=False, on_delete=models.PROTECT, related_name="+"
    )
    public_review = models.ForeignKey(
        Review,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The latest full clinical review behind the published text.",
    )
    published_review = models.ForeignKey(
        Review,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The approval of exactly the published text (a full review or a minor change).",
    )
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_updated = models.DateField(
        null=True, blank=True, editable=False, help_text="When the public text last changed."
    )
    get_help_level = models.CharField(
        "when to get help",
        max_length=20,
        choices=GetHelpLevel,
        blank=True,
        help_text="Shown above the sections when the page describes signs that need help: how soon. Where to get "
        "it (the services and numbers) comes from the site settings. Reviewed like the rest of the text.",
    )
    get_help_text = models.TextField(
        "signs that need help",
        blank=True,
        help_text="In plain words, the signs that mean the reader should get help, e.g. “If you suddenly find it "
        "hard to swallow or breathe”. Required with a level.",
    )
    correction = models.ForeignKey(
        "Review",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The latest published approval that corrected a clinically significant error.",
    )
    corrected_on = models.DateField(
        null=True, blank=True, editable=False, help_text="When that correction went public."
    )
    first_published_on = models.DateField(
        null=True, blank=True, editable=False, help_text="When the page first went public; it never changes after."
    )
    next_review_due = models.DateField(null=True, blank=True, editable=False)
    flagged_since = models.DateField(
        null=True,
        blank=True,
        editable=False,
        help_text="Since when a source the published text relies on has changed; a full review clears it.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, editable=False, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ExplainerQuerySet.as_manager()

    class Meta:
        ordering = ["condition__name", "position", "question"]
        permissions = [
            ("submit_explainer", "Can submit an explainer for clinical review"),
            ("approve_explainer", "Can approve or request changes as a medical reviewer"),
            ("publish_explainer", "Can publish, withdraw and schedule reviews of explainers"),
        ]
        indexes = [
            models.Index(fields=["-published_at", "-id"], name="explainer_latest_published"),
            models.Index(fields=["next_review_due"], name="explainer_next_review_due"),
            models.Index(fields=["status", "updated_at"], name="explainer_status_updated"),
            models.Index(fields=["flagged_since"], name="explainer_flagged_since"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["condition", "slug"], name="explainer_slug_unique_per_condition"),
            models.CheckConstraint(
                condition=~Q(status=Status.PUBLISHED) | Q(published_version__isnull=False),
                name="published_explainer_has_published_version",
            ),
            models.CheckConstraint(
                condition=Q(published_version__isnull=True)
                | (Q(published_at__isnull=False) & Q(last_updated__isnull=False)),
                name="public_explainer_has_publication_dates",
            ),
        ]

    def __str__(self):
        return self.question

    def get_absolute_url(self):
        """Return the public page's address, which the published version decides; None when not public."""
        version = self.published_version
        return version_url(version) if version else None

    def clean(self):
        errors = {}
        longest = SiteSettings.load().max_review_interval_months
        if self.review_interval_months and self.review_interval_months > longest:
            errors["review_interval_months"] = (
                f"At most {longest} months: the longest interval between full reviews the site settings allow."
            )
        if self.get_help_level and not self.get_help_text.strip():
            errors["get_help_text"] = "Say which signs mean the reader should get help: the level alone tells nobody."
        if self.get_help_text.strip() and not self.get_help_level:
            errors["get_help_level"] = "Choose how soon a reader with these signs should get help."
        if errors:
            raise ValidationError(errors)

    # -- reading ---------------------------------------------------------

    @property
    def is_public(self):
        return self.published_version_id is not None

    @property
    def status_label(self):
        """The workflow state as a reviewer would say it, including unpublished changes."""
        label = self.get_status_display()
        if self.is_public and self.status != Status.PUBLISHED:
            return f"Published, with unpublished changes ({label.lower()})"
        return label

    @property
    def interval_months(self):
        site = SiteSettings.load()
        return min(self.review_interval_months or site.review_interval_months, site.max_review_interval_months)

    @property
    def latest_change_review(self):
        """The minor-change approval of the text shown, when it is not the full review named first."""
        review = self.published_review
        if review is None or review.kind != ReviewKind.MINOR or review.pk == self.public_review_id:
            return None
        return review

    def is_overdue(self, on=None):
        return bool(self.next_review_due and self.next_review_due < (on or timezone.localdate()))

    def working_content(self):
        """Return the working copy as the plain data a snapshot freezes (and its hash covers)."""
        return {
            "condition": self.condition.slug,
            "slug": self.slug,
            "question": self.question,
            "tldr": self.tldr,
            "format_labels": self.format_labels,
            "sections": [
                {"heading": s.heading, "body": s.body, "health_aspect": s.health_aspect} for s in self.sections.all()
            ],
            "sources": [source.reference.as_cited() for source in self.cited_sources()],
            # Only when there is one, so content without it keeps the hash it always had.
            **({"get_help": {"level": self.get_help_level, "text": self.get_help_text}} if self.get_help_level else {}),
        }

    def working_hash(self):
        return content_hash(self.working_content())

    def cited_sources(self):
        """The working copy's sources in order, each with its reference (prefetched ones are used as they are)."""
        if "sources" in getattr(self, "_prefetched_objects_cache", {}):
            return list(self.sources.all())
        return list(self.sources.select_related("reference"))

    def latest_version(self):
        if "versions" in getattr(self, "_prefetched_objects_cache", {}):  # the review queue prefetches them
            return max(self.versions.all(), key=lambda version: version.number, default=None)
        return self.versions.order_by("-number").first()

    def pending_review(self):
        """The latest approval: the one ``publish`` would make public, if the explainer is approved."""
        return self.reviews.approvals().order_by("-pk").select_related("version").first()

    def last_published_version(self):
        """The version the public saw last, even if the explainer has since been withdrawn."""
        if self.published_version_id:
            return self.published_version
        event = self.events.filter(action=EventAction.PUBLISHED).order_by("-pk").select_related("version").first()
        return event.version if event else None

    def words_changed_percent(self, version):
        """Return the share of words (0–100) that changed in ``version`` since the last approved version."""
        from ..diffing import changed_word_share

        base = (
            self.reviews.approvals()
            .filter(version__number__lt=version.number)
            .order_by("-pk")
            .select_related("version")
            .first()
        )
        return None if base is None else round(100 * changed_word_share(base.version, version))

    # -- the rules: one method per step, returning the reason it is refused or None --

    def edit_refusal(self, user):
        if not user.has_perm("explainers.change_section"):
            return "Your role cannot change the clinical text of explainers."
        return None

    def submit_refusal(self, user):
        if not user.has_perm(SUBMIT):
            return "Your role cannot submit explainers for review."
        if self.status not in (Status.DRAFT, Status.CHANGES_REQUESTED, Status.PUBLISHED, Status.WITHDRAWN):
            return f"“{self}” is {self.get_status_display().lower()} and cannot be submitted."
        if not self.sections.exists():
            return f"“{self}” has no sections yet: add the answer before submitting it."
        return SiteSettings.load().length_refusal(self)

    def review_refusal(self, user, *, version=None, kind=None):
        """Return why ``user`` cannot decide on ``version`` (the one their page showed) as ``kind``, or None."""
        if not user.has_perm(APPROVE):
            return "Only medical reviewers can approve or request changes."
        reviewer = reviewer_profile(user)
        if reviewer is None:
            return "You need a reviewer profile (name and credentials) before you can review."
        current = self.latest_version()
        if version is not None and current is not None and current.pk != version.pk and current.number > version.number:
            return f"Version {current.number} was submitted after you opened this page: read it before deciding."
        if self.status != Status.IN_REVIEW or current is None:
            return f"“{self}” is not awaiting review (it is {self.get_status_display().lower()})."
        if version is not None and (version.pk != current.pk or version.content_hash != current.content_hash):
            return "The version on your page is not the one awaiting review: open the review page again."
        if current.content_hash != self.working_hash():
            return f"“{self}” changed after it was submitted; the author must submit the new text for review."
        if user.pk in {contributor.pk for contributor in current.contributors.all()}:
            return "You edited this version, so another medical reviewer must approve it or request changes."
        if kind in ReviewKind.approvals() and (reason := reviewer.approval_refusal()):
            return reason
        if kind == ReviewKind.MINOR:
            if not self.reviews.filter(kind=ReviewKind.FULL).exists():
                return "The first approval of an explainer must be a full clinical review."
            limit = SiteSettings.load().minor_change_max_percent
            changed = self.words_changed_percent(current)
            if changed is not None and changed > limit:
                return (
                    f"About {changed}% of the words changed since the last approved version, more than the "
                    f"{limit}% a minor change may change: approve it as a full clinical review."
                )
        return None

    def publish_refusal(self, user, *, version=None):
        """Return why ``user`` cannot publish ``version`` (the approved one their page showed), or None."""
        if not user.has_perm(PUBLISH):
            return "Your role cannot publish explainers."
        if self.status != Status.APPROVED:
            return f"“{self}” is {self.get_status_display().lower()}: only approved versions can be published."
        approval = self.pending_review()
        approved = approval.version
        if version is not None and approved.pk != version.pk:
            return f"Version {approved.number} was approved after you opened this page: check it before publishing."
        if approval.content_hash != approved.content_hash:
            return "The approval does not match the version's content, so it cannot be published."
        condition = approved.condition
        if condition.approved_description_id is None:
            return (
                f"The condition “{condition}” has not been approved yet: a medical reviewer must approve its name "
                "and description before explainers under it can be published."
            )
        other = (
            Explainer.objects.published()
            .exclude(pk=self.pk)
            .filter(published_version__condition=condition, published_version__slug=approved.slug)
            .first()
        )
        if other is not None:
            return (
                f"“{other}” is already published at {version_url(approved)}: give this explainer another slug "
                "and submit it again."
            )
        return None

    def withdraw_refusal(self, user):
        if not user.has_perm(PUBLISH):
            return "Your role cannot withdraw explainers."
        if not self.is_public:
            return f"“{self}” is not published."
        return None

    def schedule_refusal(self, user, *, due=None):
        """Return why ``user`` cannot set the next review date (to ``due``, when given), or None."""
        if not user.has_perm(PUBLISH):
            return "Your role cannot schedule reviews."
        if not self.is_public:
            return f"“{self}” is not published, so it has no review cycle yet."
        if due is None:
            return None
        today = timezone.localdate()
        if due < today:
            return "Choose today or a later date: a review cannot be due in the past."
        longest = SiteSettings.load().max_review_interval_months
        reviewed = self.public_review.reviewed_on if self.public_review else today
        latest = add_months(reviewed, longest)
        if due > latest:
            return (
                f"A review can be due at most {longest} months after the last full review ({long_date(reviewed)}): "
                f"choose {long_date(latest)} or earlier."
            )
        return None

    def may_set_review_interval(self, user):
        return user.has_perm(PUBLISH)

    def may_set_owner(self, user):
        """Publishers decide whose job a page is; everyone else sees the owner."""
        return user.has_perm(PUBLISH)

    def record_owner_change(self, *, by, previous):
        """Put a change of owner (already saved) in the explainer's history: who handed it to whom."""

        def name(user):
            return (user.get_full_name() or user.get_username()) if user else "nobody"

        self._log(
            by=by,
            action=EventAction.OWNER_CHANGED,
            to_status=self.status,
            comment=f"Owner changed from {name(previous)} to {name(self.owner)}.",
        )

    # -- workflow --------------------------------------------------------

    def _lock(self):
        """Lock the explainer's row and re-read it: every check below sees the latest committed state."""
        self.refresh_from_db(from_queryset=Explainer.objects.select_for_update())

    def record_edit(self, *, by):
        """Note that ``by`` changed the working copy; an edit voids any pending submission or approval."""
        with transaction.atomic():
            self._lock()
            to_status = self._status_after_edit()
            self._log(by=by, action=EventAction.EDITED, to_status=to_status)
            if self.status != to_status:
                self.status = to_status
                self.save(update_fields=["status", "updated_at"])
                for step in self.scheduled_steps.pending().filter(action=ScheduledAction.PUBLISH):
                    step.cancel(reason="An edit voided the approval it was to publish.", by=by)

    def _status_after_edit(self):
        if self.status in (Status.DRAFT, Status.CHANGES_REQUESTED):
            return self.status
        return Status.DRAFT

    def correction_notice(self, *, days, on=None):
        """Return the correction the page announces as of ``on`` (default today), or None.

        A correction is announced for ``days`` (the site's correction notice period) after it went
        public; the page's history keeps it for good.
        """
        if self.correction_id is None or self.corrected_on is None:
            return None
        shown_until = self.corrected_on + datetime.timedelta(days=days)
        return self.correction if (on or timezone.localdate()) < shown_until else None

    def change_summary_refusal(self, summary):
        """Return why ``summary`` cannot go with a new version, or None.

        Once a page has been public, each new version says in one line what changed: readers see it
        in the page's history, after the reviewer has read and, if need be, corrected it.
        """
        if self.first_published_on is not None and not summary.strip():
            return "Say in one line what changed for readers: it is shown in the page's public history."
        return None

    def submit_for_review(self, *, by, comment="", change_summary=""):
        """Freeze the working copy as a new version and send it to the medical reviewers.

        ``change_summary`` is the author's one line for readers on what changed (see change_summary_refusal).
        """
        with transaction.atomic():
            self._lock()
            if reason := self.submit_refusal(by):
                raise TransitionNotAllowed(reason)
            from ..rendering import RenderingRefused, rendering_deadline

            try:
                with rendering_deadline():  # one time bound for all the sections' rendering
                    version = ExplainerVersion.freeze(self, by=by, change_summary=change_summary.strip())
            except RenderingRefused as error:
                raise TransitionNotAllowed(f"“{self}” was not submitted. {error}") from error
            self._transition(Status.IN_REVIEW, by=by, action=EventAction.SUBMITTED, comment=comment, version=version)
        return version

    def approve(
        self,
        *,
        by,
        version,
        kind=ReviewKind.FULL,
        comments="",
        signed_with="",
        change_summary=None,
        correction_note="",
        confirm_sources=False,
    ):
        """Record a medical reviewer's approval of exactly ``version``, the one their page showed.

        ``signed_with`` (a SignedWith) records how they re-authenticated to sign; the admin always asks.
        ``change_summary`` is the line readers see in the page's history, as the reviewer approved it
        (the author's, when not given). ``correction_note``, when given, marks the approval as the
        correction of a clinically significant error: the public note says what was wrong.
        ``confirm_sources`` records, in a full review, that the reviewer checked the version against
        the changes to the superseded or retracted sources it still cites and it is still right.
        """
        if change_summary is None:
            change_summary = version.change_summary if version is not None else ""
        if kind not in ReviewKind.approvals():
            raise TransitionNotAllowed("An approval is either a full clinical review or a minor change.")
        with transaction.atomic():
            self._lock()
            if reason := self.review_refusal(by, version=version, kind=kind):
                raise TransitionNotAllowed(reason)
            changed = version.changed_sources() if confirm_sources else []
            if changed and kind != ReviewKind.FULL:
                raise TransitionNotAllowed(
                    "Confirming a page against a changed source takes a full clinical review, not a minor change."
                )
            review = Review.record(
                self,
                version,
                reviewer=reviewer_profile(by),
                kind=kind,
                comments=comments,
                words_changed_percent=self.words_changed_percent(version),
                signed_with=signed_with,
                change_summary=change_summary.strip(),
                correction_note=correction_note.strip(),
                sources_confirmed="\n".join(
                    f"[{ref.pk}] {ref.citation} ({ref.get_status_display().lower()})" for ref in changed
                ),
            )
            self._transition(
                Status.APPROVED,
                by=by,
                action=EventAction.APPROVED,
                comment=f"{ReviewKind(kind).label}. {comments}".strip(),
                version=version,
                signed_with=signed_with,
            )
        return review

    def request_changes(self, *, by, version, comments, signed_with=""):
        """Send ``version`` (the one the reviewer's page showed) back to its authors with their comments."""
        if not comments.strip():
            raise TransitionNotAllowed("Say what needs to change: the comment is what the author will work from.")
        with transaction.atomic():
            self._lock()
            if reason := self.review_refusal(by, version=version, kind=ReviewKind.CHANGES_REQUESTED):
                raise TransitionNotAllowed(reason)
            review = Review.record(
                self,
                version,
                reviewer=reviewer_profile(by),
                kind=ReviewKind.CHANGES_REQUESTED,
                comments=comments,
                signed_with=signed_with,
            )
            self._transition(
                Status.CHANGES_REQUESTED,
                by=by,
                action=EventAction.CHANGES_REQUESTED,
                comment=comments,
                version=version,
                signed_with=signed_with,
            )
        return review

    def publish(self, *, by, version, signed_with=""):
        """Make ``version``, the approved one the publisher's page showed, public (never the working copy)."""
        with transaction.atomic():
            self._lock()
            if reason := self.publish_refusal(by, version=version):
                raise TransitionNotAllowed(reason)
            review = self.pending_review()
            previous = self.last_published_version()
            # "Last updated" is when the public text changed: a re-review of unchanged text leaves it alone,
            # and so does republishing after a withdrawal.
            text_changed = previous is None or previous.content_hash != review.version.content_hash
            self.published_version = review.version
            self.published_review = review
            self.published_at = timezone.now()
            if self.first_published_on is None:
                self.first_published_on = timezone.localdate()
            if review.correction_note and review != self.correction:
                self.correction, self.corrected_on = review, timezone.localdate()
            if text_changed or self.last_updated is None:
                self.last_updated = timezone.localdate()
            if review.kind == ReviewKind.FULL:
                self.public_review = review
                self.next_review_due = add_months(review.reviewed_on, self.interval_months)
            self.save(
                update_fields=[
                    "published_version",
                    "published_review",
                    "published_at",
                    "first_published_on",
                    "correction",
                    "corrected_on",
                    "last_updated",
                    "public_review",
                    "next_review_due",
                    "updated_at",
                ]
            )
            self._transition(
                Status.PUBLISHED, by=by, action=EventAction.PUBLISHED, version=review.version, signed_with=signed_with
            )
            self._settle_flags(review, by=by)
            public_pages_changed(paths_showing(self, previous) + paths_showing(self))

    def withdraw(self, *, by, reason):
        """Take the explainer off the public site; its record stays."""
        if not reason.strip():
            raise TransitionNotAllowed("Give a reason for withdrawing: it stays in the explainer's history.")
        with transaction.atomic():
            self._lock()
            if refusal := self.withdraw_refusal(by):
                raise TransitionNotAllowed(refusal)
            # One save for both fields: a published status without a published version breaks
            # the published_explainer_has_published_version constraint.
            from_status = self.status
            was_showing = paths_showing(self)
            self.published_version = None
            self.published_review = None
            self.status = Status.WITHDRAWN
            self.save(update_fields=["published_version", "published_review", "status", "updated_at"])
            self._log(
                by=by,
                action=EventAction.WITHDRAWN,
                from_status=from_status,
                to_status=Status.WITHDRAWN,
                comment=reason,
            )
            public_pages_changed(was_showing)

    # -- sources that changed ---------------------------------------------

    def open_flags(self):
        return self.review_flags.open().select_related("reference", "reference__superseded_by")

    def flag_for_rereview(self, *, reference, by):
        """Flag the published text for a full review because ``reference``, which it cites, changed.

        Returns the new flag, or None when the explainer was already flagged for that source.
        """
        if self.review_flags.open().filter(reference=reference).exists():
            return None
        flag = ReviewFlag.objects.create(explainer=self, reference=reference, reason=reference.status, raised_by=by)
        if self.flagged_since is None:
            self.flagged_since = timezone.localdate()
            Explainer.objects.filter(pk=self.pk).update(flagged_since=self.flagged_since)
        self._log(by=by, action=EventAction.FLAGGED, to_status=self.status, comment=flag.reason_text)
        public_pages_changed(paths_showing(self))
        return flag

    def _settle_flags(self, review, *, by):
        """After publishing ``review``'s version: clear what a full review settled, flag what it left open.

        A full review clears a flag when its version no longer cites the changed source, or when its
        reviewer confirmed the page against the change. Any changed source the published version
        still cites without that confirmation is flagged (a page is never public unflagged on one).
        """
        version = review.version
        cited = set(version.citations.values_list("reference_id", flat=True))
        changed = version.changed_sources()
        confirmed = (
            {
                reference.pk
                for reference in changed
                if review.sources_confirmed and reference.status_changed_at <= review.created_at
            }
            if review.kind == ReviewKind.FULL
            else set()
        )
        if review.kind == ReviewKind.FULL:
            for flag in self.review_flags.open().select_related("reference"):
                if flag.reference_id not in cited or flag.reference_id in confirmed:
                    flag.cleared_at, flag.cleared_by = timezone.now(), review
                    flag.save(update_fields=["cleared_at", "cleared_by"])
                    self._log(
                        by=by,
                        action=EventAction.FLAG_CLEARED,
                        to_status=self.status,
                        comment=f"Cleared by the full review of version {version.number}: “{flag.reference}” "
                        + ("is no longer cited." if flag.reference_id not in cited else "was checked by the reviewer."),
                        version=version,
                    )
        for reference in changed:
            if reference.pk not in confirmed:
                self.flag_for_rereview(reference=reference, by=by)
        still_open = self.review_flags.open().order_by("raised_at").values_list("raised_at", flat=True).first()
        flagged_since = timezone.localdate(still_open) if still_open else None
        if flagged_since != self.flagged_since:
            self.flagged_since = flagged_since
            self.save(update_fields=["flagged_since", "updated_at"])

    def schedule_publication(self, *, by, version, at, signed_with=""):
        """Have ``publish_scheduled`` publish ``version`` (approved, as the page showed it) at ``at``, as ``by``.

        Asked the publishing rule now, and again when the time comes. Replaces any earlier scheduled publication.
        """
        with transaction.atomic():
            self._lock()
            if reason := self.publish_refusal(by, version=version) or future_refusal(at):
                raise TransitionNotAllowed(reason)
            for step in self.scheduled_steps.pending().filter(action=ScheduledAction.PUBLISH):
                step.cancel(reason="A new publication time was set.", by=by)
            step = ScheduledStep.objects.create(
                explainer=self,
                action=ScheduledAction.PUBLISH,
                at=at,
                scheduled_by=by,
                version=version,
                signed_with=signed_with,
            )
            self._log(
                by=by,
                action=EventAction.PUBLICATION_SCHEDULED,
                to_status=self.status,
                comment=f"Version {version.number} to be published at {local_time(at)}.",
                version=version,
                signed_with=signed_with,
            )
        return step

    def schedule_withdrawal(self, *, by, at, reason):
        """Have ``publish_scheduled`` take the page off the public site at ``at``, as ``by``, with ``reason``."""
        if not reason.strip():
            raise TransitionNotAllowed("Give a reason for withdrawing: it stays in the explainer's history.")
        with transaction.atomic():
            self._lock()
            if refusal := self.withdraw_refusal(by) or future_refusal(at):
                raise TransitionNotAllowed(refusal)
            for step in self.scheduled_steps.pending().filter(action=ScheduledAction.WITHDRAW):
                step.cancel(reason="A new withdrawal time was set.", by=by)
            step = ScheduledStep.objects.create(
                explainer=self, action=ScheduledAction.WITHDRAW, at=at, scheduled_by=by, reason=reason.strip()
            )
            self._log(
                by=by,
                action=EventAction.WITHDRAWAL_SCHEDULED,
                to_status=self.status,
                comment=f"To be withdrawn at {local_time(at)}: {reason.strip()}",
            )
        return step

    def schedule_review(self, *, by, due):
        """Set the next review date of a published explainer, within the longest cycle the site allows."""
        with transaction.atomic():
            self._lock()
            if reason := self.schedule_refusal(by, due=due):
                raise TransitionNotAllowed(reason)
            previous = self.next_review_due
            self.next_review_due = due
            self.save(update_fields=["next_review_due", "updated_at"])
            public_pages_changed(paths_showing(self))
            self._log(
                by=by,
                action=EventAction.REVIEW_SCHEDULED,
                to_status=self.status,
                comment=f"Next review due changed from {previous} to {due}.",
            )

    def _transition(self, to_status, *, by, action, comment="", version=None, signed_with=""):
        from_status = self.status
        self.status = to_status
        self.save(update_fields=["status", "updated_at"])
        self._log(
            by=by,
            action=action,
            from_status=from_status,
            to_status=to_status,
            comment=comment,
            version=version,
            signed_with=signed_with,
        )

    def _log(self, *, by, action, to_status, from_status=None, comment="", version=None, signed_with=""):
        ExplainerEvent.objects.create(
            explainer=self,
            actor=by,
            action=action,
            from_status=from_status or self.status,
            to_status=to_status,
            comment=comment,
            version=version,
            signed_with=signed_with,
        )


def future_refusal(at):
    """Return why ``at`` cannot be a scheduled time (it has passed), or None."""
    return None if at > timezone.now() else "Choose a time in the future: that one has already passed."


def version_url(version):
    """Return the public address a version is published at: its condition and its own slug."""
    return reverse("explainers:explainer", args=[version.condition.slug, version.slug])


class Section(models.Model):
    """One part of an explainer's answer: an optional heading and a Markdown body."""

    explainer = models.ForeignKey(Explainer, on_delete=models.CASCADE, related_name="sections")
    heading = models.CharField(max_length=200, blank=True, help_text="Optional; shown as a heading below the question.")
    body = MarkdownxField(help_text="Markdown: lists, tables, links and footnotes[^1] are supported. HTML is removed.")
    health_aspect = models.CharField(
        max_length=40,
        choices=HealthAspect,
        blank=True,
        help_text="What this section covers, for search engines (schema.org health aspect).",
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return self.heading or f"Section {self.position + 1}"


class Source(models.Model):
    """A reference the explainer cites, listed and numbered on the page in this order."""

    explainer = models.ForeignKey(Explainer, on_delete=models.CASCADE, related_name="sources")
    reference = models.ForeignKey(
        Reference,
        on_delete=models.PROTECT,
        related_name="sources",
        help_text="Find the source in the registry by its title, DOI, PMID or address; add it there if it is new.",
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return str(self.reference)
