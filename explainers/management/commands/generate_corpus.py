"""
Build a clearly synthetic library of published explainers, for benchmarking. Never run it in production.

``manage.py generate_corpus --explainers 100000`` adds 100,000 published explainers under
10,000 new conditions (``--conditions`` to choose), each with the rows the real workflow
(author edits → submits → a medical reviewer approves → a publisher publishes) would have
written: the explainer with its sections and sources, a frozen version with its contributors
and, on PostgreSQL, its search vector, a full clinical review, the four history lines, and for
each condition an approved description with its two history lines. Names and text say they are
synthetic ("Kelosis (synthetic condition 00042)", a banner opening every TL;DR), the workflow's
people are synthetic accounts without passwords (one reviewer per 1,000 explainers, at least
two), publications are spread over the last thirteen months (so some reviews are overdue), and
the same ``--seed`` gives the same text.
Each run adds a new batch numbered after the last one, so running it twice doubles the library.
It ends by refreshing the database's planner statistics (ANALYZE), as after any bulk load.

It refuses to run unless ``DEBUG`` is on or ``--i-know-this-is-not-production`` is given: it is
a tool for ``make bench`` and for trying the site at size, and its invented pages would be
public the moment it finishes.

Why this command, alone, writes the record in bulk: the record's querysets refuse
``bulk_create`` (``ImmutableQuerySet``) because each row's hash chains onto the row written
before it, which ``ChainedRecord.save`` works out one row at a time, and 100,000 explainers one
row at a time take hours. This command does the chaining itself, the way ``save`` does: it
takes each record table's lock, reads the head of its chain, gives every new row its primary
key up front (verify_records walks a chain in primary-key order), and computes
``previous_hash`` and ``record_hash`` with the models' own ``chain_payload`` before inserting
through ``Model._base_manager``, a plain manager. Every row is inserted in its final state,
nothing is updated or deleted, so the database triggers that guard the record have nothing to
refuse, and ``manage.py verify_records`` verifies the result. Each transaction holds whole
explainers, so an interrupted run leaves complete, verifiable pages behind.
"""

import datetime
import random
import time

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from core.cache import public_pages_changed
from explainers.models import (
    Condition,
    ConditionAction,
    ConditionDescriptionApproval,
    ConditionEvent,
    EventAction,
    Explainer,
    ExplainerEvent,
    ExplainerVersion,
    HealthAspect,
    Reference,
    RegistrationBody,
    Review,
    Reviewer,
    ReviewKind,
    Section,
    Source,
    Status,
    VersionCitation,
    add_months,
    chain_hash,
)
from explainers.models.content import az_position
from explainers.models.records import GENESIS
from explainers.rendering import plain_text, render_markdown

BANNER = (
    "Synthetic benchmark text made by manage.py generate_corpus: not medical information, "
    "and not written or reviewed by anyone."
)
CONDITION_MARK = "synthetic condition"
CONDITION_SLUG_PREFIX = "synthetic-condition-"
EXPLAINER_SLUG_PREFIX = "synthetic-question-"
EXPLAINERS_PER_TRANSACTION = 2000
CONDITIONS_PER_TRANSACTION = 5000
SECTIONS_PER_EXPLAINER = 4
SOURCES_PER_EXPLAINER = 2
# Section bodies come from a pool per position, so each distinct body is rendered once.
BODIES_PER_POSITION = 1000
# Publications are spread over the last thirteen months: some reviews are overdue, some due soon.
HISTORY_SPAN = datetime.timedelta(days=395)
APPROVAL_COMMENT = "Synthetic approval, generated for benchmarking."

