"""
A backup made the way the README says (deploy/backup.sh: pg_dump's custom format and a copy of the
uploaded media) restores (deploy/restore.sh: pg_restore into a new database) to the same site.

pg_dump sees only committed rows, so the site is built in a database of its own, outside the test's
transaction: migrated, the demo loaded, an explainer published and then re-reviewed (a second
version approved and published) with an uploaded image, and another withdrawn, all through the
real workflow in a ``manage.py``-like subprocess. After the round trip every public page answers
with the same status and the same bytes from both databases, the media are identical, the record
chains verify to the same heads, and the record tables still refuse UPDATE and DELETE.
Needs PostgreSQL (DATABASE_URL=postgres://…) and its client programs (pg_dump, pg_restore, psql).
"""

import datetime
import difflib
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import urllib.parse
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path

import psycopg
import pytest
from django.db import connection
from psycopg import sql

from explainers.record_protection import MESSAGE as RECORD_REFUSAL
from tests.browser import require

BASE_DIR = Path(__file__).resolve().parent.parent
SITE_URL = "https://condinfo.example"
RECORD_TABLES = import_module("explainers.migrations.0009_record_tables_refuse_changes").TABLES
SECONDS = 120

# Run in a subprocess against the source database: the site as an editorial team leaves it.
BUILD = textwrap.dedent(
    """
    import io, json, sys

    import django

    django.setup()

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.core.management import call_command
    from django.test import override_settings
    from PIL import Image

    from explainers.models import Condition, Reviewer, SiteSettings
    from tests.factories import make_condition, make_explainer, make_published_explainer, make_user, publish

    override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]).enable()
    call_command("migrate", verbosity=0)
    call_command("load_demo", stdout=io.StringIO())  # its message would spoil the JSON below

    # What django-markdownx's upload stores: a re-encoded image under MEDIA_ROOT/uploads/.
    png = io.BytesIO()
    Image.new("RGB", (12, 8), (176, 48, 48)).save(png, "PNG")
    image = default_storage.save("uploads/inflamed-muscle-fibres.png", ContentFile(png.getvalue()))

    demo_condition = Condition.objects.get(slug="dermatomyositis-and-polymyositis")
    rereviewed = make_explainer(
        condition=demo_condition,
        question="Can myositis come back after treatment?",
        slug="can-myositis-come-back-after-treatment",
        sections=["What the first review said\\n\\nIt can, months or years later."],
    )
    publish(rereviewed)
    section = rereviewed.sections.get()
    section.body = (
        "It can, months or years later; a flare is treated like the first episode.\\n\\n"
        f"![Inflamed muscle fibres]({default_storage.url(image)})"
    )
    section.save()
    rereviewed.record_edit(by=rereviewed.created_by)
    publish(rereviewed)  # a second version, approved by another reviewer, replaces the first

    withdrawn = make_published_explainer(
        condition=make_condition(name="Inclusion body myositis", slug="inclusion-body-myositis"),
        question="Is inclusion body myositis inherited?",
        slug="is-inclusion-body-myositis-inherited",
    )
    withdrawn_address = withdrawn.get_absolute_url()
    withdrawn.withdraw(by=make_user("Publishers"), reason="Superseded by newer genetic guidance.")

    # Every record table gets rows, so each one's triggers can be tried after the restore.
    publisher = make_user("Publishers")
    site = SiteSettings.load()
    site.disclaimer = "This answer explains; it does not diagnose. Talk to your care team before changing treatment."
    site.save_with_history(by=publisher)
    reviewer = Reviewer.objects.get(slug="rowan-reviewer-demo")
    reviewer.bio = "A demonstration reviewer profile, updated after a second review."
    reviewer.save_with_history(by=reviewer.user)

    json.dump(
        {
            "rereviewed": rereviewed.get_absolute_url(),
            "rereviewed_versions": rereviewed.versions.count(),
            "withdrawn": withdrawn_address,
            "image": default_storage.url(image),
        },
        sys.stdout,
    )
    """
)

# Run in a subprocess against each database: every public page through Django's test client, at one
# fixed moment (so a date on a page cannot differ), with the sitemap leading to every listed page.
PAGES = textwrap.dedent(
    """
    import datetime, hashlib, html, json, re, sys
    from unittest import mock

    import django

    django.setup()

    from django.conf import settings
    from django.test import Client, override_settings
    from django.test.utils import setup_test_environment

    request = json.load(sys.stdin)
    setup_test_environment()
    plain_static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # no collectstatic needed
    override_settings(STORAGES={**settings.STORAGES, "staticfiles": plain_static}).enable()
    mock.patch("django.utils.timezone.now", return_value=datetime.datetime.fromisoformat(request["now"])).start()

    client, pages, queue = Client(), {}, list(request["paths"])
    while queue:
        path = queue.pop(0)
        if path in pages:
            continue
        response = client.get(path)
        body = response.content
        pages[path] = {
            "status": response.status_code,
            "content_type": response.get("Content-Type", ""),
            "sha256": hashlib.sha256(body).hexdigest(),
            "text": body.decode("utf-8", "replace"),
        }
        if path.startswith("/sitemap") and response.status_code == 200:
            for address in re.findall(r"<loc>([^<]+)</loc>", pages[path]["text"]):
                address = html.unescape(address)
                assert address.startswith(settings.SITE_URL + "/"), address
                queue.append(address.removeprefix(settings.SITE_URL))
    json.dump(pages, sys.stdout)
    """
)


