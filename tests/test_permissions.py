"""
Who may do what in the admin: the permission matrix, role by role and action by action.

Anonymous visitors are sent to the admin sign-in; a role without the permission gets 403;
an allowed role's action takes effect. The review record is read-only for everyone. A reviewer
changes only the bio and specialty of their own profile; names, credentials and registrations
are for those who manage reviewer profiles, and a profile's account never changes.
"""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.db import IntegrityError, transaction
from django.test.html import parse_html
from django.urls import reverse
from django.utils import timezone

from explainers.models import (
    Condition,
    ConditionAction,
    ConditionDescriptionApproval,
    ConditionEvent,
    Explainer,
    ExplainerEvent,
    ExplainerVersion,
    RegistrationBody,
    Review,
    Reviewer,
    ReviewerProfileChange,
    SiteSettings,
    Status,
    add_months,
)
from tests.admin_forms import (
    change_url,
    condition_approval_fields,
    explainer_form_data,
    version_fields,
    workflow_url,
)
from tests.factories import make_condition, make_explainer, make_published_explainer, make_reviewer, make_user
from tests.html import elements, text_of

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
    explainer.approve(by=make_reviewer().user, version=explainer.latest_version())
    return explainer


def published():
    return make_published_explainer(author=make_user("Authors"))


def status_of(explainer):
    return Explainer.objects.get(pk=explainer.pk).status


def decision(explainer, choice, comments=""):
    """Return what the review page POSTs: the decision on the version it showed."""
    return {**version_fields(explainer.latest_version()), "decision": choice, "comments": comments}


