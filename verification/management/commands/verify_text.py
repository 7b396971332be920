"""
Check a saved copy of a page's approved content, offline, against the published approvals.

The copy is the canonical form ``/verify/<hash>/content.json`` offers (``ExplainerVersion.hashed_content()``
as JSON; spacing and key order do not matter). Its hash is recomputed with the same ``content_hash()``
the record uses, then looked up: the command prints which published approval it matches, or exits
non-zero saying that it matches none.
"""

import json
import urllib.request
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ... import publications
from ...views import describe

FETCH_TIMEOUT = 30  # seconds
MAX_BYTES = 10 * 1024 * 1024  # far above the site's largest explainer (200,000 characters of text)


def read(source):
    """Return the bytes of a local file or of an http(s) address."""
    if source.startswith(("http://", "https://")):
        request = urllib.request.Request(source, headers={"Accept": "application/json"})  # noqa: S310 - scheme checked
        try:
            with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT) as response:  # noqa: S310 - scheme checked
                return response.read(MAX_BYTES + 1)
        except OSError as error:
            raise CommandError(f"Could not fetch {source}: {error}") from error
    path = Path(source)
    if not path.is_file():
        raise CommandError(f"No file at {source}.")
    return path.read_bytes()


class Command(BaseCommand):
    help = "Recompute the content hash of a saved copy of a page's content and say which published approval it matches."

    def add_arguments(self, parser):
        parser.add_argument("source", metavar="FILE_OR_URL", help="A content.json file, or its http(s) address.")

    def handle(self, *args, source, **options):
        raw = read(source)
        if len(raw) > MAX_BYTES:
            raise CommandError(f"{source} is larger than {MAX_BYTES} bytes: it is not a page's content.")
        try:
            data = json.loads(raw)
        except ValueError as error:
            raise CommandError(f"{source} is not JSON in the canonical form: {error}") from error
        if not isinstance(data, dict):
            raise CommandError(f"{source} is not a page's content in the canonical form (a JSON object).")
        computed = publications.hash_of(data)
        found = publications.find(computed)
        if found is None:
            raise CommandError(
                f"Content hash {computed} matches no published approval: this text is not what a medical "
                "reviewer approved and condinfo published."
            )
        facts = describe(found)
        approval = facts["approval"]
        self.stdout.write(self.style.SUCCESS(f"Content hash {computed} matches a published approval."))
        self.stdout.write(f"Page: “{facts['explainer']['question']}”, version {facts['explainer']['version']}")
        if approval:
            self.stdout.write(
                f"Approved by: {approval['reviewer_name']}, {approval['reviewer_credentials']} "
                f"({approval['kind_label']}, {approval['reviewed_on']})"
            )
        self.stdout.write(f"Published: {facts['explainer']['published_at']}")
        self.stdout.write(f"Status: {facts['standing_label']}")
        if facts["superseded_at"]:
            self.stdout.write(f"Superseded: {facts['superseded_at']} by version {facts['superseded_by_version']}")
        if facts["withdrawn_at"]:
            self.stdout.write(f"Withdrawn: {facts['withdrawn_at']}")
