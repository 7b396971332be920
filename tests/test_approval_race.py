"""A reviewer approves while an editor changes the working copy: the approval never outlives the edit.

Each step locks the explainer's row before it checks anything, so of an approval and an edit
racing each other one commits first and the other sees it: either the approval is refused, or
it stands and the edit sends the explainer back to draft. And whoever edited the text is a
contributor of the next version, so they cannot approve it. PostgreSQL only: SQLite has no
row locks to race for.
"""

import threading
import time
from contextlib import nullcontext
from io import StringIO

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from explainers.models import (
    EventAction,
    Explainer,
    ExplainerEvent,
    ExplainerVersion,
    Status,
    TransitionNotAllowed,
)
from explainers.roles import ROLES
from tests.factories import make_explainer, make_reviewer, make_user, today_is

ROUNDS = 5
HOLD = 0.3  # seconds one side keeps the explainer's row locked while the other tries
WAIT = 20  # seconds at most for any thread, lock or barrier

REFUSAL = "is not awaiting review (it is draft)"


@pytest.fixture
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("The approval race needs PostgreSQL's row locks and concurrent connections; SQLite has neither.")


@pytest.fixture
def roles(_postgresql_only, transactional_db):
    """Recreate the editorial groups, which an earlier transactional test's flush may have removed."""
    for name, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(Permission.objects.filter(content_type__app_label="explainers", codename__in=codenames))


def in_own_connection(work, failures, name):
    """Run ``work`` in a thread's own database connection, noting what it raised instead of losing it."""

    def run():
        try:
            with connection.cursor() as cursor:
                # set_config, not SET: SET takes no bound parameters, and the site binds them server-side.
                cursor.execute("SELECT set_config('lock_timeout', %s, false)", [f"{WAIT}s"])  # never waited on forever
            work()
        except BaseException as error:  # reported by the test's own thread
            failures[name] = error
        finally:
            connection.close()

    return threading.Thread(target=run, name=name, daemon=True)


def race(explainer, version, *, reviewer, editor, ordering, round_number):
    """Approve ``version`` as ``reviewer`` while ``editor`` edits the working copy; return the approval's outcome."""
    barrier = threading.Barrier(2, timeout=WAIT)
    editor_holds_lock, reviewer_holds_lock = threading.Event(), threading.Event()
    failures, outcome = {}, {}

    def approve():
        mine = Explainer.objects.get(pk=explainer.pk)
        shown = ExplainerVersion.objects.get(pk=version.pk)  # the version the review page showed
        barrier.wait()
        if ordering == "editor_holds_lock":
            assert editor_holds_lock.wait(WAIT)
        with transaction.atomic():
            try:
                mine.approve(by=reviewer, version=shown, comments="Accurate and clear.")
            except TransitionNotAllowed as refusal:
                outcome["refused"] = str(refusal)
            else:
                outcome["approved"] = True
            if ordering == "reviewer_holds_lock":
                reviewer_holds_lock.set()
                time.sleep(HOLD)  # commit late: the explainer's row stays locked meanwhile

    def edit():
        mine = Explainer.objects.get(pk=explainer.pk)  # as the admin's change page loads it
        barrier.wait()
        if ordering == "reviewer_holds_lock":
            assert reviewer_holds_lock.wait(WAIT)
        with transaction.atomic():
            # The admin's save claims the next lock version with a conditional UPDATE, which locks the row.
            Explainer.objects.filter(pk=mine.pk).update(lock_version=F("lock_version") + 1)
            if ordering == "editor_holds_lock":
                editor_holds_lock.set()
                time.sleep(HOLD)
            section = mine.sections.order_by("position").first()
            section.body = f"An editor's rewording, round {round_number}."
            section.save()
            mine.record_edit(by=editor)

    threads = [
        in_own_connection(approve, failures, "reviewer"),
        in_own_connection(edit, failures, "editor"),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=3 * WAIT)
    assert not any(thread.is_alive() for thread in threads), "a thread of the race did not finish in time"
    assert not failures, failures
    return outcome


def assert_one_outcome(explainer, version, outcome, *, ordering, round_number):
    """Either the approval was refused, or it stands and the edit sent the explainer back to draft."""
    explainer.refresh_from_db()
    working_hash = explainer.working_hash()
    approval = explainer.reviews.approvals().filter(version=version).first()
    context = f"{ordering}, round {round_number}: {outcome}, status {explainer.status}"

    assert explainer.sections.order_by("position").first().body == f"An editor's rewording, round {round_number}."
    # Never approved with a working copy other than the text approved.
    assert not (
        explainer.status == Status.APPROVED and explainer.pending_review().version.content_hash != working_hash
    ), context
    assert ("refused" in outcome) != ("approved" in outcome), context
    if "refused" in outcome:
        assert REFUSAL in outcome["refused"], context
        assert approval is None, context
        assert explainer.status == Status.DRAFT, context
    else:
        assert approval is not None, context
        assert explainer.status == Status.DRAFT, context
        assert approval.content_hash == version.content_hash != working_hash, context
        events = ExplainerEvent.objects.filter(explainer=explainer)
        approved = events.get(action=EventAction.APPROVED, version=version)
        edit = events.filter(action=EventAction.EDITED).latest("pk")
        assert edit.pk > approved.pk and edit.to_status == Status.DRAFT, context
    if ordering == "editor_holds_lock":  # the edit committed first, so the reviewer saw it
        assert "refused" in outcome, context
    if ordering == "reviewer_holds_lock":  # the approval committed first, so the edit voided it
        assert "approved" in outcome, context


def assert_editor_cannot_approve_the_next_version(explainer, editor):
    next_version = explainer.submit_for_review(by=editor)
    contributors = set(next_version.contributors.values_list("pk", flat=True))
    assert editor.pk in contributors, f"the editor (#{editor.pk}) is not among the contributors {contributors}"

    editor.groups.add(Group.objects.get(name="Medical reviewers"))
    make_reviewer(user=editor)
    editor_as_reviewer = User.objects.get(pk=editor.pk)  # permissions are cached per user object
    with pytest.raises(TransitionNotAllowed, match="You edited this version"):
        explainer.approve(by=editor_as_reviewer, version=next_version)
    explainer.refresh_from_db()
    assert explainer.status == Status.IN_REVIEW
    assert not explainer.reviews.filter(version=next_version).exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("clock", ["clock_running", "clock_standing_still"])
@pytest.mark.parametrize("ordering", ["at_once", "editor_holds_lock", "reviewer_holds_lock"])
def test_an_approval_racing_an_edit_never_approves_text_other_than_the_working_copy(roles, ordering, clock):
    """With the clock standing still every row has the same timestamp, as on a coarse or stepped-back clock or in a
    replayed history: who edited after an approval must follow from the order the rows were written in."""
    author = make_user("Authors")
    reviewer = make_reviewer().user
    for round_number in range(1, ROUNDS + 1):
        with today_is(timezone.localdate()) if clock == "clock_standing_still" else nullcontext():
            explainer = make_explainer(author=author, sections=["Causes\n\nThe first wording."])
            version = explainer.submit_for_review(by=author)
            editor = make_user("Authors")

            outcome = race(
                explainer, version, reviewer=reviewer, editor=editor, ordering=ordering, round_number=round_number
            )

            assert_one_outcome(explainer, version, outcome, ordering=ordering, round_number=round_number)
            assert_editor_cannot_approve_the_next_version(explainer, editor)
    call_command("verify_records", stdout=StringIO(), stderr=StringIO())  # both sides' rows chained in turn
