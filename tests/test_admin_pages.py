"""Every admin page opens, searches and counts its queries: Django ignores typos in admin options silently."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from explainers.models import (
    ConditionDescriptionApproval,
    Explainer,
    ExplainerEvent,
    ExplainerVersion,
    Review,
    Reviewer,
    SiteSettings,
)
from tests.factories import make_condition, make_explainer, make_published_explainer, make_reviewer


@pytest.fixture
def content(db):
    """One of everything: a published explainer with its record, and an approved condition description."""
    explainer = make_published_explainer(sources=["Smith J. Myositis. Lancet. 2020."])
    condition = explainer.condition
    condition.description = "A rare condition of the muscles."
    condition.save()
    condition.approve_description(by=make_reviewer().user)
    SiteSettings.load()
    return explainer


def first_pk(model):
    return model.objects.order_by("pk").values_list("pk", flat=True).first()


MODELS = [
    "condition",
    "explainer",
    "reviewer",
    "sitesettings",
    "explainerversion",
    "review",
    "explainerevent",
    "conditiondescriptionapproval",
]


@pytest.mark.parametrize("model", MODELS)
def test_every_changelist_opens_and_searches_for_a_superuser(client, superuser, content, model):
    client.force_login(superuser)
    url = reverse(f"admin:explainers_{model}_changelist")
    assert client.get(url).status_code == 200
    assert client.get(url, {"q": "myositis"}).status_code == 200


@pytest.mark.parametrize("model", MODELS)
def test_every_change_page_opens_for_a_superuser(client, superuser, content, model):
    from django.apps import apps

    client.force_login(superuser)
    pk = first_pk(apps.get_model("explainers", model))
    response = client.get(reverse(f"admin:explainers_{model}_change", args=[pk]))
    assert response.status_code == 200


@pytest.mark.parametrize("model", ["condition", "explainer", "reviewer"])
def test_working_copy_add_pages_open_for_a_superuser(client, superuser, content, model):
    client.force_login(superuser)
    assert client.get(reverse(f"admin:explainers_{model}_add")).status_code == 200


@pytest.mark.parametrize(
    "model", ["sitesettings", "explainerversion", "review", "explainerevent", "conditiondescriptionapproval"]
)
def test_there_is_no_add_page_for_the_record_or_a_second_site_settings(client, superuser, content, model):
    client.force_login(superuser)
    assert client.get(reverse(f"admin:explainers_{model}_add")).status_code == 403


def test_the_site_settings_can_be_added_once_when_missing(client, superuser):
    client.force_login(superuser)
    assert client.get(reverse("admin:explainers_sitesettings_add")).status_code == 200


def test_explainer_filters_and_workflow_pages_open(client, superuser, content):
    client.force_login(superuser)
    changelist = reverse("admin:explainers_explainer_changelist")
    for query in [
        {"review_due": "overdue"},
        {"review_due": "soon"},
        {"status__exact": "published"},
        {"condition__id__exact": content.condition_id},
    ]:
        assert client.get(changelist, query).status_code == 200
    for name in ["submit", "review", "withdraw", "schedule", "publish"]:
        response = client.get(reverse(f"admin:explainers_explainer_{name}", args=[content.pk]))
        assert response.status_code == 200, name


def test_the_review_due_filter_lists_overdue_and_soon_due_explainers_separately(client, superuser):
    import datetime

    from django.utils import timezone

    today = timezone.localdate()
    overdue = make_published_explainer(question="Is it overdue?")
    soon = make_published_explainer(question="Is it due soon?")
    later = make_published_explainer(question="Is it due later?")
    for explainer, days in [(overdue, -3), (soon, 10), (later, 200)]:
        Explainer.objects.filter(pk=explainer.pk).update(next_review_due=today + datetime.timedelta(days=days))
    client.force_login(superuser)
    changelist = reverse("admin:explainers_explainer_changelist")

    response = client.get(changelist, {"review_due": "overdue"})
    assertContains(response, "Is it overdue?")
    assertNotContains(response, "Is it due soon?")
    response = client.get(changelist, {"review_due": "soon"})
    assertContains(response, "Is it due soon?")
    assertNotContains(response, "Is it overdue?")
    assertNotContains(response, "Is it due later?")


def test_the_explainer_changelist_shows_status_in_words(client, superuser, content):
    client.force_login(superuser)
    response = client.get(reverse("admin:explainers_explainer_changelist"))
    assertContains(response, content.question)
    assertContains(response, "Published")


def _changelist_queries(client, django_assert_max_num_queries, model, budget):
    with django_assert_max_num_queries(budget):
        assert client.get(reverse(f"admin:explainers_{model}_changelist")).status_code == 200


@pytest.mark.parametrize("model", MODELS)
def test_changelist_queries_do_not_grow_with_the_number_of_rows(
    client, superuser, django_assert_max_num_queries, model
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(superuser)
    make_published_explainer(sources=["A source."])
    url = reverse(f"admin:explainers_{model}_changelist")
    client.get(url)  # warm caches (content types, site settings)
    with CaptureQueriesContext(connection) as one_row:
        client.get(url)
    for n in range(4):
        explainer = make_published_explainer(sources=["A source."])
        condition = explainer.condition
        condition.description = f"Description {n}."
        condition.save()
        condition.approve_description(by=make_reviewer().user)
    make_condition()
    with CaptureQueriesContext(connection) as many_rows:
        client.get(url)
    assert Reviewer.objects.count() > 4 and ExplainerVersion.objects.count() > 4
    assert Review.objects.count() > 4 and ExplainerEvent.objects.count() > 4
    assert ConditionDescriptionApproval.objects.count() >= 4
    assert len(many_rows) == len(one_row), [q["sql"] for q in many_rows.captured_queries]
    _changelist_queries(client, django_assert_max_num_queries, model, len(one_row))


def test_the_explainer_change_page_shows_sections_with_the_markdown_editor(client, superuser):
    explainer = make_explainer(sections=["Causes\n\nThe **immune system** attacks muscle."])
    client.force_login(superuser)
    response = client.get(reverse("admin:explainers_explainer_change", args=[explainer.pk]))
    assertContains(response, "markdownx-editor")
    assertContains(response, "markdownx/js/markdownx")
    assertContains(response, "The **immune system** attacks muscle.")
    assertContains(response, 'name="lock_version"')
