"""
Walk the hash chain of every record table and say whether the record is as it was written.

Each record row stores a SHA-256 over its own content and the previous row's hash. A row
changed or removed behind the database triggers' back (by someone who switched them off)
no longer matches, and this command exits non-zero naming the first such row of each table.
It prints each chain's head too: kept from one night to the next (cron mails it), they show
that no one rewrote a whole chain in between. Run nightly, and after restoring a backup.
"""

from django.core.management.base import BaseCommand, CommandError

from explainers.models import CHAINED_RECORDS, ExplainerVersion
from explainers.models.records import GENESIS, chain_hash


def first_broken_row(model):
    """Return (rows checked, a sentence about the first row that does not match, or None)."""
    rows = model._base_manager.order_by("pk")
    if model is ExplainerVersion:
        rows = rows.prefetch_related("contributors")
    previous, checked = GENESIS, 0
    label = model._meta.verbose_name
    for row in rows.iterator(chunk_size=1000):
        if row.previous_hash != previous:
            return checked, (
                f"{label} #{row.pk}: the row written before it is missing or was changed "
                "(its “previous hash” no longer matches)."
            )
        if chain_hash(previous, row.chain_payload()) != row.record_hash:
            return (
                checked,
                f"{label} #{row.pk} was changed after it was written (its content no longer matches its hash).",
            )
        previous, checked = row.record_hash, checked + 1
    return checked, None


class Command(BaseCommand):
    help = "Verify the hash chains of the review record; exit non-zero naming the first row that does not match."

    def handle(self, *args, **options):
        problems, total = [], 0
        for model in CHAINED_RECORDS:
            checked, problem = first_broken_row(model)
            total += checked
            head = model._base_manager.order_by("-pk").values_list("record_hash", flat=True).first() or "empty"
            if problem:
                problems.append(problem)
                self.stderr.write(self.style.ERROR(problem))
            elif options["verbosity"] > 0:
                self.stdout.write(f"{model._meta.verbose_name_plural}: {checked} rows verify; head {head}")
        if problems:
            raise CommandError(f"The record does not verify: {len(problems)} table(s) have rows that were changed.")
        self.stdout.write(self.style.SUCCESS(f"All {total} record rows in {len(CHAINED_RECORDS)} tables verify."))
