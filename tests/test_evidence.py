"""
The evidence pack (one explainer's job bag, as a ZIP from the admin or ``manage.py export_evidence``) and
the governance report (every explainer, as an admin page and CSV).
"""

import csv
import datetime
import hashlib
import io
import json
import re
import zipfile

import pytest
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertContains

from evidence import packs
from explainers.models import EventAction, ReviewKind
from reports.models import Report
from tests.factories import make_explainer, make_reviewer, make_user, publish, today_is

TEXT = (
    "Nobody knows exactly what causes it, but researchers think the immune system attacks the muscles "
    "and the skin by mistake in people whose genes make it more likely."
)
CHANGELIST = reverse("admin:explainers_explainer_changelist")
GOVERNANCE = reverse("evidence:governance")
GOVERNANCE_CSV = reverse("evidence:governance_csv")


def edit(explainer, text):
    section = explainer.sections.get()
    section.body = text
    section.save()
    explainer.record_edit(by=explainer.created_by)
    explainer.refresh_from_db()


@pytest.fixture
def explainer(db):
    """Two published versions, with a request for changes between them, and a resolved reader report."""
    explainer = make_explainer(question="What causes dermatomyositis?", sections=[TEXT], sources=["Smith 2020"])
    first_reviewer = make_reviewer(display_name="Dr Amina Okafor", credentials="MD, rheumatologist")
    publish(explainer, reviewer=first_reviewer)
    report = Report.objects.create(
        explainer=explainer,
        version=explainer.published_version,
        kind="out_of_date",
        description="Sunlight is missing.",
        email="reader@example.org",
    )
    report.resolve(by=make_user("Publishers"), note="Added in version 3.")

    edit(explainer, TEXT + " Sunlight sets it off.")
    second = explainer.submit_for_review(by=explainer.created_by, change_summary="Added sunlight.")
    explainer.request_changes(by=first_reviewer.user, version=second, comments="Say how sunlight matters.")
    edit(explainer, TEXT + " Sunlight can set off a flare.")
    third = explainer.submit_for_review(by=explainer.created_by, change_summary="Added sunlight.")
    explainer.approve(by=make_reviewer(display_name="Dr Second Look").user, version=third, kind=ReviewKind.MINOR)
    explainer.publish(by=make_user("Publishers"), version=third)
    explainer.refresh_from_db()
    return explainer


def unzip(data):
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def test_the_manifest_lists_every_file_with_its_sha256(explainer):
    files = unzip(packs.build(explainer))
    manifest = files.pop(packs.MANIFEST).decode()
    listed = {}
    for line in manifest.splitlines():
        digest, name = line.split("  ", 1)
        listed[name] = digest
    assert set(listed) == set(files)
    for name, content in files.items():
        assert hashlib.sha256(content).hexdigest() == listed[name], name


def test_every_version_its_html_and_the_diffs_between_them_are_in_the_pack(explainer):
    files = unzip(packs.build(explainer))
    versions = list(explainer.versions.order_by("number"))
    assert len(versions) == 3
    for version in versions:
        data = json.loads(files[f"versions/v{version.number:03d}.json"])
        assert data["content_hash"] == version.content_hash
        assert data["record_hash"] == version.record_hash and data["previous_hash"] == version.previous_hash
        assert data["hashed_content"] == version.hashed_content()
        assert data["content"]["sources"][0]["citation"] == "Smith 2020"  # sources as cited
        assert version.question in files[f"versions/v{version.number:03d}.html"].decode()
    assert "<del>sets it off</del> <ins>can set off a flare</ins>" in files["diffs/v002-v003.html"].decode()
    assert "diffs/v001-v002.html" in files


def test_every_review_is_in_the_pack_as_recorded(explainer):
    files = unzip(packs.build(explainer))
    reviews = json.loads(files["reviews.json"])
    recorded = list(explainer.reviews.order_by("pk"))
    assert [r["id"] for r in reviews] == [r.pk for r in recorded]
    for data, review in zip(reviews, recorded, strict=True):
        assert data["reviewer_name"] == review.reviewer_name
        assert data["reviewer_credentials"] == review.reviewer_credentials
        assert data["reviewer_registration"] == review.reviewer_registration != ""
        assert data["reviewer_interests"] == review.reviewer_interests != ""  # declared interests as recorded
        assert data["kind"] == review.kind
        assert data["record_hash"] == review.record_hash
    assert [r["kind"] for r in reviews] == [ReviewKind.FULL, ReviewKind.CHANGES_REQUESTED, ReviewKind.MINOR]
    events = json.loads(files["events.json"])
    assert [e["id"] for e in events] == list(explainer.events.order_by("pk").values_list("pk", flat=True))
    assert all(e["record_hash"] for e in events)


