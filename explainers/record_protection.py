"""
Database triggers that refuse UPDATE and DELETE on the record tables, on PostgreSQL and SQLite.

The models refuse changes too, but ``.update()``, raw SQL and a database shell do not go
through them; these triggers do. They are installed by migrations (0009 onwards), each with
the tables it protects written out, so that adding a table later takes a migration of its own.
A DBA can still switch triggers off; the hash chain (``manage.py verify_records``) catches that.

Hand-written rather than django-pgtrigger, which manages PostgreSQL only: one list of tables
and the same message serve both databases.
"""

MESSAGE = "condinfo: the review record cannot be changed or deleted"
FUNCTION = "condinfo_refuse_record_change"
REVIEWER_ACCOUNT_MESSAGE = "condinfo: the account of a reviewer profile never changes"


def _trigger(table, operation):
    return f"condinfo_protect_{table}_{operation.lower()}"


def install(schema_editor, tables):
    """Make ``tables`` refuse every UPDATE and DELETE."""
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            f"CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"RAISE EXCEPTION '{MESSAGE} (% on %)', TG_OP, TG_TABLE_NAME USING ERRCODE = 'restrict_violation'; "
            "END $$",
            params=None,  # the % signs are RAISE's own placeholders, not query parameters
        )
    for table in tables:
        for operation in ("UPDATE", "DELETE"):
            name = _trigger(table, operation)
            if vendor == "postgresql":
                schema_editor.execute(
                    f"CREATE TRIGGER {name} BEFORE {operation} ON {table} FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()"
                )
            elif vendor == "sqlite":
                schema_editor.execute(
                    f"CREATE TRIGGER IF NOT EXISTS {name} BEFORE {operation} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
                )


def uninstall(schema_editor, tables):
    vendor = schema_editor.connection.vendor
    for table in tables:
        for operation in ("UPDATE", "DELETE"):
            if vendor == "postgresql":
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {_trigger(table, operation)} ON {table}")
            elif vendor == "sqlite":
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {_trigger(table, operation)}")


def install_reviewer_account_lock(schema_editor):
    """Refuse changing the account a reviewer profile belongs to: it would hand over their past reviews."""
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            "CREATE OR REPLACE FUNCTION condinfo_refuse_reviewer_account_change() RETURNS trigger "
            f"LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '{REVIEWER_ACCOUNT_MESSAGE}' "
            "USING ERRCODE = 'restrict_violation'; END $$"
        )
        schema_editor.execute(
            "CREATE TRIGGER condinfo_reviewer_account BEFORE UPDATE OF user_id ON explainers_reviewer "
            "FOR EACH ROW WHEN (OLD.user_id IS DISTINCT FROM NEW.user_id) "
            "EXECUTE FUNCTION condinfo_refuse_reviewer_account_change()"
        )
    elif vendor == "sqlite":
        schema_editor.execute(
            "CREATE TRIGGER IF NOT EXISTS condinfo_reviewer_account BEFORE UPDATE OF user_id ON explainers_reviewer "
            f"WHEN OLD.user_id IS NOT NEW.user_id BEGIN SELECT RAISE(ABORT, '{REVIEWER_ACCOUNT_MESSAGE}'); END"
        )


def uninstall_reviewer_account_lock(schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS condinfo_reviewer_account ON explainers_reviewer")
    elif vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS condinfo_reviewer_account")
