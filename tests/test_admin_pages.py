"""Every admin page opens, searches and counts its queries: Django ignores typos in admin options silently."""

import pytest
from django.test.html import Element, parse_html
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from explainers.models import (
    ConditionDescriptionApproval,
    ConditionEvent,
    Explainer,
    ExplainerEvent,
    ExplainerVersion,
    Review,
    Reviewer,
    ReviewerProfileChange,
    SiteSettings,
    SiteSettingsChange,
)
from tests.factories import (
    approve_condition,
    make_condition,
    make_explainer,
    make_published_explainer,
    make_reviewer,
    make_user,
)
from tests.html import elements, text_of


def change_profile_and_settings(n, *, by):
    """Leave a reviewer-profile change and a site-settings change in the record."""
    reviewer = make_reviewer()
    reviewer.bio = f"Rheumatologist number {n}, treating myositis."
    reviewer.save_with_history(by=by)
    site = SiteSettings.load()
    site.community_name = f"Myositis community {n}"
    site.save_with_history(by=by)


@pytest.fixture
def content(db):
    """One of everything: a published explainer with its record, an approved condition description,
    and a recorded change to a reviewer profile and to the site settings."""
    explainer = make_published_explainer(sources=["Smith J. Myositis. Lancet. 2020."])
    condition = explainer.condition
    condition.description = "A rare condition of the muscles."
    condition.save()
    condition.record_edit(by=explainer.created_by)
    approve_condition(condition)
    change_profile_and_settings(0, by=make_user("Publishers"))
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
    "conditionevent",
    "reviewerprofilechange",
    "sitesettingschange",
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
    "model",
    [
        "sitesettings",
        "explainerversion",
        "review",
        "explainerevent",
        "conditiondescriptionapproval",
        "conditionevent",
        "reviewerprofilechange",
        "sitesettingschange",
    ],
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


def changelist_cells(content, row_label):
    """Return the cells of the changelist row whose first column reads ``row_label``, by column class."""
    table = next(t for t in elements(parse_html(content.decode()), "table") if ("id", "result_list") in t.attributes)
    for row in elements(table, "tr"):
        cells = [c for c in row.children if isinstance(c, Element) and c.name in ("th", "td")]
        named = {cls: text_of(cell) for cell in cells for cls in dict(cell.attributes).get("class", "").split()}
        if named.get("field-question") == row_label:
            return named
    raise AssertionError(f"No changelist row for {row_label!r}")


def test_the_explainer_changelist_shows_status_in_words(client, superuser, content):
    draft = make_explainer(question="Is it a draft?")
    client.force_login(superuser)
    response = client.get(reverse("admin:explainers_explainer_changelist"))
    assertContains(response, content.question)
    # The filter sidebar says "Published" too: read the status cell of each explainer's own row.
    assert changelist_cells(response.content, content.question)["field-status_label"] == "Published"
    assert changelist_cells(response.content, draft.question)["field-status_label"] == "Draft"


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
    change_profile_and_settings(0, by=superuser)
    url = reverse(f"admin:explainers_{model}_changelist")
    client.get(url)  # warm caches (content types, site settings)
    with CaptureQueriesContext(connection) as one_row:
        client.get(url)
    for n in range(4):
        explainer = make_published_explainer(sources=["A source."])
        condition = explainer.condition
        condition.description = f"Description {n}."
        condition.save()
        condition.record_edit(by=explainer.created_by)
        approve_condition(condition)
        change_profile_and_settings(n + 1, by=superuser)
    make_condition()
    with CaptureQueriesContext(connection) as many_rows:
        client.get(url)
    assert Reviewer.objects.count() > 4 and ExplainerVersion.objects.count() > 4
    assert Review.objects.count() > 4 and ExplainerEvent.objects.count() > 4
    assert ConditionDescriptionApproval.objects.count() >= 4 and ConditionEvent.objects.count() > 4
    assert ReviewerProfileChange.objects.count() > 4 and SiteSettingsChange.objects.count() > 4
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


def has_class(element, name):
    return name in dict(element.attributes).get("class", "").split()


def test_the_condition_page_shows_the_approved_details_with_who_approved_them(client, superuser, content):
    condition = content.condition
    approval = condition.approved_description
    client.force_login(superuser)
    response = client.get(reverse("admin:explainers_condition_change", args=[condition.pk]))
    page = parse_html(response.content.decode())
    row = next(div for div in elements(page, "div") if has_class(div, "field-public_details"))
    shown = text_of(next(div for div in elements(row, "div") if has_class(div, "readonly")))
    assert "A rare condition of the muscles." in shown
    assert f"Approved by {approval.reviewer_name}, {approval.reviewer_credentials} on" in shown


def test_the_site_settings_page_shows_who_changed_which_setting(client, superuser, content):
    publisher = make_user("Publishers", first_name="Kim", last_name="Park")
    site = SiteSettings.load()
    before = site.disclaimer
    site.disclaimer = "Talk to your doctor."
    site.save_with_history(by=publisher)
    client.force_login(superuser)
    response = client.get(reverse("admin:explainers_sitesettings_change", args=[site.pk]))
    page = parse_html(response.content.decode())
    table = next((t for t in elements(page, "table") if has_class(t, "change-history")), None)
    assert table is not None, "The site settings page shows no table of changes."
    rows = [[text_of(td) for td in elements(tr, "td")] for tr in elements(next(elements(table, "tbody")), "tr")]
    assert ["Kim Park", "disclaimer", " ".join(before.split()), "Talk to your doctor."] in [row[1:] for row in rows]
