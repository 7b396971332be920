"""
Move every source into the registry without losing one.

Each explainer's sources (working copy) and each frozen version's citations become references,
merging duplicates by DOI, then PubMed ID, then address (sources with none of the three merge
only when their citation text is the same). Working copies are done first, so a shared
reference reads as the newest text; frozen versions keep the citations they froze, and each
gets its list of references in the same order (VersionCitation).
"""

import re

from django.db import migrations

DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)


class Registry:
    def __init__(self, Reference):
        self.Reference = Reference
        self.by_doi, self.by_pmid, self.by_url, self.by_citation = {}, {}, {}, {}

    @staticmethod
    def identifiers(source):
        doi = DOI_PREFIX.sub("", (source.get("doi") or "").strip()).lower()
        pmid = (source.get("pmid") or "").strip()
        url = (source.get("url") or "").strip()
        return doi, pmid, url

    def reference_for(self, source):
        doi, pmid, url = self.identifiers(source)
        citation = " ".join((source.get("citation") or "").split())
        reference = (
            (doi and self.by_doi.get(doi))
            or (pmid and self.by_pmid.get(pmid))
            or (url and self.by_url.get(url.rstrip("/")))
            or (not (doi or pmid or url) and self.by_citation.get(citation.casefold()))
            or None
        )
        if reference is None:
            reference = self.Reference.objects.create(citation=citation[:500], url=url, pmid=pmid, doi=doi)
        else:  # fill in what the first sighting lacked, never overwriting it
            changed = []
            if doi and not reference.doi and doi not in self.by_doi:
                reference.doi = doi
                changed.append("doi")
            if pmid and not reference.pmid and pmid not in self.by_pmid:
                reference.pmid = pmid
                changed.append("pmid")
            if url and not reference.url:
                reference.url = url
                changed.append("url")
            if changed:
                reference.save(update_fields=changed)
        for index, value in (
            (self.by_doi, reference.doi),
            (self.by_pmid, reference.pmid),
            (self.by_url, reference.url.rstrip("/")),
        ):
            if value:
                index.setdefault(value, reference)
        if not (reference.doi or reference.pmid or reference.url):
            self.by_citation.setdefault(reference.citation.casefold(), reference)
        return reference


def forwards(apps, schema_editor):
    Source = apps.get_model("explainers", "Source")
    Version = apps.get_model("explainers", "ExplainerVersion")
    VersionCitation = apps.get_model("explainers", "VersionCitation")
    registry = Registry(apps.get_model("explainers", "Reference"))

    for source in Source.objects.order_by("pk").iterator(chunk_size=2000):
        source.reference = registry.reference_for(
            {"citation": source.citation, "url": source.url, "pmid": source.pmid, "doi": source.doi}
        )
        source.save(update_fields=["reference"])

    citations = []
    for version in Version.objects.order_by("pk").only("pk", "content").iterator(chunk_size=2000):
        for position, cited in enumerate(version.content.get("sources", [])):
            citations.append(
                VersionCitation(version_id=version.pk, reference=registry.reference_for(cited), position=position)
            )
        if len(citations) >= 5000:
            VersionCitation.objects.bulk_create(citations)
            citations = []
    VersionCitation.objects.bulk_create(citations)


def backwards(apps, schema_editor):
    Source = apps.get_model("explainers", "Source")
    for source in Source.objects.select_related("reference").iterator(chunk_size=2000):
        reference = source.reference
        source.citation, source.url, source.pmid, source.doi = (
            reference.citation,
            reference.url,
            reference.pmid,
            reference.doi,
        )
        source.save(update_fields=["citation", "url", "pmid", "doi"])
    apps.get_model("explainers", "VersionCitation").objects.all().delete()
    Source.objects.update(reference=None)
    apps.get_model("explainers", "Reference").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("explainers", "0025_source_registry")]

    operations = [migrations.RunPython(forwards, backwards)]
