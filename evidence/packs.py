"""
The evidence pack: everything behind one explainer, as a ZIP an assessor can check and keep.

Every version (JSON and its rendered HTML), the word-level diff between consecutive versions, every
review as recorded, the full history, reader reports with their triage, the record-chain hashes of
every record row included, ``summary.html`` (the job bag, read first) and ``MANIFEST.sha256``.

The pack is deterministic: entries are written in a fixed order with a fixed timestamp, so a
re-export of an unchanged explainer is byte-identical except for ``export.json`` (the one file that
says when and by whom it was exported) and its line in the manifest. Reporters' e-mail addresses
are left out: they are kept only to reply, and erased after a while.
"""

import datetime
import hashlib
import io
import json
import zipfile

from django.template.loader import render_to_string
from django.utils import timezone

from explainers.diffing import diff_versions
from explainers.models import EventAction, Explainer, ExplainerEvent, ExplainerVersion, Review, ReviewKind
from reports.models import Report

ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)  # the earliest a ZIP can say: the pack's bytes never depend on the clock
MANIFEST = "MANIFEST.sha256"
EXPORT = "export.json"
# History lines that are decisions (the job bag lists them); edits are in the full history.
DECISIONS = [action for action in EventAction if action != EventAction.EDITED]


def _encode(value):
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} cannot be written to an evidence pack")


def as_json(data):
    return (json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, default=_encode) + "\n").encode()


def person(user):
    if user is None:
        return "the site"
    return user.get_full_name() or user.username


def recorded(row):
    """Return a record row's fields as the chain covers them, with its chain hashes."""
    fields = {name: getattr(row, name) for name in (*row.CHAIN_FIELDS, *row.CHAIN_FIELDS_WHEN_SET)}
    return {"id": row.pk, **fields, "previous_hash": row.previous_hash, "record_hash": row.record_hash}


def version_name(version):
    return f"v{version.number:03d}"