def database_url(name):
    settings = connection.settings_dict
    credentials = urllib.parse.quote(settings["USER"] or "", safe="")
    if settings["PASSWORD"]:
        credentials += ":" + urllib.parse.quote(settings["PASSWORD"], safe="")
    host = settings["HOST"] or "127.0.0.1"
    port = f":{settings['PORT']}" if settings["PORT"] else ""
    return f"postgres://{credentials}@{host}{port}/{name}"


def connect(name):
    return psycopg.connect(database_url(name), autocommit=True)


def create_database(name):
    with connect("postgres") as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(name):
    with connect("postgres") as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def site_environment(database, media_root, **extra):
    """Production-like settings, the same for both databases except where their data lives."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("SECURE_", "CSRF_"))}
    environment.update(
        DJANGO_SETTINGS_MODULE="condinfo.settings",
        DATABASE_URL=database_url(database),
        MEDIA_ROOT=str(media_root),
        DEBUG="0",
        SECRET_KEY="backup-restore-test-key-not-secret-0123456789-abcdefghij",
        ALLOWED_HOSTS="condinfo.example",
        SITE_URL=SITE_URL,
        PAGE_CACHE="0",  # every page drawn from the database it is pointed at
        REDIS_URL="",
        FRONTEND_CACHE_BACKEND="",
        SECURE_SSL_REDIRECT="0",
        PYTHONPATH=str(BASE_DIR),
        **extra,
    )
    return environment


def run(command, environment, *, stdin=None):
    result = subprocess.run(
        command, cwd=BASE_DIR, env=environment, input=stdin, capture_output=True, text=True, timeout=SECONDS
    )
    assert result.returncode == 0, f"{command[:3]} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def public_pages(database, media_root, paths, now):
    request = json.dumps({"paths": paths, "now": now.isoformat()})
    return json.loads(run([sys.executable, "-c", PAGES], site_environment(database, media_root), stdin=request))


def files(root):
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def row_counts_and_sequences(database):
    with connect(database) as db:
        tables = db.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1").fetchall()
        counts = {
            table: db.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))).fetchone()[0]
            for (table,) in tables
        }
        sequences = dict(db.execute("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'"))
    return counts, sequences


def record_triggers(database):
    with connect(database) as db:
        return set(
            db.execute(
                "SELECT tgrelid::regclass::text, tgname FROM pg_trigger "
                "WHERE NOT tgisinternal AND tgname LIKE 'condinfo%' AND tgenabled <> 'D'"
            )
        )


def refused_changes(database, table):
    """Try an UPDATE and a DELETE of every row of ``table``; return the errors the database answered with."""
    errors = []
    with connect(database) as db:
        for statement in ("UPDATE {} SET id = id", "DELETE FROM {}"):
            try:
                with db.transaction():
                    db.execute(sql.SQL(statement).format(sql.Identifier(table)))
            except psycopg.errors.RestrictViolation as error:
                errors.append(str(error))
    return errors


def first_difference(before, after):
    for path in sorted(before.keys() | after.keys()):
        old, new = before.get(path), after.get(path)
        if old is None or new is None:
            return f"{path} was served by only one database"
        if (old["status"], old["content_type"], old["sha256"]) != (new["status"], new["content_type"], new["sha256"]):
            diff = difflib.unified_diff(
                old["text"].splitlines(), new["text"].splitlines(), "source", "restored", lineterm="", n=1
            )
            return f"{path}: {old['status']} → {new['status']}\n" + "\n".join(list(diff)[:40])
    return None


@dataclass
class RoundTrip:
    source: str
    restored: str
    media: Path
    restored_media: Path
    built: dict  # what the build script made: addresses and the uploaded image's URL
    restore_output: str


@pytest.fixture(scope="module")
def round_trip(tmp_path_factory):
    """Build a site, back it up with deploy/backup.sh, restore it with deploy/restore.sh; drop both databases after."""
    if connection.vendor != "postgresql":
        pytest.skip("Backups are made with pg_dump: run with DATABASE_URL=postgres://…")
    require(
        all(shutil.which(program) for program in ("pg_dump", "pg_restore", "psql")),
        "The backup round trip needs PostgreSQL's client programs (pg_dump, pg_restore, psql)",
    )
    # Named after the test database (which pytest-xdist numbers per worker), never after a fixed name.
    prefix = connection.settings_dict["NAME"].removeprefix("test_")
    source, restored = f"{prefix}_backup_source", f"{prefix}_backup_restored"
    root = tmp_path_factory.mktemp("backup")
    media, restored_media, backup = root / "media", root / "restored-media", root / "backup"
    try:
        create_database(source)
        create_database(restored)  # empty, as an operator creates it with createdb
        built = json.loads(run([sys.executable, "-c", BUILD], site_environment(source, media)))
        assert built["rereviewed_versions"] == 2
        assert files(media), "the site has an uploaded image to back up"
        run(["bash", "deploy/backup.sh", str(backup)], site_environment(source, media))
        restore_output = run(
            ["bash", "deploy/restore.sh", str(backup)],
            site_environment(restored, restored_media, PYTHON=sys.executable),
        )
        yield RoundTrip(source, restored, media, restored_media, built, restore_output)
    finally:
        drop_database(source)
        drop_database(restored)


def test_a_restored_backup_serves_identical_public_pages_and_its_record_chain_verifies(round_trip):
    # restore.sh ends with verify_records: the chains verify, to the same heads as on the source.
    source_environment = site_environment(round_trip.source, round_trip.media)
    verified = run([sys.executable, "manage.py", "verify_records"], source_environment)
    assert re.search(r"^All [1-9]\d* record rows in \d+ tables verify\.$", verified, re.MULTILINE), verified
    assert round_trip.restore_output.endswith(verified), (
        f"restore.sh ended otherwise than verify_records on the source:\n{round_trip.restore_output}"
    )

    built, now = round_trip.built, datetime.datetime.now(datetime.UTC)
    paths = [
        "/",
        "/conditions/",
        "/conditions/letter/d/",
        "/conditions/letter/i/",
        "/conditions/inclusion-body-myositis/",  # its only explainer was withdrawn
        "/about/editorial-policy/",
        "/search/?q=myositis",
        "/feeds/reviewed/",
        "/robots.txt",
        "/sitemap.xml",  # leads to every listed condition, explainer and reviewer page
        built["withdrawn"],
    ]
    before = public_pages(round_trip.source, round_trip.media, paths, now)
    after = public_pages(round_trip.restored, round_trip.restored_media, paths, now)

    demo = "/conditions/dermatomyositis-and-polymyositis/what-causes-dermatomyositis-and-polymyositis/"
    for path in ["/", "/conditions/", "/conditions/dermatomyositis-and-polymyositis/", demo, built["rereviewed"]]:
        assert before.get(path, {}).get("status") == 200, f"{path} is not among the public pages served"
    assert any(path.startswith("/reviewers/") for path in before), "no reviewer page was served"
    assert any(path.startswith("/sitemap-explainers-") for path in before)
    rereviewed_page = before[built["rereviewed"]]["text"]
    assert "a flare is treated like the first episode" in rereviewed_page
    assert f'src="{built["image"]}"' in rereviewed_page
    assert "it does not diagnose" in before[demo]["text"]  # the site settings' disclaimer
    assert before[built["withdrawn"]]["status"] == 404
    listings = "".join(page["text"] for path, page in before.items() if path.startswith(("/sitemap", "/feeds/")))
    assert built["withdrawn"] not in listings
    assert (difference := first_difference(before, after)) is None, difference


def test_a_restored_backup_brings_back_every_uploaded_file_row_and_sequence(round_trip):
    assert files(round_trip.restored_media) == files(round_trip.media)
    assert (round_trip.restored_media / round_trip.built["image"].removeprefix("/media/")).is_file()
    # Equal sequences: the next review written to the restored database gets a new id, not a used one.
    restored_counts, restored_sequences = row_counts_and_sequences(round_trip.restored)
    source_counts, source_sequences = row_counts_and_sequences(round_trip.source)
    assert restored_counts == source_counts
    assert restored_sequences == source_sequences


def test_the_record_tables_of_a_restored_backup_still_refuse_changes(round_trip):
    triggers = record_triggers(round_trip.restored)
    assert triggers == record_triggers(round_trip.source)
    assert {table for table, _ in triggers} >= set(RECORD_TABLES)
    counts, _ = row_counts_and_sequences(round_trip.restored)
    for table in RECORD_TABLES:
        assert counts[table], f"{table} has no row for its triggers to refuse a change to"
        errors = refused_changes(round_trip.restored, table)
        assert len(errors) == 2 and all(RECORD_REFUSAL in error for error in errors), (table, errors)
