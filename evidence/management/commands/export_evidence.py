"""
Write the evidence pack of one explainer (``evidence.packs``) to a ZIP file.

The explainer is given by its id, or by an address it is or was published at (a full URL or a path):
``manage.py export_evidence 42`` or ``manage.py export_evidence https://condinfo.example/conditions/x/y/``.
"""

from pathlib import Path
from urllib.parse import urlparse

from django.core.management.base import BaseCommand, CommandError
from django.urls import Resolver404, resolve

from explainers.models import EventAction, Explainer, ExplainerEvent

from ... import packs


def find_explainer(reference):
    """Return the explainer an id or a public address names; CommandError when none does."""
    if reference.isdigit():
        explainer = Explainer.objects.filter(pk=int(reference)).first()
        if explainer is None:
            raise CommandError(f"No explainer has the id {reference}.")
        return explainer
    path = urlparse(reference).path or "/"
    try:
        match = resolve(path if path.endswith("/") else f"{path}/")
    except Resolver404 as error:
        raise CommandError(f"{reference} is not the address of an explainer.") from error
    if match.view_name not in ("explainers:explainer", "explainers:explainer_history"):
        raise CommandError(f"{reference} is not the address of an explainer.")
    condition, slug = match.kwargs["condition_slug"], match.kwargs["slug"]
    explainer = Explainer.objects.filter(
        published_version__condition__slug=condition, published_version__slug=slug
    ).first()
    if explainer is None:  # an address it was published at before, or it has been withdrawn since
        event = (
            ExplainerEvent.objects.filter(
                action=EventAction.PUBLISHED, version__condition__slug=condition, version__slug=slug
            )
            .select_related("explainer")
            .order_by("-pk")
            .first()
        )
        explainer = event.explainer if event else None
    if explainer is None:
        raise CommandError(f"No explainer has been published at {reference}.")
    return explainer


class Command(BaseCommand):
    help = "Write the evidence pack (ZIP) of an explainer, given by id or by its public address."

    def add_arguments(self, parser):
        parser.add_argument("explainer", help="The explainer's id, or an address it is or was published at.")
        parser.add_argument("--out", default=".", help="The folder to write the ZIP to (default: here).")

    def handle(self, *args, explainer, out, **options):
        found = find_explainer(explainer)
        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / packs.filename(found)
        target.write_bytes(packs.build(found))
        self.stdout.write(self.style.SUCCESS(f"Wrote the evidence pack of “{found}” to {target}"))
