"""generate_corpus builds a synthetic library that the site treats exactly as one the workflow built.

Its pages are public and searchable, its record verifies, and its snapshots are the ones the
real workflow would have frozen. It refuses to run on a production configuration.
"""

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import TextField
from django.db.models.functions import Cast
from pytest_django.asserts import assertContains

from explainers.management.commands.generate_corpus import BANNER
from explainers.models import Condition, Explainer, ExplainerVersion, Reviewer, ReviewKind


def verify_records():
    """Run verify_records; return what it printed on stderr, and whether it passed."""
    errors = StringIO()
    try:
        call_command("verify_records", stdout=StringIO(), stderr=errors)
    except CommandError:
        return errors.getvalue(), False
    return errors.getvalue(), True


def generate(explainers, conditions, **options):
    out = StringIO()
    call_command(
        "generate_corpus",
        explainers=explainers,
        conditions=conditions,
        i_know_this_is_not_production=True,
        stdout=out,
        **options,
    )
    connection.check_constraints()  # the foreign keys written ahead of their rows all resolved
    return out.getvalue()


def synthetic_explainers():
    return Explainer.objects.for_public_page().filter(slug__startswith="synthetic-question-").order_by("slug")


def test_it_refuses_to_run_without_debug_or_the_flag_that_says_this_is_not_production(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--i-know-this-is-not-production"):
        call_command("generate_corpus", explainers=3)
    assert not Explainer.objects.exists()


def test_the_synthetic_library_is_public_says_it_is_synthetic_and_verifies(db, client):
    output = generate(12, 3)

    assert "Added 12 synthetic explainers" in output
    explainers = list(synthetic_explainers())
    assert len(explainers) == 12
    assert Condition.objects.public().filter(name__contains="(synthetic condition ").count() == 3
    first = explainers[0]
    page = client.get(first.get_absolute_url())
    assertContains(page, first.published_version.question)
    assertContains(page, BANNER)
    condition = first.published_version.condition
    assertContains(client.get(condition.get_absolute_url()), condition.approved_description.name)
    assertContains(client.get(first.public_review.reviewer.get_absolute_url()), "Dr Synthetic Reviewer")
    errors, verified = verify_records()
    assert verified, errors


def test_the_site_search_finds_synthetic_explainers(db, client):
    generate(6, 2)
    explainer = synthetic_explainers().first()
    condition_word = explainer.condition.name.split()[0].removesuffix("'s")  # the made-up name, e.g. "Kelosis"
    response = client.get("/search/", {"q": condition_word})
    assertContains(response, explainer.published_version.question)


def test_each_snapshot_is_the_one_the_workflow_would_freeze_and_the_workflow_carries_on_from_it(db):
    generate(4, 2)
    explainer = Explainer.objects.get(pk=synthetic_explainers().first().pk)
    generated = explainer.published_version
    assert explainer.working_hash() == generated.content_hash
    author = User.objects.get(username="synthetic-author")
    assert [user.pk for user in generated.contributors.all()] == [author.pk]

    frozen = explainer.submit_for_review(by=author)  # the real workflow's snapshot of the same text

    for field in ["condition_id", "slug", "question", "tldr", "format_labels", "content", "body_text", "content_hash"]:
        assert getattr(frozen, field) == getattr(generated, field), field
    if connection.vendor == "postgresql":
        vectors = dict(
            ExplainerVersion.objects.filter(pk__in=[frozen.pk, generated.pk])
            .annotate(vector=Cast("search_vector", output_field=TextField()))
            .values_list("pk", "vector")
        )
        assert vectors[frozen.pk] == vectors[generated.pk]
    reviewer = Reviewer.objects.filter(slug__startswith="synthetic-reviewer-").first()
    explainer.approve(by=reviewer.user, version=frozen, kind=ReviewKind.FULL)
    explainer.publish(by=User.objects.get(username="synthetic-publisher"), version=frozen)
    errors, verified = verify_records()
    assert verified, errors


def test_running_it_again_adds_a_new_batch_numbered_after_the_last(db):
    generate(5, 2)
    output = generate(5, 1)

    assert "numbers 6 onwards" in output
    slugs = list(synthetic_explainers().values_list("slug", flat=True))
    assert slugs == [f"synthetic-question-{n:06d}" for n in range(1, 11)]
    names = Condition.objects.filter(name__contains="(synthetic condition ").values_list("name", flat=True)
    assert sorted(int(name[-6:-1]) for name in names) == [1, 2, 3]
    errors, verified = verify_records()
    assert verified, errors
