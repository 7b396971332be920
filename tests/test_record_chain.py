"""The record is tamper-evident: each row's hash chains onto the row before it, and verify_records checks every chain.

The database triggers refuse UPDATE and DELETE on the record tables; someone who can switch them
off (a DBA) can still change the record, and ``manage.py verify_records`` must then name the row.
Each test switches the triggers off inside its own transaction, which the rollback undoes.
"""

import re
from contextlib import contextmanager
from importlib import import_module
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction

from explainers import record_protection
from explainers.models import (
    CHAINED_RECORDS,
    ExplainerEvent,
    ExplainerVersion,
    Review,
    SiteSettings,
    chain_hash,
)
from explainers.models.records import GENESIS
from tests.factories import make_published_explainer, make_reviewer, make_user, publish

TABLES = import_module("explainers.migrations.0009_record_tables_refuse_changes").TABLES


def verify_records():
    """Run verify_records; return (stdout, stderr, the CommandError or None)."""
    out, err = StringIO(), StringIO()
    try:
        call_command("verify_records", stdout=out, stderr=err)
    except CommandError as error:
        return out.getvalue(), err.getvalue(), error
    return out.getvalue(), err.getvalue(), None


@contextmanager
def record_triggers_off(table):
    """Switch off the triggers that refuse UPDATE and DELETE on ``table``, then put them back."""
    assert table in TABLES
    quoted = connection.ops.quote_name(table)
    if connection.vendor == "postgresql":
        # ALTER TABLE refuses while the transaction has deferred foreign key checks pending: run them first.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {quoted} DISABLE TRIGGER USER")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute(f"ALTER TABLE {quoted} ENABLE TRIGGER USER")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    else:
        with connection.cursor() as cursor:
            for operation in ("UPDATE", "DELETE"):
                cursor.execute(f"DROP TRIGGER {record_protection._trigger(table, operation)}")
        try:
            yield
        finally:
            # Not entered as a context: SQLite's schema editor refuses to start inside the test's
            # transaction (it cannot switch foreign key checks off there); install() only executes SQL.
            record_protection.install(connection.schema_editor(), TABLES)


def tamper(model, pk, **columns):
    """Change columns of one record row with plain SQL, the triggers switched off."""
    table = model._meta.db_table
    assignments = ", ".join(f"{connection.ops.quote_name(column)} = %s" for column in columns)
    with record_triggers_off(table), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {connection.ops.quote_name(table)} SET {assignments} WHERE id = %s", [*columns.values(), pk]
        )
        assert cursor.rowcount == 1