def test_reader_reports_come_with_their_resolution_but_without_the_readers_address(explainer):
    files = unzip(packs.build(explainer))
    [report] = json.loads(files["reports.json"])
    assert report["status"] == "resolved"
    assert report["resolution_note"] == "Added in version 3."
    assert [event["step"] for event in report["events"]] == ["resolve"]
    assert b"reader@example.org" not in b"".join(files.values())


def test_a_re_export_of_an_unchanged_explainer_is_byte_identical_apart_from_the_export_time(explainer):
    first = packs.build(explainer, now=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))
    again = packs.build(explainer, now=datetime.datetime(2026, 6, 1, tzinfo=datetime.UTC))
    assert packs.build(explainer, now=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)) == first
    old, new = unzip(first), unzip(again)
    assert list(old) == list(new)  # same entries, in the same order
    assert old[packs.EXPORT] != new[packs.EXPORT]
    for name in old:
        if name == packs.MANIFEST:
            differing = set(old[name].decode().splitlines()) ^ set(new[name].decode().splitlines())
            assert {line.split("  ")[1] for line in differing} == {packs.EXPORT}
        elif name != packs.EXPORT:
            assert old[name] == new[name], name
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {info.date_time for info in archive.infolist()} == {packs.ZIP_TIMESTAMP}


def test_the_summary_names_every_decision_in_order(explainer):
    summary = unzip(packs.build(explainer))["summary.html"].decode()
    rows = re.findall(r'<tr class="decision">(.*?)</tr>', summary, flags=re.S)
    decisions = list(explainer.events.exclude(action=EventAction.EDITED).order_by("pk"))
    assert len(rows) == len(decisions) == 8
    for row, event in zip(rows, decisions, strict=True):
        assert event.get_action_display() in row
        assert event.record_hash in row
    # submitted, approved, published; submitted, changes requested; submitted, approved (minor), published
    assert "Changes requested" in rows[4] and "Dr Amina Okafor" in rows[4] and "Say how sunlight matters." in rows[4]
    assert "Minor change" in rows[6] and "Dr Second Look" in rows[6]
    assert "@media print" in summary


def test_export_evidence_writes_the_pack_by_id_or_by_address(explainer, tmp_path, client):
    call_command("export_evidence", str(explainer.pk), "--out", str(tmp_path / "by-id"))
    by_id = (tmp_path / "by-id" / packs.filename(explainer)).read_bytes()
    call_command("export_evidence", f"https://condinfo.example{explainer.get_absolute_url()}", "--out", str(tmp_path))
    by_url = (tmp_path / packs.filename(explainer)).read_bytes()
    first, second = unzip(by_id), unzip(by_url)
    assert first.keys() == second.keys()
    assert first["summary.html"] == second["summary.html"]
    with pytest.raises(CommandError, match="No explainer has the id"):
        call_command("export_evidence", "999999", "--out", str(tmp_path))
    with pytest.raises(CommandError, match="not the address of an explainer"):
        call_command("export_evidence", "/about/editorial-policy/", "--out", str(tmp_path))


# -- the admin -----------------------------------------------------------------


def action(client, *explainers):
    return client.post(CHANGELIST, {"action": "download_evidence_pack", "_selected_action": [e.pk for e in explainers]})


def test_the_admin_action_downloads_the_pack_of_one_selected_explainer(explainer, client):
    client.force_login(make_user("Authors"))
    response = action(client, explainer)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert packs.filename(explainer) in response["Content-Disposition"]
    assert "summary.html" in unzip(response.content)


def test_the_admin_action_asks_for_one_explainer_when_several_are_selected(explainer, client):
    client.force_login(make_user("Publishers"))
    response = action(client, explainer, make_explainer())
    assert response.status_code == 302
    assertContains(client.get(response.url), "Select one explainer: an evidence pack covers one page.")


def test_the_explainer_list_offers_no_bulk_delete(explainer, superuser, client):
    client.force_login(superuser)
    response = client.get(CHANGELIST)
    assertContains(response, "Download the evidence pack (ZIP)")
    assert "delete_selected" not in response.content.decode()


# -- the governance report -------------------------------------------------------


def governance_rows(client):
    response = client.get(GOVERNANCE_CSV)
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_the_governance_csv_lists_every_explainer_with_its_review_dates_flags_and_open_reports(explainer, client):
    with today_is(datetime.date(2020, 1, 10)):
        overdue = make_explainer(question="Is it catching?")
        publish(overdue)
    draft = make_explainer(question="Is it inherited?")
    Report.objects.create(explainer=explainer, version=explainer.published_version, kind="other", description="?")
    client.force_login(make_user("Authors"))
    header, *rows = governance_rows(client)
    assert header[:4] == ["id", "question", "condition", "status"]
    by_question = {row[1]: dict(zip(header, row, strict=True)) for row in rows}
    assert set(by_question) == {"What causes dermatomyositis?", "Is it catching?", "Is it inherited?"}
    current = by_question["What causes dermatomyositis?"]
    assert current["public"] == "yes"
    assert current["last full review"] == explainer.public_review.reviewed_on.isoformat()
    assert current["reviewed by"] == "Dr Amina Okafor"
    assert current["next review due"] == explainer.next_review_due.isoformat()
    assert current["overdue"] == "no"
    assert current["open reader reports"] == "1"  # the resolved one is closed
    assert by_question["Is it catching?"]["overdue"] == "yes"
    assert by_question["Is it catching?"]["last full review"] == "2020-01-10"
    assert by_question["Is it inherited?"] == {**by_question["Is it inherited?"], "public": "no", "status": "Draft"}
    assert int(by_question["Is it inherited?"]["id"]) == draft.pk


