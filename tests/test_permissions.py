"""
Who may do what in the admin: the permission matrix, role by role and action by action.

Anonymous visitors are sent to the admin sign-in; a role without the permission gets 403;
an allowed role's action takes effect. The review record is read-only for everyone.
"""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from explainers.models import Explainer, ExplainerVersion, Review, Status
from tests.admin_forms import change_url, explainer_form_data, workflow_url
from tests.factories import make_explainer, make_published_explainer, make_reviewer, make_user

LOGIN, FORBIDDEN, DONE = "login", "forbidden", "done"
READ_ONLY = "read-only"  # the form saves, but the fields are read-only for the role and nothing changes


def draft():
    return make_explainer(author=make_user("Authors"))


def in_review():
    explainer = draft()
    explainer.submit_for_review(by=explainer.created_by)
    return explainer


def approved():
    explainer = in_review()
    explainer.approve(by=make_reviewer().user)
    return explainer


def published():
    return make_published_explainer(author=make_user("Authors"))


def status_of(explainer):
    return Explainer.objects.get(pk=explainer.pk).status


# action: (set-up, request, check that it took effect)
ACTIONS = {
    "view explainer changelist": (
        draft,
        lambda client, e: client.get(reverse("admin:explainers_explainer_changelist")),
        lambda e, response: response.status_code == 200,
    ),
    "edit explainer text": (
        draft,
        lambda client, e: client.post(change_url(e), explainer_form_data(e, tldr="A clearer answer.")),
        lambda e, response: Explainer.objects.get(pk=e.pk).tldr == "A clearer answer.",
    ),
    "change review interval": (
        draft,
        lambda client, e: client.post(change_url(e), explainer_form_data(e, review_interval_months="6")),
        lambda e, response: Explainer.objects.get(pk=e.pk).review_interval_months == 6,
    ),
    "submit for review": (
        draft,
        lambda client, e: client.post(workflow_url("submit", e), {"comment": ""}),
        lambda e, response: status_of(e) == Status.IN_REVIEW,
    ),
    "approve": (
        in_review,
        lambda client, e: client.post(workflow_url("review", e), {"decision": "full", "comments": ""}),
        lambda e, response: status_of(e) == Status.APPROVED,
    ),
    "request changes": (
        in_review,
        lambda client, e: client.post(
            workflow_url("review", e), {"decision": "changes_requested", "comments": "Cite the 2023 guideline."}
        ),
        lambda e, response: status_of(e) == Status.CHANGES_REQUESTED,
    ),
    "publish": (
        approved,
        lambda client, e: client.post(workflow_url("publish", e)),
        lambda e, response: status_of(e) == Status.PUBLISHED,
    ),
    "withdraw": (
        published,
        lambda client, e: client.post(workflow_url("withdraw", e), {"reason": "Guidance changed."}),
        lambda e, response: status_of(e) == Status.WITHDRAWN,
    ),
    "schedule review": (
        published,
        lambda client, e: client.post(workflow_url("schedule", e), {"due": "2030-01-15"}),
        lambda e, response: Explainer.objects.get(pk=e.pk).next_review_due == datetime.date(2030, 1, 15),
    ),
    "edit a review": (
        published,
        lambda client, e: client.post(
            reverse("admin:explainers_review_change", args=[e.reviews.get().pk]), {"comments": "Rewritten."}
        ),
        lambda e, response: False,
    ),
    "delete a review": (
        published,
        lambda client, e: client.post(
            reverse("admin:explainers_review_delete", args=[e.reviews.get().pk]), {"post": "yes"}
        ),
        lambda e, response: False,
    ),
    "delete a version": (
        published,
        lambda client, e: client.post(
            reverse("admin:explainers_explainerversion_delete", args=[e.versions.get().pk]), {"post": "yes"}
        ),
        lambda e, response: False,
    ),
}

ROLES = ["anonymous", "author", "reviewer", "publisher", "superuser"]

