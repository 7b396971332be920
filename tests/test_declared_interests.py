"""
Declared interests: a reviewer's profile carries a declaration of interests ("None" is one) and its
date; each review freezes the declaration as it stood that day; the public reviewer page shows the
current one; an approval is refused when the declaration is missing or older than the site allows.
"""

import datetime

import pytest
from django.utils import timezone
from pytest_django.asserts import assertContains

from explainers.models import SiteSettings, TransitionNotAllowed
from tests.factories import make_explainer, make_reviewer


def submitted():
    explainer = make_explainer()
    return explainer, explainer.submit_for_review(by=explainer.created_by)


def test_a_stale_declaration_refuses_an_approval_with_the_reason(db):
    long_ago = timezone.localdate() - datetime.timedelta(days=400)
    reviewer = make_reviewer(interests_declared_on=long_ago)
    explainer, version = submitted()
    with pytest.raises(TransitionNotAllowed, match="Your declaration of interests was made on .* more than 12 months"):
        explainer.approve(by=reviewer.user, version=version)
    assert not explainer.reviews.exists()


def test_the_period_is_a_site_setting(db):
    reviewer = make_reviewer(interests_declared_on=timezone.localdate() - datetime.timedelta(days=100))
    site = SiteSettings.load()
    site.interests_declaration_months = 3
    site.save()
    explainer, version = submitted()
    with pytest.raises(TransitionNotAllowed, match="more than 3 months"):
        explainer.approve(by=reviewer.user, version=version)


def test_a_missing_declaration_refuses_an_approval_and_the_review_page_says_why(client, db):
    reviewer = make_reviewer(interests_declaration="", interests_declared_on=None)
    explainer, version = submitted()
    with pytest.raises(TransitionNotAllowed, match="You have not declared your interests"):
        explainer.approve(by=reviewer.user, version=version)
    client.force_login(reviewer.user)
    page = client.get(f"/admin/explainers/explainer/{explainer.pk}/review/")
    assertContains(page, "You have not declared your interests")


def test_the_review_keeps_the_declaration_as_it_stood_even_after_the_profile_changes(db):
    today = timezone.localdate()
    reviewer = make_reviewer(interests_declaration="Consultancy fees from Example Pharma (2025).")
    explainer, version = submitted()
    review = explainer.approve(by=reviewer.user, version=version)
    reviewer.interests_declaration = "None"
    reviewer.save()
    review.refresh_from_db()
    assert review.reviewer_interests == (
        f"Consultancy fees from Example Pharma (2025). (declared {today.day} {today:%B} {today.year})"
    )
    assert review.chain_payload()["reviewer_interests"] == review.reviewer_interests  # inside the record's chain


def test_the_public_reviewer_page_shows_the_current_declaration_and_its_date(client, demo):
    reviewer = demo.public_review.reviewer
    response = client.get(reviewer.get_absolute_url())
    assertContains(response, "<dt>Declared interests</dt>", html=True)
    assertContains(response, "None. (A demonstration profile")
    assertContains(response, f'(declared on <time datetime="{reviewer.interests_declared_on.isoformat()}">')