def test_the_governance_report_costs_the_same_queries_whatever_the_size_of_the_library(explainer, client):
    client.force_login(make_user("Publishers"))

    def queries(url):
        with CaptureQueriesContext(connection) as context:
            response = client.get(url)
            if url == GOVERNANCE_CSV:
                b"".join(response.streaming_content)
        return len(context)

    before = (queries(GOVERNANCE), queries(GOVERNANCE_CSV))
    for n in range(5):
        other = make_explainer(question=f"Question {n}?")
        publish(other)
        Report.objects.create(explainer=other, version=other.published_version, kind="other", description="?")
    assert (queries(GOVERNANCE), queries(GOVERNANCE_CSV)) == before
    assert max(before) <= 15  # the admin's own (session, user, permissions, transaction) and the report's


def test_the_governance_page_shows_every_explainer(explainer, client):
    client.force_login(make_user("Medical reviewers"))
    response = client.get(GOVERNANCE)
    assertContains(response, "Governance report")
    assertContains(response, "What causes dermatomyositis?")
    assertContains(response, f'href="{GOVERNANCE_CSV}"')


def test_the_governance_report_and_the_action_need_view_permission_on_explainers(explainer, client):
    assert client.get(GOVERNANCE).status_code == 302  # to the sign-in page
    assert client.get(GOVERNANCE_CSV).status_code == 302
    staff = make_user()  # staff, in no role
    client.force_login(staff)
    assert client.get(GOVERNANCE).status_code == 403
    assert client.get(GOVERNANCE_CSV).status_code == 403
    assert action(client, explainer).status_code == 403
    staff.user_permissions.add(Permission.objects.get(codename="view_explainer"))
    staff = type(staff).objects.get(pk=staff.pk)  # a fresh permission cache
    client.force_login(staff)
    assert client.get(GOVERNANCE).status_code == 200
    assert action(client, explainer)["Content-Type"] == "application/zip"


def test_a_governance_page_past_the_last_is_not_found(explainer, client):
    client.force_login(make_user("Publishers"))
    assert client.get(GOVERNANCE + "?page=99").status_code == 404
    assert client.get(GOVERNANCE + "?page=x").status_code == 404


def test_the_pack_and_the_governance_report_carry_the_owner_source_flags_and_broken_links(explainer, client):
    from django.utils import timezone

    from explainers.models import LinkCheck, Reference

    cited = Reference.objects.get(citation="Smith 2020")
    cited.mark_superseded(
        by=make_user("Publishers"), replacement=Reference.objects.create(citation="Smith 2026"), note="New trial."
    )
    LinkCheck.objects.create(
        explainer=explainer,
        url="https://example.org/gone",
        result="broken",
        detail="404 Not Found",
        checked_at=timezone.now(),
    )
    explainer.refresh_from_db()

    files = unzip(packs.build(explainer))

    facts = json.loads(files["explainer.json"])
    assert facts["owner"] == explainer.owner.username and facts["flagged_since"] == explainer.flagged_since.isoformat()
    [flag] = json.loads(files["source-flags.json"])
    assert (flag["reference"]["citation"], flag["superseded_by"]["citation"], flag["note"]) == (
        "Smith 2020",
        "Smith 2026",
        "New trial.",
    )
    assert flag["cleared_at"] is None
    [link] = json.loads(files["link-checks.json"])
    assert (link["url"], link["result"], link["detail"]) == ("https://example.org/gone", "broken", "404 Not Found")
    summary = files["summary.html"].decode()
    assert "Flagged for re-review since" in summary and "New trial." in summary and "404 Not Found" in summary

    client.force_login(make_user("Authors"))
    header, *rows = governance_rows(client)
    [row] = [dict(zip(header, row, strict=True)) for row in rows]
    assert row["owner"] == explainer.owner.username
    assert row["flagged for re-review since"] == explainer.flagged_since.isoformat()
    assert row["broken links"] == "1"
    assert row["reading age"] == str(explainer.published_version.readability.figures["whole"]["reading_age"])
    assert json.loads(files[f"versions/{packs.version_name(explainer.published_version)}.json"])["readability"][
        "whole"
    ]["reading_age"] == int(row["reading age"])