class Pack:
    """The records behind one explainer, read once, and the files made from them."""

    def __init__(self, explainer):
        self.explainer = explainer
        self.versions = list(
            ExplainerVersion.objects.filter(explainer=explainer)
            .select_related("condition", "created_by", "readability")
            .prefetch_related("contributors")
            .order_by("number")
        )
        self.reviews = list(
            Review.objects.filter(explainer=explainer).select_related("version", "reviewer").order_by("pk")
        )
        self.events = list(
            ExplainerEvent.objects.filter(explainer=explainer).select_related("actor", "version").order_by("pk")
        )
        self.flags = list(
            explainer.review_flags.select_related("reference", "reference__superseded_by", "raised_by").order_by("pk")
        )
        self.link_checks = list(explainer.link_checks.order_by("url"))
        self.reports = list(
            Report.objects.filter(explainer=explainer)
            .select_related("version")
            .prefetch_related("events__actor")
            .order_by("pk")
        )

    # -- the files ---------------------------------------------------------

    def files(self):
        """Return {name: bytes} for every file but the manifest and export.json."""
        files = {"explainer.json": as_json(self.explainer_facts())}
        previous = None
        for version in self.versions:
            name = version_name(version)
            files[f"versions/{name}.json"] = as_json(self.version_data(version))
            files[f"versions/{name}.html"] = render_to_string(
                "evidence/version.html", {"explainer": self.explainer, "version": version}
            ).encode()
            if previous is not None:
                files[f"diffs/{version_name(previous)}-{name}.html"] = render_to_string(
                    "evidence/diff.html",
                    {"old": previous, "new": version, "diff": diff_versions(previous, version)},
                ).encode()
            previous = version
        files["reviews.json"] = as_json([self.review_data(review) for review in self.reviews])
        files["events.json"] = as_json([self.event_data(event) for event in self.events])
        files["reports.json"] = as_json([self.report_data(report) for report in self.reports])
        files["source-flags.json"] = as_json([self.flag_data(flag) for flag in self.flags])
        files["link-checks.json"] = as_json(
            [
                {"url": c.url, "result": c.result, "detail": c.detail, "checked_at": c.checked_at}
                for c in self.link_checks
            ]
        )
        files["summary.html"] = render_to_string("evidence/summary.html", self.summary_context()).encode()
        return files

    def explainer_facts(self):
        e = self.explainer
        return {
            "id": e.pk,
            "question": e.question,
            "condition": e.condition.slug,
            "slug": e.slug,
            "status": e.status,
            "published_version": e.published_version.number if e.published_version else None,
            "public_review_id": e.public_review_id,
            "published_review_id": e.published_review_id,
            "first_published_on": e.first_published_on,
            "last_updated": e.last_updated,
            "next_review_due": e.next_review_due,
            "review_interval_months": e.review_interval_months,
            "owner": person(e.owner) if e.owner else None,
            "flagged_since": e.flagged_since,
        }

    def flag_data(self, flag):
        reference = flag.reference
        return {
            "id": flag.pk,
            "reference": {"id": reference.pk, **reference.as_cited(), "status": reference.status},
            "superseded_by": reference.superseded_by.as_cited() if reference.superseded_by_id else None,
            "note": reference.status_note,
            "reason": flag.reason,
            "raised_at": flag.raised_at,
            "raised_by": person(flag.raised_by),
            "cleared_at": flag.cleared_at,
            "cleared_by_review_id": flag.cleared_by_id,
        }

    def version_data(self, version):
        return {
            **recorded(version),
            "contributors": sorted(person(user) for user in version.contributors.all()),
            "created_by": person(version.created_by),
            "hashed_content": version.hashed_content(),
            "readability": version.readability.figures if hasattr(version, "readability") else None,
        }

    def review_data(self, review):
        return {**recorded(review), "version_number": review.version.number}

    def event_data(self, event):
        return {
            **recorded(event),
            "actor": person(event.actor),
            "version_number": event.version.number if event.version else None,
        }

    def report_data(self, report):
        return {
            "id": report.pk,
            "version_number": report.version.number,
            "section": report.section_label,
            "kind": report.kind,
            "description": report.description,
            "status": report.status,
            "resolution_note": report.resolution_note,
            "created_at": report.created_at,
            "closed_at": report.closed_at,
            "contact_given": bool(report.email) or report.contact_erased_at is not None,
            "events": [
                {
                    "step": event.step,
                    "actor": person(event.actor),
                    "from_status": event.from_status,
                    "to_status": event.to_status,
                    "note": event.note,
                    "at": event.created_at,
                }
                for event in sorted(report.events.all(), key=lambda event: event.pk)
            ],
        }

    def decisions(self):
        """Return every decision in order, each with the review it recorded (for approvals and requests)."""
        unused = list(self.reviews)
        rows = []
        for event in self.events:
            if event.action not in DECISIONS:
                continue
            review = None
            if event.action in (EventAction.APPROVED, EventAction.CHANGES_REQUESTED):
                review = next((r for r in unused if r.version_id == event.version_id), None)
                if review is not None:
                    unused.remove(review)
            rows.append({"event": event, "review": review})
        return rows

    def summary_context(self):
        return {
            "explainer": self.explainer,
            "versions": self.versions,
            "reviews": self.reviews,
            "decisions": self.decisions(),
            "reports": self.reports,
            "flags": self.flags,
            "link_checks": self.link_checks,
            "approval_kinds": ReviewKind.approvals(),
            "latest": self.versions[-1] if self.versions else None,
        }


def build(explainer, *, by=None, now=None):
    """Return the evidence pack of ``explainer`` as ZIP bytes."""
    files = Pack(explainer).files()
    files[EXPORT] = as_json(
        {"explainer_id": explainer.pk, "exported_at": now or timezone.now(), "exported_by": person(by) if by else ""}
    )
    names = sorted(files)
    manifest = "".join(f"{hashlib.sha256(files[name]).hexdigest()}  {name}\n" for name in names).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in [*names, MANIFEST]:
            info = zipfile.ZipInfo(name, date_time=ZIP_TIMESTAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, manifest if name == MANIFEST else files[name])
    return buffer.getvalue()


def filename(explainer):
    return f"condinfo-evidence-{explainer.pk}.zip"


def explainers_for_export():
    return Explainer.objects.select_related("condition", "published_version")
