"""The editorial admin stays small and quick however many conditions and explainers there are.

The explainer change form picks its condition through an autocomplete, the change list's
condition filter is a text box rather than a list of every condition, and every admin page an
editor opens often runs the same number of queries for 3 explainers as for 30.
"""

import datetime
from contextlib import contextmanager
from unittest import mock

import pytest
from django.contrib.admin.sites import site
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from explainers.models import Condition, Explainer
from explainers.queues import QUEUE_LENGTH, conditions_awaiting_approval
from tests.factories import make_condition, make_explainer, make_published_explainer, make_reviewer, make_user
from tests.plans import plan_without_reading_whole_tables

CONDITION_COUNT = 300
# The change form with its Markdown editor, inlines and history; a drop-down of 300 conditions alone adds ~25 KB.
CHANGE_FORM_BYTES = 60_000


@pytest.fixture
def many_conditions(db):
    """Return 300 conditions named "Condition at scale 001" …, each with a distinctive name."""
    return Condition.objects.bulk_create(
        Condition(name=f"Condition at scale {n:03d}", slug=f"condition-at-scale-{n:03d}")
        for n in range(1, CONDITION_COUNT + 1)
    )


def names_on(page, conditions):
    return [condition.name for condition in conditions if condition.name in page]


def test_the_explainer_change_form_names_only_its_own_condition(client, superuser, many_conditions):
    explainer = make_explainer(condition=many_conditions[41])
    client.force_login(superuser)
    response = client.get(reverse("admin:explainers_explainer_change", args=[explainer.pk]))
    page = response.content.decode()
    assert names_on(page, many_conditions) == ["Condition at scale 042"]
    assert len(response.content) < CHANGE_FORM_BYTES, f"{len(response.content):,} bytes"


def test_the_explainer_add_form_names_no_condition(client, author, many_conditions):
    client.force_login(author)
    response = client.get(reverse("admin:explainers_explainer_add"))
    assert response.status_code == 200
    assert names_on(response.content.decode(), many_conditions) == []
    assert len(response.content) < CHANGE_FORM_BYTES


def test_the_condition_field_asks_the_condition_autocomplete(client, author, many_conditions):
    client.force_login(author)
    page = client.get(reverse("admin:explainers_explainer_add"))
    assertContains(page, 'data-ajax--url="/admin/autocomplete/"')
    answer = client.get(
        reverse("admin:autocomplete"),
        {"term": '"scale 04"', "app_label": "explainers", "model_name": "explainer", "field_name": "condition"},
    ).json()
    assert [result["text"] for result in answer["results"]] == [f"Condition at scale {n:03d}" for n in range(40, 50)]