# Plain-language health words, most common first: drawn with Zipf-like weights, so a search for
# "treatment" matches most pages and one for "tinnitus" a few, as on a real library.
VOCABULARY = """
treatment symptoms doctor pain muscle tiredness blood test diagnosis condition immune system
inflammation skin medicine joint weakness family daily specialist nurse appointment sleep exercise
diet stress breathing rash swelling fever steroid therapy support work school research
risk heart lungs kidney liver stomach bones eyes memory mood anxiety depression energy
physiotherapy scan biopsy antibody genetic inherited trigger infection virus bacteria vaccine
pregnancy children older adults hospital emergency clinic referral waiting surgery recovery
side effects dose tablet injection infusion monitoring flare remission chronic acute rare
common early late signs relief rest walking stairs swallowing voice hearing vision balance
numbness tingling cramps stiffness headache dizziness nausea appetite weight hair nails
sunlight temperature cold heat weather travel driving insurance benefits carer partner friends
community charity leaflet questions answers trial study evidence guideline review outcome
prognosis progression stage type cause prevention screening vaccination nutrition vitamin
iron calcium hormone thyroid insulin sugar cholesterol pressure circulation oxygen inhaler
cream ointment bandage splint brace wheelchair mobility independence confidence fatigue
concentration speech writing typing hands feet shoulders hips knees back neck chest
tinnitus vertigo eczema psoriasis lupus arthritis myositis neuropathy anaemia asthma migraine
""".split()
FUNCTION_WORDS = "the a and of to in can with for your is it may many people often some when how".split()

SECTION_KINDS = [  # per position: (heading, health aspect) pairs an author might write
    [
        ("What happens in the body", HealthAspect.OVERVIEW),
        ("What it is", HealthAspect.OVERVIEW),
        ("Causes", HealthAspect.CAUSES),
    ],
    [
        ("Symptoms to look out for", HealthAspect.SYMPTOMS),
        ("How it is diagnosed", HealthAspect.SCREENING),
        ("Who is at risk", HealthAspect.RISKS),
    ],
    [
        ("Treatment and care", HealthAspect.TREATMENTS),
        ("What you can do yourself", HealthAspect.SELF_CARE),
        ("Preventing flares", HealthAspect.PREVENTION),
    ],
    [
        ("Living with it", HealthAspect.LIVING_WITH),
        ("When to see a doctor", HealthAspect.SEE_DOCTOR),
        ("What to expect", HealthAspect.PROGNOSIS),
    ],
]
QUESTIONS = [
    "What causes {name}?",
    "How is {name} diagnosed?",
    "What are the first symptoms of {name}?",
    "How is {name} treated?",
    "Is {name} inherited?",
    "Can {name} affect {topic}?",
    "Does {name} cause {topic}?",
    "What helps with {topic} in {name}?",
    "How does {name} change {topic}?",
    "Is {topic} a sign of {name}?",
    "Can children get {name}?",
    "Will {name} get worse over time?",
]
# Initial letters of condition names, weighted roughly as in a real A–Z (few Q, X, Y, Z).
INITIALS = "AAABBBCCCCDDDEEFFGGHHHIIJKKLLLMMMMNNOOPPPPQRRRSSSSTTTUVVWWXYZ"
ONSETS = "b c d f g h k l m n p r s t v z br dr kl pl st tr".split()
VOWELS = "a e i o u".split()
ENDINGS = ["itis", "osis", "oma", "algia", "emia", "opathy", "ia", " syndrome", " disease", "'s disease"]


def allocate_ids(model, count):
    """Return ``count`` new primary keys for ``model``, ascending, as the table would have given them."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
            )
            return sorted(row[0] for row in cursor.fetchall())
        # SQLite: one writer at a time, and this transaction is it.
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")  # noqa: S608
        first = cursor.fetchone()[0] + 1
    return list(range(first, first + count))


def chain(model, rows):
    """Set previous_hash and record_hash of ``rows`` (in primary-key order), as ChainedRecord.save would."""
    model()._lock_chain()  # the lock every writer of this table takes, held until the transaction ends
    previous = model._base_manager.order_by("-pk").values_list("record_hash", flat=True).first() or GENESIS
    for row in rows:
        row.previous_hash = previous
        row.record_hash = previous = chain_hash(previous, row.chain_payload())


def insert_records(model, rows, batch_size=1000):
    """Chain and insert record rows; the record's own queryset refuses bulk inserts (see the module docstring)."""
    chain(model, rows)
    model._base_manager.bulk_create(rows, batch_size=batch_size)