# A date the next review may be due on: after today, within the longest review cycle (36 months).
NEXT_REVIEW = add_months(timezone.localdate(), 18)


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
        lambda client, e: client.post(workflow_url("review", e), decision(e, "full")),
        lambda e, response: status_of(e) == Status.APPROVED,
    ),
    "request changes": (
        in_review,
        lambda client, e: client.post(
            workflow_url("review", e), decision(e, "changes_requested", "Cite the 2023 guideline.")
        ),
        lambda e, response: status_of(e) == Status.CHANGES_REQUESTED,
    ),
    "publish": (
        approved,
        lambda client, e: client.post(workflow_url("publish", e), version_fields(e.pending_review().version)),
        lambda e, response: status_of(e) == Status.PUBLISHED,
    ),
    "withdraw": (
        published,
        lambda client, e: client.post(workflow_url("withdraw", e), {"reason": "Guidance changed."}),
        lambda e, response: status_of(e) == Status.WITHDRAWN,
    ),
    "schedule review": (
        published,
        lambda client, e: client.post(workflow_url("schedule", e), {"due": NEXT_REVIEW.isoformat()}),
        lambda e, response: Explainer.objects.get(pk=e.pk).next_review_due == NEXT_REVIEW,
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
    "change review interval": [LOGIN, READ_ONLY, FORBIDDEN, DONE, DONE],  # publishers set review intervals
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


RECORDS = [
    "explainerversion",
    "review",
    "explainerevent",
    "conditiondescriptionapproval",
    "conditionevent",
    "reviewerprofilechange",
    "sitesettingschange",
]


@pytest.mark.parametrize("model", RECORDS)
def test_nobody_not_even_a_superuser_can_change_or_delete_the_record(client, superuser, model):
    from django.apps import apps

    explainer = make_published_explainer()
    condition = explainer.condition
    condition.description = "A muscle condition."
    condition.save()
    condition.record_edit(by=explainer.created_by)
    condition.approve_description(by=make_reviewer().user, content_hash=condition.working_hash())
    profile = Reviewer.objects.first()
    profile.bio = "Looks after people with myositis."
    profile.save_with_history(by=profile.user)
    site = SiteSettings.load()
    site.community_name = "Myositis community"
    site.save_with_history(by=superuser)
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
    explainer.approve(by=reviewer, version=explainer.latest_version())
    assert ">Review this version</a>" not in client.get(change_url(explainer)).content.decode()


def test_a_superuser_without_a_reviewer_profile_is_told_why_they_cannot_approve(client, superuser):
    explainer = in_review()
    client.force_login(superuser)
    response = client.post(workflow_url("review", explainer), decision(explainer, "full"), follow=True)
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


# -- GET never changes anything ----------------------------------------------


def post_forms_with_button(content, label):
    """Return the page's <form method="post"> elements that hold a submit button labelled ``label``."""
    return [
        form
        for form in elements(parse_html(content.decode()), "form")
        if dict(form.attributes).get("method", "").lower() == "post"
        and any(
            text_of(button) == label and dict(button.attributes).get("type", "submit") == "submit"
            for button in elements(form, "button")
        )
    ]


def awaiting_approval():
    """A condition whose details were edited by an author and await a medical reviewer's approval."""
    return make_condition(approved=False)


def explainer_url(name):
    return lambda e: workflow_url(name, e)


def condition_approval_url(condition):
    return reverse("admin:explainers_condition_approve_description", args=[condition.pk])


# page: (set-up, role, address, button, the POST the page's form sends)
WORKFLOW_PAGES = {
    "submit": (draft, "author", explainer_url("submit"), "Submit for review", lambda e: {"comment": ""}),
    "review": (
        in_review,
        "reviewer",
        explainer_url("review"),
        "Approve as full clinical review",
        lambda e: decision(e, "full"),
    ),
    "publish": (
        approved,
        "publisher",
        explainer_url("publish"),
        "Publish",
        lambda e: version_fields(e.pending_review().version),
    ),
    "withdraw": (published, "publisher", explainer_url("withdraw"), "Withdraw", lambda e: {"reason": "Outdated."}),
    "schedule": (
        published,
        "publisher",
        explainer_url("schedule"),
        "Schedule review",
        lambda e: {"due": NEXT_REVIEW.isoformat()},
    ),
    "condition approve-description": (
        awaiting_approval,
        "reviewer",
        condition_approval_url,
        "Approve these details",
        condition_approval_fields,
    ),
}


def workflow_state(obj):
    """Everything a workflow step could change: the object's state and the number of record rows."""
    if isinstance(obj, Condition):
        state = Condition.objects.values_list("approved_description_id", "updated_at").get(pk=obj.pk)
    else:
        state = Explainer.objects.values_list(
            "status", "published_version_id", "published_review_id", "next_review_due", "updated_at"
        ).get(pk=obj.pk)
    counts = [
        model.objects.count()
        for model in (ExplainerVersion, Review, ExplainerEvent, ConditionDescriptionApproval, ConditionEvent)
    ]
    return state, counts


@pytest.mark.parametrize("page", WORKFLOW_PAGES)
def test_workflow_pages_refuse_get_requests_that_would_change_anything(client, request, db, page):
    set_up, role, address, button, form_data = WORKFLOW_PAGES[page]
    obj = set_up()
    client.force_login(request.getfixturevalue(role))
    before = workflow_state(obj)

    response = client.get(address(obj))

    assert response.status_code == 200
    assert workflow_state(obj) == before
    # It asks instead: the confirmation form, which only a POST sends.
    assert len(post_forms_with_button(response.content, button)) == 1
    # The step was open to this person: the form the page showed, posted, does take effect.
    assert client.post(address(obj), form_data(obj)).status_code == 302
    assert workflow_state(obj) != before


# -- conditions ------------------------------------------------------------------


def test_approving_a_condition_description_is_for_reviewers_who_did_not_write_it(client, author, reviewer):
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
    condition = Condition.objects.get(pk=condition.pk)
    assert condition.description == "Muscles ache."
    assert ConditionEvent.objects.filter(condition=condition, action=ConditionAction.EDITED, actor=author).exists()
    assert author.pk in condition.contributor_ids()
    approve = reverse("admin:explainers_condition_approve_description", args=[condition.pk])
    assert client.post(approve, condition_approval_fields(condition)).status_code == 403

    client.force_login(reviewer)
    page = client.get(reverse("admin:explainers_condition_change", args=[condition.pk])).content.decode()
    assert "Details awaiting approval" in page and ">Review and approve the details</a>" in page
    response = client.post(approve, condition_approval_fields(condition), follow=True)
    assert f"Approved the details of “{condition}”" in response.content.decode()
    assert Condition.objects.get(pk=condition.pk).public_description == "Muscles ache."


def test_a_reviewer_who_edited_a_description_cannot_approve_it(client, reviewer, superuser):
    condition = make_condition(approved=False)
    condition.description = "Edited by the reviewer."
    condition.save()
    condition.record_edit(by=reviewer)
    client.force_login(reviewer)
    page = client.get(reverse("admin:explainers_condition_change", args=[condition.pk])).content.decode()
    assert "You edited these details" in page and ">Review and approve the details</a>" not in page
    response = client.post(
        reverse("admin:explainers_condition_approve_description", args=[condition.pk]),
        condition_approval_fields(condition),
        follow=True,
    )
    assert "another medical reviewer must approve them" in response.content.decode()
    assert Condition.objects.get(pk=condition.pk).approved_description is None


# -- reviewer profiles -------------------------------------------------------------


@pytest.fixture
def profile_manager(db):
    """A staff member given only the permission to manage reviewer profiles (no role has it)."""
    user = make_user(username="profiles", first_name="Pat", last_name="Lawson")
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="explainers", codename="manage_reviewer_profiles")
    )
    return user


