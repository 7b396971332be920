"""Migration 0026 moves every source into the registry: no citation lost, order kept, duplicates merged."""

import itertools

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("explainers", "0025_source_registry")]
AFTER = [("explainers", "0027_registry_only")]
_hashes = itertools.count(1)


def migrate_to(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def old_schema(transactional_db):
    apps = migrate_to(BEFORE)
    yield apps
    call_command("migrate", verbosity=0)  # the latest schema again, for the tests that follow


def make_explainer(apps, slug, sources):
    """An explainer (old schema) with working-copy sources, and one frozen version citing ``sources`` in order."""
    Condition = apps.get_model("explainers", "Condition")
    Explainer = apps.get_model("explainers", "Explainer")
    Version = apps.get_model("explainers", "ExplainerVersion")
    User = apps.get_model("auth", "User")
    user, _ = User.objects.get_or_create(username="author")
    condition, _ = Condition.objects.get_or_create(slug="myositis", defaults={"name": "Myositis"})
    explainer = Explainer.objects.create(condition=condition, question=slug, slug=slug, tldr="Short.")
    for position, source in enumerate(sources):
        explainer.sources.create(position=position, **source)
    for number, cited in enumerate([sources[::-1], sources], start=1):  # version 1 cited them in reverse
        Version.objects.create(
            explainer=explainer,
            number=number,
            condition=condition,
            slug=slug,
            question=slug,
            tldr="Short.",
            content={"sections": [], "sources": cited},
            content_hash=f"{next(_hashes):064x}",
            previous_hash="0" * 64,
            record_hash=f"{next(_hashes):064x}",
            created_by=user,
        )
    return explainer.pk


def source(citation, url="", pmid="", doi=""):
    return {"citation": citation, "url": url, "pmid": pmid, "doi": doi}


def test_every_citation_and_its_order_survive_on_every_frozen_version_with_duplicates_merged(old_schema):
    paper = source("Okafor A. Myositis causes. J Rheum. 2020.", doi="10.1000/ABC", pmid="31234567")
    same_doi = source("Okafor A et al. Causes of myositis. 2020.", doi="https://doi.org/10.1000/abc")
    same_pmid = source("Okafor, Myositis causes (PubMed).", pmid="31234567")
    guideline = source("NICE NG999. 2019.", url="https://www.nice.org.uk/guidance/ng999")
    same_url = source("NICE guideline 999.", url="https://www.nice.org.uk/guidance/ng999/")
    plain = source("A textbook of rheumatology, 5th edition.")
    first = make_explainer(old_schema, "first", [paper, guideline, plain])
    second = make_explainer(old_schema, "second", [same_doi, same_url, plain])
    third = make_explainer(old_schema, "third", [same_pmid])

    apps = migrate_to(AFTER)

    Reference = apps.get_model("explainers", "Reference")
    Version = apps.get_model("explainers", "ExplainerVersion")
    Source = apps.get_model("explainers", "Source")
    assert Reference.objects.count() == 3  # the paper, the guideline, the textbook
    merged = Reference.objects.get(doi="10.1000/abc")
    assert (merged.pmid, merged.citation) == ("31234567", paper["citation"])
    guideline_ref = Reference.objects.get(url=guideline["url"])
    textbook = Reference.objects.get(citation=plain["citation"])

    for version in Version.objects.all():
        cited = [c.reference_id for c in version.citations.order_by("position")]
        assert len(cited) == len(version.content["sources"])  # not one lost
        expected = {
            "first": [merged.pk, guideline_ref.pk, textbook.pk],
            "second": [merged.pk, guideline_ref.pk, textbook.pk],
            "third": [merged.pk],
        }[version.slug]
        assert cited == (expected[::-1] if version.number == 1 else expected)
        frozen = {"first": [paper, guideline, plain], "second": [same_doi, same_url, plain], "third": [same_pmid]}
        assert version.content["sources"] == (
            frozen[version.slug][::-1] if version.number == 1 else frozen[version.slug]
        )
    for pk, expected in ((first, [merged, guideline_ref, textbook]), (third, [merged])):
        assert [s.reference_id for s in Source.objects.filter(explainer_id=pk).order_by("position")] == [
            r.pk for r in expected
        ]
    assert Source.objects.filter(explainer_id=second).count() == 3