def middle_row(model):
    rows = list(model._base_manager.order_by("pk"))
    assert len(rows) >= 3, f"the record needs a few {model._meta.verbose_name_plural} for this test"
    return rows[len(rows) // 2]


def assert_changed_row_is_named(model, pk):
    out, err, error = verify_records()
    assert error is not None, f"verify_records passed after {model._meta.verbose_name} #{pk} was changed:\n{out}"
    assert "1 table(s)" in str(error)
    assert f"{model._meta.verbose_name} #{pk} was changed after it was written" in err
    assert "All" not in out


@pytest.fixture
def record(demo):
    """The demo content plus more history: every record table has at least three rows."""
    for _ in range(2):
        explainer = make_published_explainer()
        section = explainer.sections.first()
        section.body = "A corrected answer."
        section.save()
        explainer.record_edit(by=explainer.created_by)
        publish(explainer)
    reviewer = make_reviewer()
    for bio in ("First biography.", "Second biography.", "Third biography."):
        reviewer.bio = bio
        reviewer.save_with_history(by=reviewer.user)
    settings_row, publisher = SiteSettings.load(), make_user("Publishers")
    for months in (6, 9, 12):
        settings_row.review_interval_months = months
        settings_row.save_with_history(by=publisher)
    for model in CHAINED_RECORDS:
        assert model._base_manager.count() >= 3, model
    return demo


def test_verify_records_passes_on_the_demo_data(db):
    call_command("load_demo", verbosity=0)

    out, err, error = verify_records()

    assert error is None, err
    assert err == ""
    total = sum(model._base_manager.count() for model in CHAINED_RECORDS)
    assert total > 0
    assert f"All {total} record rows in {len(CHAINED_RECORDS)} tables verify." in out


def test_verify_records_passes_on_a_longer_record_and_prints_each_chains_head(record):
    out, err, error = verify_records()

    assert error is None, err
    for model in CHAINED_RECORDS:
        head = model._base_manager.order_by("-pk").first()
        count = model._base_manager.count()
        assert f"{model._meta.verbose_name_plural}: {count} rows verify; head {head.record_hash}" in out
    assert re.search(r"All \d+ record rows in \d+ tables verify\.", out)


def test_a_review_whose_comments_were_changed_behind_the_triggers_fails_verification(record):
    review = middle_row(Review)

    tamper(Review, review.pk, comments="Approved without reservation.")

    assert_changed_row_is_named(Review, review.pk)


def test_an_event_whose_actor_was_changed_behind_the_triggers_fails_verification(record):
    event = middle_row(ExplainerEvent)
    someone_else = make_user("Authors")
    assert event.actor_id != someone_else.pk

    tamper(ExplainerEvent, event.pk, actor_id=someone_else.pk)

    assert_changed_row_is_named(ExplainerEvent, event.pk)


def test_an_event_whose_comment_was_changed_behind_the_triggers_fails_verification(record):
    event = middle_row(ExplainerEvent)

    tamper(ExplainerEvent, event.pk, comment=event.comment + " (and a second opinion)")

    assert_changed_row_is_named(ExplainerEvent, event.pk)


def test_a_version_whose_question_was_changed_behind_the_triggers_fails_verification(record):
    version = middle_row(ExplainerVersion)

    tamper(ExplainerVersion, version.pk, question="What cures it overnight?")

    assert_changed_row_is_named(ExplainerVersion, version.pk)


def test_a_contributor_added_to_a_version_afterwards_fails_verification(record):
    """Who edited a version decides who may approve it, so its contributors are part of the chained row."""
    version = middle_row(ExplainerVersion)
    newcomer = make_user("Authors")
    table = connection.ops.quote_name(ExplainerVersion.contributors.through._meta.db_table)
    with connection.cursor() as cursor:  # the triggers refuse UPDATE and DELETE only
        cursor.execute(f"INSERT INTO {table} (explainerversion_id, user_id) VALUES (%s, %s)", [version.pk, newcomer.pk])

    assert_changed_row_is_named(ExplainerVersion, version.pk)


def test_deleting_an_event_in_the_middle_of_the_chain_fails_verification_naming_the_row_after_it(record):
    rows = list(ExplainerEvent._base_manager.order_by("pk"))
    removed = middle_row(ExplainerEvent)
    following = rows[rows.index(removed) + 1]

    with record_triggers_off(ExplainerEvent._meta.db_table), connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {connection.ops.quote_name(ExplainerEvent._meta.db_table)} WHERE id = %s", [removed.pk]
        )
        assert cursor.rowcount == 1

    out, err, error = verify_records()
    assert error is not None, f"verify_records passed after explainer event #{removed.pk} was deleted:\n{out}"
    assert "1 table(s)" in str(error)
    assert (
        f"{ExplainerEvent._meta.verbose_name} #{following.pk}: the row written before it is missing or was changed"
        in err
    )


def test_the_triggers_are_back_after_a_test_switched_them_off(record):
    """The helper above puts the protection back, so a test cannot leave the record open."""
    review = middle_row(Review)
    tamper(Review, review.pk, comments="Changed once, with the triggers off.")

    with pytest.raises(IntegrityError, match="cannot be changed or deleted"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {connection.ops.quote_name(Review._meta.db_table)} SET comments = %s WHERE id = %s",
                ["Changed again, with the triggers on.", review.pk],
            )


@pytest.mark.parametrize("model", CHAINED_RECORDS, ids=lambda model: model.__name__)
def test_each_record_row_chains_onto_the_row_written_before_it(record, model):
    rows = list(model._base_manager.order_by("pk"))
    assert len(rows) >= 3

    assert rows[0].previous_hash == GENESIS == "0" * 64
    for before, row in zip(rows, rows[1:], strict=False):
        assert row.previous_hash == before.record_hash, f"{model._meta.verbose_name} #{row.pk}"
    for row in rows:
        assert row.record_hash == chain_hash(row.previous_hash, row.chain_payload())
    assert len({row.record_hash for row in rows}) == len(rows)