# Rows are actions, columns the roles in ROLES order.
MATRIX = {
    "view explainer changelist": [LOGIN, DONE, DONE, DONE, DONE],
    "edit explainer text": [LOGIN, DONE, FORBIDDEN, READ_ONLY, DONE],
    "change review interval": [LOGIN, DONE, FORBIDDEN, DONE, DONE],
    "submit for review": [LOGIN, DONE, FORBIDDEN, DONE, DONE],
    "approve": [LOGIN, FORBIDDEN, DONE, FORBIDDEN, DONE],
    "request changes": [LOGIN, FORBIDDEN, DONE, FORBIDDEN, DONE],
    "publish": [LOGIN, FORBIDDEN, FORBIDDEN, DONE, DONE],
    "withdraw": [LOGIN, FORBIDDEN, FORBIDDEN, DONE, DONE],
    "schedule review": [LOGIN, FORBIDDEN, FORBIDDEN, DONE, DONE],
    "edit a review": [LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    "delete a review": [LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    "delete a version": [LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN],
}

CASES = [(action, role, expected) for action, row in MATRIX.items() for role, expected in zip(ROLES, row, strict=True)]


@pytest.fixture
def signed_in(client, request, db):
    """Return a client signed in as ``role`` (the superuser also has a reviewer profile, to approve)."""

    def sign_in(role):
        if role == "anonymous":
            return client
        user = request.getfixturevalue(role)
        if role == "superuser":
            make_reviewer(user, display_name="Dr Site Admin", slug="site-admin")
        client.force_login(user)
        return client

    return sign_in


@pytest.mark.parametrize(("action", "role", "expected"), CASES, ids=[f"{r}-{a}" for a, r, _ in CASES])
def test_each_role_can_do_exactly_what_the_matrix_allows(signed_in, action, role, expected):
    set_up, perform, took_effect = ACTIONS[action]
    explainer = set_up()
    client = signed_in(role)
    versions, reviews = ExplainerVersion.objects.count(), Review.objects.count()

    response = perform(client, explainer)

    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
    elif expected == FORBIDDEN:
        assert response.status_code == 403
    elif expected == READ_ONLY:
        assert response.status_code == 302
    else:
        assert response.status_code in (200, 302)
        errors = [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "error"]
        assert not errors
        assert took_effect(explainer, response)
    if expected != DONE:
        assert not took_effect(explainer, response) or action == "view explainer changelist"
    if action.startswith(("edit a", "delete a")):
        assert (ExplainerVersion.objects.count(), Review.objects.count()) == (versions, reviews)


RECORDS = ["explainerversion", "review", "explainerevent", "conditiondescriptionapproval"]


@pytest.mark.parametrize("model", RECORDS)
def test_nobody_not_even_a_superuser_can_change_or_delete_the_record(client, superuser, model):
    from django.apps import apps

    explainer = make_published_explainer()
    condition = explainer.condition
    condition.description = "A muscle condition."
    condition.save()
    condition.approve_description(by=make_reviewer().user)
    record = apps.get_model("explainers", model).objects.first()
    client.force_login(superuser)

    change = reverse(f"admin:explainers_{model}_change", args=[record.pk])
    view = client.get(change)
    assert view.status_code == 200
    assert b'type="submit"' not in view.content.split(b'id="content-main"')[1]
    assert client.post(change, {}).status_code == 403
    delete = reverse(f"admin:explainers_{model}_delete", args=[record.pk])
    assert client.get(delete).status_code == 403
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert client.get(reverse(f"admin:explainers_{model}_add")).status_code == 403
    changelist = client.get(reverse(f"admin:explainers_{model}_changelist"))
    assert b"delete_selected" not in changelist.content
    assert apps.get_model("explainers", model).objects.filter(pk=record.pk).exists()


def test_the_change_page_shows_each_role_only_its_own_buttons(client, author, reviewer, publisher):
    explainer = make_published_explainer(author=author)
    expectations = {
        author: {"Submit for review"},
        reviewer: set(),
        publisher: {"Submit for review", "Schedule review", "Withdraw"},
    }
    buttons = {"Submit for review", "Review this version", "Publish", "Schedule review", "Withdraw"}
    for user, shown in expectations.items():
        client.force_login(user)
        page = client.get(change_url(explainer)).content.decode()
        panel = page.split('id="workflow-title"')[1].split("</section>")[0]
        visible = {label for label in buttons if f">{label}</a>" in panel}
        assert visible == shown, user.username


def test_a_reviewer_sees_review_this_version_only_when_an_explainer_awaits_review(client, reviewer):
    explainer = in_review()
    client.force_login(reviewer)
    assert ">Review this version</a>" in client.get(change_url(explainer)).content.decode()
    explainer.approve(by=reviewer)
    assert ">Review this version</a>" not in client.get(change_url(explainer)).content.decode()


def test_a_superuser_without_a_reviewer_profile_is_told_why_they_cannot_approve(client, superuser):
    explainer = in_review()
    client.force_login(superuser)
    response = client.post(workflow_url("review", explainer), {"decision": "full", "comments": ""}, follow=True)
    assert "You need a reviewer profile" in response.content.decode()
    assert status_of(explainer) == Status.IN_REVIEW


def test_a_reviewer_can_change_only_their_own_profile(client, reviewer):
    colleague = make_reviewer()
    client.force_login(reviewer)
    own = reverse("admin:explainers_reviewer_change", args=[reviewer.reviewer_profile.pk])
    other = reverse("admin:explainers_reviewer_change", args=[colleague.pk])
    assert b'name="_save"' in client.get(own).content
    assert b'name="_save"' not in client.get(other).content
    assert client.post(other, {"display_name": "Someone else"}).status_code == 403


def test_workflow_pages_refuse_get_requests_that_would_change_anything(client, publisher):
    explainer = approved()
    client.force_login(publisher)
    assert client.get(workflow_url("publish", explainer)).status_code == 200
    assert status_of(explainer) == Status.APPROVED


def test_approving_a_condition_description_is_for_reviewers_who_did_not_write_it(client, author, reviewer):
    from explainers.models import Condition

    explainer = make_explainer(author=author)
    condition = explainer.condition
    client.force_login(author)
    data = {
        "name": condition.name,
        "slug": condition.slug,
        "alternate_names": "",
        "description": "Muscles ache.",
        "community_size": "",
    }
    assert client.post(reverse("admin:explainers_condition_change", args=[condition.pk]), data).status_code == 302
    assert Condition.objects.get(pk=condition.pk).description_edited_by == author
    approve = reverse("admin:explainers_condition_approve_description", args=[condition.pk])
    assert client.post(approve).status_code == 403

    client.force_login(reviewer)
    page = client.get(reverse("admin:explainers_condition_change", args=[condition.pk])).content.decode()
    assert "Description awaiting approval" in page and ">Approve description</a>" in page
    response = client.post(approve, follow=True)
    assert "Approved the description" in response.content.decode()
    assert Condition.objects.get(pk=condition.pk).public_description == "Muscles ache."


def test_a_reviewer_who_edited_a_description_cannot_approve_it(client, reviewer, superuser):
    from explainers.models import Condition

    condition = make_explainer().condition
    Condition.objects.filter(pk=condition.pk).update(
        description="Edited by the reviewer.", description_edited_by=reviewer
    )
    client.force_login(reviewer)
    page = client.get(reverse("admin:explainers_condition_change", args=[condition.pk])).content.decode()
    assert "You edited this description" in page and ">Approve description</a>" not in page
    response = client.post(reverse("admin:explainers_condition_approve_description", args=[condition.pk]), follow=True)
    assert "another reviewer must approve it" in response.content.decode()
    assert Condition.objects.get(pk=condition.pk).approved_description is None
