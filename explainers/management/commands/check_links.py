"""
Check every reference's address and every link in published sections, and record what was found.

Run it from cron (daily or weekly), never in a request: it fetches each address once per run with
HEAD (GET when a server refuses HEAD), at most --workers at a time, waiting at most --timeout
seconds per request. Results go on each reference and, for each published page, into its link
checks, which owners see in the admin under "Link checks" (filter: broken, mine).
"""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from explainers.linkcheck import TIMEOUT, WORKERS, check_all, links_in
from explainers.models import Explainer, LinkCheck, LinkResult, Reference


class Command(BaseCommand):
    help = "Check the addresses of all references and the links in published sections; record the results."

    def add_arguments(self, parser):
        parser.add_argument("--timeout", type=float, default=TIMEOUT, help="Seconds to wait for each request.")
        parser.add_argument("--workers", type=int, default=WORKERS, help="Requests at a time.")

    def handle(self, *args, timeout, workers, **options):
        references = list(Reference.objects.exclude(url="").only("pk", "url"))
        pages = {}  # explainer pk → [(url, reference pk or None)]
        published = (
            Explainer.objects.published()
            .select_related("published_version")
            .prefetch_related("published_version__citations__reference")
        )
        for explainer in published.iterator(chunk_size=500):
            version = explainer.published_version
            links = [(c.reference.url, c.reference_id) for c in version.citations.all() if c.reference.url]
            for section in version.sections:
                links += [(url, None) for url in links_in(section.get("html", ""))]
            unique = {}
            for url, reference_id in links:
                unique.setdefault(url, reference_id)  # a source's address stays tied to the source
            pages[explainer.pk] = list(unique.items())
        urls = [reference.url for reference in references] + [url for links in pages.values() for url, _ in links]
        found = check_all(urls, timeout=timeout, workers=workers)
        now = timezone.now()
        with transaction.atomic():
            for reference in references:
                checked = found[reference.url]
                Reference.objects.filter(pk=reference.pk).update(
                    link_result=checked.result, link_detail=checked.detail[:500], link_checked_at=now
                )
            LinkCheck.objects.all().delete()  # this run's findings replace the last run's
            LinkCheck.objects.bulk_create(
                [
                    LinkCheck(
                        explainer_id=pk,
                        url=url,
                        reference_id=reference_id,
                        result=found[url].result,
                        detail=found[url].detail[:500],
                        checked_at=now,
                    )
                    for pk, links in pages.items()
                    for url, reference_id in links
                ],
                batch_size=1000,
            )
        counts = {result: sum(1 for c in found.values() if c.result == result) for result in LinkResult.values}
        self.stdout.write(
            f"Checked {len(found)} addresses on {len(pages)} published pages and {len(references)} references: "
            f"{counts[LinkResult.OK]} working, {counts[LinkResult.REDIRECTED]} redirecting, "
            f"{counts[LinkResult.BROKEN]} broken."
        )
