"""
A decision is a signature: approving, requesting changes, publishing and approving condition
details each need the person's password or a one-time code on the decision form itself, and the
record stores how each was signed (21 CFR 11: a signature bound to its record, made with the
signer's credentials at signing).
"""

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from pytest_django.asserts import assertContains

from accounts.signatures import NOT_YOU
from explainers.models import EventAction, ExplainerEvent, Review, ReviewKind, SignedWith, Status
from tests.admin_forms import condition_approval_fields, version_fields, workflow_url
from tests.factories import make_condition, make_explainer

REQUIRED = "Sign the decision: type your password or a one-time code."


def submitted(author):
    explainer = make_explainer(author=author)
    explainer.submit_for_review(by=author)
    return explainer


def decision(explainer, choice, comments="", **signature):
    """What the review page posts: the version it showed, the decision, and (unless replaced) the password."""
    return {**version_fields(explainer.latest_version()), "decision": choice, "comments": comments, **signature}


def current_code(device):
    """The code an authenticator app shows now for ``device``."""
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):0{device.digits}d}"


@pytest.mark.parametrize(
    ("signature", "message"), [({"signature": ""}, REQUIRED), ({"signature": "not-my-password"}, NOT_YOU)]
)
def test_an_unsigned_or_wrongly_signed_approval_approves_nothing_and_keeps_the_comment(
    client, author, reviewer, signature, message
):
    explainer = submitted(author)
    client.force_login(reviewer)
    response = client.post(
        workflow_url("review", explainer), decision(explainer, ReviewKind.FULL, "Clear and accurate.", **signature)
    )
    assert response.status_code == 200
    assertContains(response, message)
    assertContains(response, "Clear and accurate.")  # what they typed is still there
    assert not Review.objects.filter(explainer=explainer).exists()
    explainer.refresh_from_db()
    assert explainer.status == Status.IN_REVIEW


def test_an_approval_signed_with_the_password_records_that_it_was_re_authenticated(client, author, reviewer):
    explainer = submitted(author)
    client.force_login(reviewer)
    client.post(workflow_url("review", explainer), decision(explainer, ReviewKind.FULL))
    review = Review.objects.get(explainer=explainer)
    assert review.signed_with == SignedWith.PASSWORD
    assert (
        ExplainerEvent.objects.get(explainer=explainer, action=EventAction.APPROVED).signed_with == SignedWith.PASSWORD
    )


def test_an_approval_signed_with_a_one_time_code_records_the_code(client, author, reviewer):
    device = TOTPDevice.objects.create(user=reviewer, name="Phone", confirmed=True)
    explainer = submitted(author)
    client.force_login(reviewer)
    session = client.session  # signed in with a code earlier (a code is never accepted twice)
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    client.post(workflow_url("review", explainer), decision(explainer, ReviewKind.FULL, signature=current_code(device)))
    assert Review.objects.get(explainer=explainer).signed_with == SignedWith.ONE_TIME_CODE


def test_requesting_changes_is_signed_too(client, author, reviewer):
    explainer = submitted(author)
    client.force_login(reviewer)
    unsigned = decision(explainer, ReviewKind.CHANGES_REQUESTED, "Cite the trial.", signature="")
    assertContains(client.post(workflow_url("review", explainer), unsigned), REQUIRED)
    client.post(workflow_url("review", explainer), decision(explainer, ReviewKind.CHANGES_REQUESTED, "Cite the trial."))
    assert Review.objects.get(explainer=explainer).signed_with == SignedWith.PASSWORD


def test_publishing_needs_a_signature_and_records_it(client, author, reviewer, publisher):
    explainer = submitted(author)
    version = explainer.latest_version()
    explainer.approve(by=reviewer, version=version)
    client.force_login(publisher)
    page = client.get(workflow_url("publish", explainer))
    assertContains(page, "Sign with your password or a one-time code")
    response = client.post(workflow_url("publish", explainer), {**version_fields(version), "signature": "guess"})
    assertContains(response, NOT_YOU)
    explainer.refresh_from_db()
    assert not explainer.is_public

    client.post(workflow_url("publish", explainer), version_fields(version))
    explainer.refresh_from_db()
    assert explainer.is_public
    published = ExplainerEvent.objects.get(explainer=explainer, action=EventAction.PUBLISHED)
    assert published.signed_with == SignedWith.PASSWORD


def test_approving_condition_details_needs_a_signature(client, reviewer):
    condition = make_condition(name="Gout", slug="gout", approved=False)
    url = reverse("admin:explainers_condition_approve_description", args=[condition.pk])
    client.force_login(reviewer)
    response = client.post(url, {**condition_approval_fields(condition), "signature": ""})
    assertContains(response, REQUIRED)
    condition.refresh_from_db()
    assert condition.approved_description is None

    client.post(url, condition_approval_fields(condition))
    condition.refresh_from_db()
    assert condition.approved_description.signed_with == SignedWith.PASSWORD


def test_wrong_signatures_count_towards_the_sign_in_lockout(client, settings, author, reviewer):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    explainer = submitted(author)
    client.force_login(reviewer)
    for _ in range(3):
        client.post(workflow_url("review", explainer), decision(explainer, ReviewKind.FULL, signature="guess"))
    response = client.post(workflow_url("review", explainer), decision(explainer, ReviewKind.FULL))
    assert response.status_code == 429  # django-axes' lockout page, as at sign-in
    assert not Review.objects.filter(explainer=explainer).exists()


def test_how_a_decision_was_signed_is_covered_by_the_record_chain(client, author, reviewer):
    explainer = submitted(author)
    unsigned = explainer.approve(by=reviewer, version=explainer.latest_version())  # e.g. demo content
    assert "signed_with" not in unsigned.chain_payload()  # rows written before signatures hash as they did
    other = submitted(author)
    client.force_login(reviewer)
    client.post(workflow_url("review", other), decision(other, ReviewKind.FULL))
    signed = Review.objects.get(explainer=other)
    assert signed.chain_payload()["signed_with"] == SignedWith.PASSWORD
    call_command("verify_records")  # raises if any chain is broken