def test_an_author_saves_an_explainer_with_the_condition_the_autocomplete_offered(client, author, many_conditions):
    client.force_login(author)
    response = client.post(
        reverse("admin:explainers_explainer_add"),
        {
            "condition": many_conditions[6].pk,
            "question": "Is it catching?",
            "slug": "is-it-catching",
            "tldr": "No.",
            "format_labels": "Short answer",
            "experience_count": 0,
            "position": 0,
            "sections-TOTAL_FORMS": 0,
            "sections-INITIAL_FORMS": 0,
            "sources-TOTAL_FORMS": 0,
            "sources-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302
    assert Explainer.objects.get(slug="is-it-catching").condition == many_conditions[6]


def test_the_change_list_filter_is_a_text_box_not_a_list_of_every_condition(client, superuser, many_conditions):
    for condition in many_conditions[:3]:
        make_explainer(condition=condition)
    client.force_login(superuser)
    response = client.get(reverse("admin:explainers_explainer_changelist"))
    page = response.content.decode()
    # The three explainers' rows name their conditions; the filter names none.
    assert names_on(page, many_conditions) == [condition.name for condition in many_conditions[:3]]
    assertContains(response, '<input type="search" id="condition-filter-text" name="condition" value="" size="18">')
    assertNotContains(response, "condition__id__exact")


def test_the_condition_filter_finds_explainers_by_condition_name_or_slug_and_keeps_other_filters(
    client, superuser, many_conditions
):
    make_explainer(condition=many_conditions[0], question="Is it in the family?")
    make_explainer(condition=many_conditions[150], question="Does it hurt?")
    client.force_login(superuser)
    changelist = reverse("admin:explainers_explainer_changelist")

    by_name = client.get(changelist, {"condition": "scale 151", "status__exact": "draft"})
    assertContains(by_name, "Does it hurt?")
    assertNotContains(by_name, "Is it in the family?")
    assertContains(by_name, '<input type="hidden" name="status__exact" value="draft">', html=True)
    assertContains(by_name, "Name or slug contains “scale 151”")

    by_slug = client.get(changelist, {"condition": "condition-at-scale-001"})
    assertContains(by_slug, "Is it in the family?")
    assertNotContains(by_slug, "Does it hurt?")


def test_the_change_list_searches_questions_and_slugs(client, superuser):
    make_explainer(question="Can sunlight trigger a flare?", slug="sunlight-and-flares")
    make_explainer(question="Is fatigue part of it?", slug="fatigue")
    client.force_login(superuser)
    changelist = reverse("admin:explainers_explainer_changelist")
    by_question = client.get(changelist, {"q": "SUNLIGHT trigger"})
    assertContains(by_question, "Can sunlight trigger a flare?")
    assertNotContains(by_question, "Is fatigue part of it?")
    by_slug = client.get(changelist, {"q": "fatigue"})
    assertContains(by_slug, "Is fatigue part of it?")
    assertNotContains(by_slug, "Can sunlight trigger a flare?")


def test_the_change_list_does_not_count_every_explainer(client, superuser):
    make_explainer(question="Is it rare?")
    client.force_login(superuser)
    response = client.get(reverse("admin:explainers_explainer_changelist"), {"q": "rare"})
    assertContains(response, "Show all")
    assertNotContains(response, " total)")


# -- the review queue ---------------------------------------------------------------------------


def test_the_conditions_queue_lists_changed_details_but_not_whitespace_only_changes(db):
    unchanged = make_condition(name="Unchanged condition")
    changed = make_condition(name="Changed condition")
    changed.description = "A new description."
    changed.save()
    spaced = make_condition(name="Spaced condition", description="Muscles ache.")
    spaced.description = "Muscles ache.\n"  # the approval covers the text without its surrounding whitespace
    spaced.save()
    never = make_condition(name="Never approved condition", approved=False)

    with hashed_conditions() as hashed:
        queued = conditions_awaiting_approval()

    assert changed in queued and never in queued
    assert unchanged not in queued and spaced not in queued
    assert unchanged.pk not in hashed  # the database already knew its details equal the approved ones


def test_the_conditions_queue_stops_at_its_length(db, many_conditions):
    make_condition(name="Approved condition")
    loaded = []
    original = Condition.from_db.__func__

    def from_db(cls, *args):
        loaded.append(args)
        return original(cls, *args)

    with CaptureQueriesContext(connection) as queries, mock.patch.object(Condition, "from_db", classmethod(from_db)):
        queued = conditions_awaiting_approval()
    assert queued == many_conditions[:QUEUE_LENGTH]  # never approved, in name order
    assert len(queries) == 1
    assert len(loaded) == QUEUE_LENGTH  # not the 251 conditions after them


@contextmanager
def hashed_conditions():
    """Collect the ids of the conditions whose details are hashed (read and compared in Python)."""
    hashed = []
    original = Condition.working_hash

    def working_hash(condition):
        hashed.append(condition.pk)
        return original(condition)

    with mock.patch.object(Condition, "working_hash", working_hash):
        yield hashed


# -- query budgets --------------------------------------------------------------------------------


def add_explainers(count, *, reviewer, author):
    """Add ``count`` explainers spread over every queue: in review, sent back, approved, overdue, due soon."""
    today = timezone.localdate()
    for n in range(count):
        kind = n % 5
        if kind in (0, 1, 2):
            explainer = make_explainer(author=author)
            version = explainer.submit_for_review(by=author)
            if kind == 1:
                explainer.request_changes(by=reviewer.user, version=version, comments="Say more.")
            elif kind == 2:
                explainer.approve(by=reviewer.user, version=version)
        else:
            explainer = make_published_explainer(author=author)
            due = today + datetime.timedelta(days=-3 if kind == 3 else 10)
            Explainer.objects.filter(pk=explainer.pk).update(next_review_due=due)


def admin_pages():
    """Return {name: address} of the admin pages an editor opens all day (the change form of the first explainer)."""
    first = Explainer.objects.order_by("pk").first()
    changelist = reverse("admin:explainers_explainer_changelist")
    return {
        "admin index": reverse("admin:index"),
        "change list": changelist,
        "change list search": f"{changelist}?q=causes",
        "change list condition filter": f"{changelist}?condition=condition",
        "change form": reverse("admin:explainers_explainer_change", args=[first.pk]),
        "condition autocomplete": reverse("admin:autocomplete")
        + "?term=condition&app_label=explainers&model_name=explainer&field_name=condition",
    }


def query_counts(client):
    counts = {}
    for name, url in admin_pages().items():
        client.get(url)  # warm the per-process caches (content types, site settings)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200, name
        counts[name] = len(queries)
    return counts


def test_admin_pages_run_as_many_queries_for_30_explainers_as_for_3(client, superuser):
    make_reviewer(superuser, display_name="Dr Admin", slug="dr-admin")  # so the index shows every queue
    author = make_user("Authors")
    add_explainers(3, reviewer=make_reviewer(), author=author)
    client.force_login(superuser)
    few = query_counts(client)
    add_explainers(27, reviewer=make_reviewer(), author=author)
    assert Explainer.objects.count() == 30
    many = query_counts(client)
    assert many == few
    assert max(few.values()) <= 30, few


# -- PostgreSQL: the searches can use the trigram indexes --------------------------------------


def changelist_filter(user, model, **params):
    """Return the change list's rows for ``params``, unordered: which rows, not in what order."""
    request = RequestFactory().get("/", params)
    request.user = user
    return site.get_model_admin(model).get_changelist_instance(request).queryset.order_by()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes are PostgreSQL's")
@pytest.mark.parametrize(
    ("model", "params", "index"),
    [
        (Explainer, {"q": "flare"}, "explainers_explainer_question_trgm"),
        (Explainer, {"q": "flare"}, "explainers_explainer_slug_trgm"),
        (Explainer, {"condition": "myositis"}, "explainers_condition_name_trgm"),
        (Explainer, {"condition": "myositis"}, "explainers_condition_slug_trgm"),
        (Condition, {"q": "myositis"}, "explainers_condition_name_trgm"),
        (Condition, {"q": "myositis"}, "explainers_condition_alternate_names_trgm"),
    ],
)
def test_admin_searches_can_use_the_trigram_indexes_on_postgresql(superuser, model, params, index):
    make_explainer(question="Can sunlight trigger a flare?")
    plan = plan_without_reading_whole_tables(changelist_filter(superuser, model, **params))
    assert index in plan, plan