def refresh_planner_statistics():
    """Let the database's query planner see the new rows now rather than when autovacuum next looks.

    Right after a bulk load its estimates are those of the tables before it, and it picks plans
    that take minutes (a filter run once per explainer, say) instead of milliseconds.
    """
    written = [
        Condition,
        ConditionDescriptionApproval,
        ConditionEvent,
        Explainer,
        Section,
        Source,
        ExplainerVersion,
        ExplainerVersion.contributors.through,
        Review,
        ExplainerEvent,
        Reviewer,
    ]
    with connection.cursor() as cursor:
        for model in written:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def spans(start, count, size):
    """Yield (first, how many) over ``count`` numbers from ``start`` in runs of at most ``size``."""
    for offset in range(0, count, size):
        yield start + offset, min(size, count - offset)


class SyntheticLibrary:
    """The synthetic people, words and rows of one batch; ``add`` writes the batch."""

    def __init__(self, *, seed, explainers, conditions, stdout):
        self.explainer_count, self.condition_count = explainers, conditions
        self.first_condition = Condition.objects.filter(slug__startswith=CONDITION_SLUG_PREFIX).count() + 1
        self.first_explainer = Explainer.objects.filter(slug__startswith=EXPLAINER_SLUG_PREFIX).count() + 1
        self.random = random.Random(f"{seed}:{self.first_explainer}")  # noqa: S311 - invented words, not secrets
        self.weights = [1 / (rank + 1) ** 0.9 for rank in range(len(VOCABULARY))]
        self.stdout = stdout
        self.now = timezone.now()
        self.start = self.now - HISTORY_SPAN
        self.bodies = {}  # (position, index) → (heading, aspect, body, html, plain text)
        self.conditions = []

    # -- words ------------------------------------------------------------

    def words(self, count):
        chosen = self.random.choices(VOCABULARY, weights=self.weights, k=count)
        return [self.random.choice(FUNCTION_WORDS) if self.random.random() < 0.3 else word for word in chosen]

    def sentence(self, low=8, high=16):
        text = " ".join(self.words(self.random.randint(low, high)))
        return text[0].upper() + text[1:] + "."

    def paragraph(self):
        return " ".join(self.sentence() for _ in range(self.random.randint(3, 5)))

    def pseudo_name(self):
        letter = self.random.choice(INITIALS)
        stem = letter + self.random.choice(VOWELS) + self.random.choice(ONSETS) + self.random.choice(VOWELS)
        if self.random.random() < 0.5:
            stem += self.random.choice(ONSETS)
        return (stem + self.random.choice(ENDINGS)).capitalize()

    def body(self, position, index):
        """Return a pooled section body for ``position`` with its rendering, made once per distinct body."""
        key = (position, index)
        if key not in self.bodies:
            heading, aspect = self.random.choice(SECTION_KINDS[position])
            parts = [self.paragraph() for _ in range(self.random.randint(1, 2))]
            if self.random.random() < 0.25:
                parts.append("\n".join(f"- {' '.join(self.words(4))}" for _ in range(3)))
            if self.random.random() < 0.1:
                parts.append(f"Ask about **{self.random.choice(VOCABULARY)}** at your next appointment.")
            body = "\n\n".join(parts)
            # The snapshot stores each body rendered with its section's anchor prefix, as freeze() does.
            html = render_markdown(body, anchor_prefix=f"s{position + 1}-")
            self.bodies[key] = (heading, aspect, body, html, plain_text(body))
        return self.bodies[key]

    # -- people -------------------------------------------------------------

    def people(self):
        """Return (author, publisher, reviewer profiles), creating the synthetic accounts that are missing."""
        author = self.account("synthetic-author", "Authors", "Synthetic", "Author")
        publisher = self.account("synthetic-publisher", "Publishers", "Synthetic", "Publisher")
        wanted = max(2, (self.first_explainer - 1 + self.explainer_count) // 1000)
        reviewers = []
        for n in range(1, wanted + 1):
            user = self.account(f"synthetic-reviewer-{n:03d}", "Medical reviewers", "Synthetic", f"Reviewer {n:03d}")
            profile = Reviewer.objects.filter(user=user).first()
            if profile is None:
                # Created as someone who manages reviewer profiles would, so each field's change is recorded.
                profile = Reviewer(
                    user=user,
                    display_name=f"Dr Synthetic Reviewer {n:03d}",
                    credentials="MD (synthetic benchmark profile)",
                    specialty="Synthetic benchmarking",
                    bio=BANNER,
                    slug=f"synthetic-reviewer-{n:03d}",
                    registration_body=RegistrationBody.OTHER,
                    registration_number=f"SYNTHETIC-{n:03d}",
                    registration_verified_on=timezone.localdate() - datetime.timedelta(days=30),
                    interests_declaration="None (a synthetic reviewer).",
                    interests_declared_on=timezone.localdate() - datetime.timedelta(days=30),
                )
                profile.save_with_history(by=publisher)
            reviewers.append(profile)
        return author, publisher, reviewers

    @staticmethod
    def account(username, role, first_name, last_name):
        user, created = User.objects.get_or_create(
            username=username, defaults={"is_staff": True, "first_name": first_name, "last_name": last_name}
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
            user.groups.add(Group.objects.get(name=role))
        return user

    # -- the batch ----------------------------------------------------------

    def add(self):
        self.author, self.publisher, self.reviewers = self.people()
        self.interval = Explainer().interval_months  # the site's usual interval, as publish() applies it
        for first, count in spans(self.first_condition, self.condition_count, CONDITIONS_PER_TRANSACTION):
            with transaction.atomic():
                self.conditions += self.add_conditions(first, count)
        written = 0
        for first, count in spans(self.first_explainer, self.explainer_count, EXPLAINERS_PER_TRANSACTION):
            with transaction.atomic():
                self.add_explainers(first, count)
            written += count
            self.stdout.write(f"  {written:,} of {self.explainer_count:,} explainers written")

    def add_conditions(self, first, count):
        """Write ``count`` conditions, each edited by the author and its details approved by a reviewer."""
        ids = allocate_ids(Condition, count)
        approval_ids = allocate_ids(ConditionDescriptionApproval, count)
        event_ids = iter(allocate_ids(ConditionEvent, 2 * count))
        conditions, approvals, events = [], [], []
        edited_at, approved_at = self.start - datetime.timedelta(days=2), self.start - datetime.timedelta(days=1)
        for offset, (pk, approval_pk) in enumerate(zip(ids, approval_ids, strict=True)):
            n = first + offset
            short_name = self.pseudo_name()
            name = f"{short_name} ({CONDITION_MARK} {n:05d})"
            reviewer = self.reviewers[n % len(self.reviewers)]
            condition = Condition(
                pk=pk,
                name=name,
                slug=f"{CONDITION_SLUG_PREFIX}{n:05d}-{slugify(short_name)}",
                alternate_names=self.pseudo_name() if n % 3 == 0 else "",
                description=f"{BANNER} {self.sentence()} {self.sentence()}",
                community_size=self.random.randint(10, 5000) if n % 4 else None,
            )
            condition.short_name = short_name
            details = condition.working_content()
            condition.public_initial, condition.public_sort_name = az_position(details["name"])
            approval = ConditionDescriptionApproval(
                pk=approval_pk,
                condition_id=pk,
                name=details["name"],
                alternate_names=details["alternate_names"],
                text=details["description"],
                content_hash=condition.working_hash(),
                reviewer=reviewer,
                reviewer_name=reviewer.display_name,
                reviewer_credentials=reviewer.credentials,
                approved_at=approved_at,
            )
            condition.approved_description = approval
            events += [
                ConditionEvent(
                    pk=next(event_ids),
                    condition_id=pk,
                    actor=self.author,
                    action=ConditionAction.EDITED,
                    at=edited_at,
                ),
                ConditionEvent(
                    pk=next(event_ids),
                    condition_id=pk,
                    actor=reviewer.user,
                    action=ConditionAction.APPROVED,
                    approval_id=approval_pk,
                    at=approved_at,
                ),
            ]
            conditions.append(condition)
            approvals.append(approval)
        # Foreign keys are checked at commit, so a condition may name its approval before it is written.
        Condition.objects.bulk_create(conditions, batch_size=1000)
        insert_records(ConditionDescriptionApproval, approvals)
        insert_records(ConditionEvent, events)
        return conditions

    def add_explainers(self, first, count):
        """Write ``count`` explainers through every row of edit → submit → full review → publish."""
        ids = allocate_ids(Explainer, count)
        version_ids = allocate_ids(ExplainerVersion, count)
        review_ids = allocate_ids(Review, count)
        event_ids = iter(allocate_ids(ExplainerEvent, 4 * count))
        section_ids = iter(allocate_ids(Section, SECTIONS_PER_EXPLAINER * count))
        source_ids = iter(allocate_ids(Source, SOURCES_PER_EXPLAINER * count))
        reference_ids = iter(allocate_ids(Reference, SOURCES_PER_EXPLAINER * count))
        explainers, sections, sources, versions, contributors, reviews, events = [], [], [], [], [], [], []
        references, citations = [], []
        Contributor = ExplainerVersion.contributors.through
        pool = min(BODIES_PER_POSITION, max(1, self.explainer_count))
        step = HISTORY_SPAN / max(1, self.explainer_count)
        for offset, (pk, version_pk, review_pk) in enumerate(zip(ids, version_ids, review_ids, strict=True)):
            n = first + offset
            index = n - self.first_explainer
            condition = self.conditions[index % len(self.conditions)]
            reviewer = self.reviewers[n % len(self.reviewers)]
            published_at = self.start + step * index + datetime.timedelta(hours=3)
            edited_at, submitted_at, approved_at = (published_at - datetime.timedelta(hours=h) for h in (3, 2, 1))
            question = self.random.choice(QUESTIONS).format(
                name=condition.short_name, topic=self.random.choice(VOCABULARY[:120])
            )
            explainer = Explainer(
                pk=pk,
                condition=condition,
                question=question,
                slug=f"{EXPLAINER_SLUG_PREFIX}{n:06d}",
                tldr=f"{BANNER} {self.sentence()} {self.sentence()}",
                experience_count=self.random.randint(0, 40),
                position=index // len(self.conditions),
                status=Status.PUBLISHED,
                published_version_id=version_pk,
                public_review_id=review_pk,
                published_review_id=review_pk,
                published_at=published_at,
                last_updated=timezone.localdate(published_at),
                next_review_due=add_months(timezone.localdate(approved_at), self.interval),
                created_by=self.author,
            )
            its_sections, rendered = [], []
            for position in range(SECTIONS_PER_EXPLAINER):
                heading, aspect, body, html, plain = self.body(position, self.random.randrange(pool))
                rendered.append((html, plain))
                its_sections.append(
                    Section(
                        pk=next(section_ids),
                        explainer_id=pk,
                        heading=heading,
                        health_aspect=aspect,
                        body=body,
                        position=position,
                    )
                )
            its_references = [
                Reference(
                    pk=next(reference_ids),
                    citation=f"Synthetic A, Invented B. {self.random.choice(VOCABULARY).capitalize()} in "
                    f"{condition.short_name}: an invented study. J Synth Med. {2000 + n % 25}.",
                    url=f"https://example.org/synthetic/{n}/{k}",
                )
                for k in range(SOURCES_PER_EXPLAINER)
            ]
            its_sources = [
                Source(pk=next(source_ids), explainer_id=pk, reference=reference, position=k)
                for k, reference in enumerate(its_references)
            ]
            references += its_references
            citations += [
                VersionCitation(version_id=version_pk, reference_id=reference.pk, position=k)
                for k, reference in enumerate(its_references)
            ]
            # The working copy as the model reads it, so its hash is the one the workflow would compute.
            explainer._prefetched_objects_cache = {"sections": its_sections, "sources": its_sources}
            version = self.version(explainer, version_pk, rendered, submitted_at)
            review = Review(
                pk=review_pk,
                explainer_id=pk,
                version_id=version_pk,
                reviewer=reviewer,
                reviewer_name=reviewer.display_name,
                reviewer_credentials=reviewer.credentials,
                reviewer_registration=reviewer.registration_summary,
                kind=ReviewKind.FULL,
                comments=APPROVAL_COMMENT,
                content_hash=version.content_hash,
                reviewed_on=timezone.localdate(approved_at),
                created_at=approved_at,
            )
            steps = [
                (self.author, EventAction.EDITED, Status.DRAFT, Status.DRAFT, "", None, edited_at),
                (self.author, EventAction.SUBMITTED, Status.DRAFT, Status.IN_REVIEW, "", version_pk, submitted_at),
                (
                    reviewer.user,
                    EventAction.APPROVED,
                    Status.IN_REVIEW,
                    Status.APPROVED,
                    f"{ReviewKind.FULL.label}. {APPROVAL_COMMENT}",
                    version_pk,
                    approved_at,
                ),
                (
                    self.publisher,
                    EventAction.PUBLISHED,
                    Status.APPROVED,
                    Status.PUBLISHED,
                    "",
                    version_pk,
                    published_at,
                ),
            ]
            events += [
                ExplainerEvent(
                    pk=next(event_ids),
                    explainer_id=pk,
                    actor=actor,
                    action=action,
                    from_status=from_status,
                    to_status=to_status,
                    comment=comment,
                    version_id=version_id,
                    at=at,
                )
                for actor, action, from_status, to_status, comment, version_id, at in steps
            ]
            explainers.append(explainer)
            sections += its_sections
            sources += its_sources
            versions.append(version)
            contributors.append(Contributor(explainerversion_id=version_pk, user_id=self.author.pk))
            reviews.append(review)
        Explainer.objects.bulk_create(explainers, batch_size=1000)
        Section.objects.bulk_create(sections, batch_size=1000)
        Reference.objects.bulk_create(references, batch_size=1000)
        Source.objects.bulk_create(sources, batch_size=1000)
        insert_records(ExplainerVersion, versions, batch_size=250)
        VersionCitation._base_manager.bulk_create(citations, batch_size=1000)  # written once, like the versions
        Contributor.objects.bulk_create(contributors, batch_size=1000)
        insert_records(Review, reviews)
        insert_records(ExplainerEvent, events)

    def version(self, explainer, pk, rendered, created_at):
        """Return the snapshot ExplainerVersion.freeze would take of ``explainer``: its first version.

        ``rendered`` holds each section's (HTML, plain text), rendered once per pooled body.
        """
        version = ExplainerVersion.snapshot(
            explainer,
            explainer.working_content(),
            rendered,
            pk=pk,
            number=1,
            created_by=self.author,
            created_at=created_at,
        )
        version._contributor_ids = [self.author.pk]  # the author's edit is the only one, and nothing was approved
        return version


class Command(BaseCommand):
    help = (
        "Add a batch of clearly synthetic, published explainers for benchmarking. Refuses unless DEBUG is on "
        "or --i-know-this-is-not-production is given; never run it in production."
    )

    def add_arguments(self, parser):
        parser.add_argument("--explainers", type=int, required=True, help="published explainers to add")
        parser.add_argument(
            "--conditions", type=int, help="new conditions to spread them over (default: one per ten explainers)"
        )
        parser.add_argument("--seed", type=int, default=1, help="the same seed gives the same text (default 1)")
        parser.add_argument(
            "--i-know-this-is-not-production",
            action="store_true",
            dest="not_production",
            help="run with DEBUG off, e.g. on the benchmark's own database",
        )

    def handle(self, *args, explainers, conditions, seed, not_production, **options):
        if not (settings.DEBUG or not_production):
            raise CommandError(
                "generate_corpus fills the database with synthetic, published explainers. It runs only with "
                "DEBUG=1 or --i-know-this-is-not-production, on a database made for benchmarking."
            )
        conditions = max(1, explainers // 10) if conditions is None else conditions
        if explainers < 1 or conditions < 1:
            raise CommandError("Give at least one explainer and one condition.")
        started = time.monotonic()
        library = SyntheticLibrary(seed=seed, explainers=explainers, conditions=conditions, stdout=self.stdout)
        self.stdout.write(
            f"Adding {explainers:,} synthetic explainers under {conditions:,} new conditions "
            f"(numbers {library.first_explainer:,} onwards)."
        )
        library.add()
        refresh_planner_statistics()
        public_pages_changed([])  # every cached page may now list the new pages
        total = Explainer.objects.published().count()
        self.stdout.write(
            self.style.SUCCESS(
                f"Added {explainers:,} synthetic explainers in {time.monotonic() - started:.0f}s; "
                f"{total:,} explainers are published."
            )
        )