def profile_url(profile):
    return reverse("admin:explainers_reviewer_change", args=[profile.pk])


def profile_form_data(profile, **changes):
    """Return every field of the reviewer change form, as a browser would send it, with ``changes``."""
    data = {name: getattr(profile, name) or "" for name in Reviewer.IDENTITY_FIELDS + Reviewer.OWN_FIELDS}
    data["user"] = profile.user_id
    return data | changes


def profile_history(content):
    """Return the rows of the profile page's "Changes to this profile" table, keyed by column heading."""
    tables = [t for t in elements(parse_html(content.decode()), "table") if ("class", "change-history") in t.attributes]
    assert len(tables) == 1, "The profile page shows no table of the changes to the profile."
    table = tables[0]
    headings = [text_of(th) for th in elements(next(elements(table, "thead")), "th")]
    return [
        dict(zip(headings, [text_of(td) for td in elements(tr, "td")], strict=True))
        for tr in elements(next(elements(table, "tbody")), "tr")
    ]


IDENTITY_CHANGES = {
    "display_name": "Professor Amina Okafor",
    "credentials": "FRCP, professor of rheumatology",
    "slug": "professor-amina-okafor",
    "registration_body": RegistrationBody.NMC,
    "registration_number": "99A1234B",
    "registration_verified_on": timezone.localdate() - datetime.timedelta(days=30),
}


def test_a_reviewer_cannot_change_their_own_name_credentials_slug_or_registration_but_can_change_their_bio(
    client, reviewer
):
    profile = reviewer.reviewer_profile
    identity_before = {name: getattr(profile, name) for name in Reviewer.IDENTITY_FIELDS}
    client.force_login(reviewer)
    page = client.get(profile_url(profile)).content.decode()
    for name in [*Reviewer.IDENTITY_FIELDS, "user"]:
        assert f'name="{name}"' not in page, name  # shown read-only
    assert 'name="bio"' in page

    response = client.post(
        profile_url(profile), profile_form_data(profile, **IDENTITY_CHANGES, bio="I treat adults with myositis.")
    )

    assert response.status_code == 302
    profile = Reviewer.objects.get(pk=profile.pk)
    assert {name: getattr(profile, name) for name in Reviewer.IDENTITY_FIELDS} == identity_before
    assert profile.bio == "I treat adults with myositis."
    changes = ReviewerProfileChange.objects.filter(reviewer=profile)
    assert list(changes.values_list("field", "old_value", "new_value", "actor")) == [
        ("bio", "", "I treat adults with myositis.", reviewer.pk)
    ]


@pytest.mark.parametrize("manager", ["superuser", "profile_manager"])
def test_someone_who_manages_reviewer_profiles_can_change_a_reviewers_identity_and_each_change_is_on_the_profile_page(
    client, request, reviewer, manager
):
    manager = request.getfixturevalue(manager)
    manager.first_name, manager.last_name = "Pat", "Lawson"
    manager.save()
    profile = reviewer.reviewer_profile
    before = {name: getattr(profile, name) for name in IDENTITY_CHANGES}
    client.force_login(manager)
    page = client.get(profile_url(profile)).content.decode()
    for name in Reviewer.IDENTITY_FIELDS:
        assert f'name="{name}"' in page, name
    assert 'name="user"' not in page

    response = client.post(
        profile_url(profile),
        profile_form_data(profile, **{name: str(value) for name, value in IDENTITY_CHANGES.items()}),
    )

    assert response.status_code == 302
    profile = Reviewer.objects.get(pk=profile.pk)
    assert {name: getattr(profile, name) for name in IDENTITY_CHANGES} == IDENTITY_CHANGES
    recorded = ReviewerProfileChange.objects.filter(reviewer=profile)
    assert sorted(recorded.values_list("field", "old_value", "new_value", "actor")) == sorted(
        (name, str(before[name]), str(new), manager.pk) for name, new in IDENTITY_CHANGES.items()
    )
    history = profile_history(client.get(profile_url(profile)).content)
    assert sorted((row["Who"], row["Field"], row["Was"], row["Became"]) for row in history) == sorted(
        ("Pat Lawson", name, str(before[name]), str(new)) for name, new in IDENTITY_CHANGES.items()
    )


def test_a_publisher_cannot_add_a_reviewer_profile_but_someone_who_manages_profiles_can(
    client, publisher, reviewer, profile_manager
):
    candidate = make_user("Medical reviewers", first_name="Lee", last_name="Chen")
    data = {
        "user": candidate.pk,
        "display_name": "Dr Lee Chen",
        "credentials": "MB ChB, rheumatologist",
        "slug": "lee-chen",
        "registration_body": RegistrationBody.GMC,
        "registration_number": "7654321",
        "registration_verified_on": timezone.localdate().isoformat(),
        "specialty": "",
        "bio": "",
    }
    add = reverse("admin:explainers_reviewer_add")
    for user in (publisher, reviewer):
        client.force_login(user)
        assert client.get(add).status_code == 403, user.username
        assert client.post(add, data).status_code == 403, user.username
    assert not Reviewer.objects.filter(user=candidate).exists()

    client.force_login(profile_manager)
    assert client.get(add).status_code == 200
    assert client.post(add, data).status_code == 302

    profile = Reviewer.objects.get(user=candidate)
    assert (profile.display_name, profile.registration_number) == ("Dr Lee Chen", "7654321")
    assert ReviewerProfileChange.objects.filter(
        reviewer=profile, actor=profile_manager, field="display_name", old_value="", new_value="Dr Lee Chen"
    ).exists()


def test_the_account_of_a_reviewer_profile_can_change_neither_in_the_admin_nor_in_the_database(client, superuser):
    profile = make_reviewer()
    account = profile.user_id
    other = make_user("Medical reviewers")  # has no profile, so only the account rule stands in the way
    client.force_login(superuser)
    assert 'name="user"' not in client.get(profile_url(profile)).content.decode()  # read-only

    response = client.post(profile_url(profile), profile_form_data(profile, user=other.pk))

    assert response.status_code == 302
    assert Reviewer.objects.get(pk=profile.pk).user_id == account
    assert not ReviewerProfileChange.objects.filter(reviewer=profile).exists()
    with pytest.raises(IntegrityError), transaction.atomic():
        Reviewer.objects.filter(pk=profile.pk).update(user=other)
    assert Reviewer.objects.get(pk=profile.pk).user_id == account
