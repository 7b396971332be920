"""Plain functions that build test data with explicit defaults."""

import datetime
import itertools
from contextlib import contextmanager
from unittest import mock

from django.contrib.auth.models import Group, User
from django.utils import timezone

from explainers.models import Condition, Explainer, Reference, RegistrationBody, Reviewer, ReviewKind

_counter = itertools.count(1)


def make_user(role=None, **fields):
    n = next(_counter)
    fields.setdefault("username", f"user{n}")
    fields.setdefault("is_staff", True)
    user = User.objects.create_user(password="a-long-test-password", **fields)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


def make_reviewer(user=None, **fields):
    """Create a reviewer profile whose registration was checked and interests declared today (so they may approve)."""
    n = next(_counter)
    user = user or make_user("Medical reviewers")
    fields.setdefault("display_name", f"Dr Reviewer {n}")
    fields.setdefault("credentials", "MD, rheumatologist")
    fields.setdefault("slug", f"reviewer-{n}")
    fields.setdefault("registration_body", RegistrationBody.GMC)
    fields.setdefault("registration_number", f"{7000000 + n}")
    fields.setdefault("registration_verified_on", timezone.localdate())
    fields.setdefault("interests_declaration", "None")
    fields.setdefault("interests_declared_on", timezone.localdate())
    return Reviewer.objects.create(user=user, **fields)


def make_condition(*, approved=True, **fields):
    """Create a condition; unless ``approved=False``, its details are approved through the real workflow."""
    n = next(_counter)
    fields.setdefault("name", f"Condition {n}")
    fields.setdefault("slug", f"condition-{n}")
    condition = Condition.objects.create(**fields)
    condition.record_edit(by=make_user("Authors"))
    if approved:
        approve_condition(condition)
    return condition


def approve_condition(condition, *, reviewer=None):
    """Approve a condition's current details as a medical reviewer who did not edit them."""
    reviewer = reviewer or make_reviewer()
    return condition.approve_description(by=reviewer.user, content_hash=condition.working_hash())


def make_explainer(*, sections=("The answer, in plain words.",), sources=(), author=None, **fields):
    """Create a draft explainer with sections (Markdown bodies) edited by ``author``."""
    n = next(_counter)
    if "condition" not in fields:  # not setdefault: that would make (and approve) a condition every time
        fields["condition"] = make_condition()
    fields.setdefault("question", f"What causes condition {n}?")
    fields.setdefault("slug", f"explainer-{n}")
    fields.setdefault("tldr", f"A short answer number {n}.")
    author = author or make_user("Authors")
    fields.setdefault("owner", author)
    explainer = Explainer.objects.create(created_by=author, **fields)
    for position, body in enumerate(sections):
        heading, _, text = body.partition("\n\n") if "\n\n" in body else ("", "", body)
        explainer.sections.create(heading=heading, body=text, position=position)
    for position, citation in enumerate(sources):
        reference = Reference.objects.create(citation=citation, url="https://example.org/paper")
        explainer.sources.create(reference=reference, position=position)
    explainer.record_edit(by=author)
    return explainer


def publish(explainer, *, reviewer=None, publisher=None, kind=ReviewKind.FULL, author=None):
    """Take an explainer through submit → approve → publish and return the approving review."""
    author = author or explainer.created_by
    reviewer = reviewer or make_reviewer()
    publisher = publisher or make_user("Publishers")
    version = explainer.submit_for_review(by=author)
    review = explainer.approve(by=reviewer.user, version=version, kind=kind)
    explainer.publish(by=publisher, version=version)
    explainer.refresh_from_db()
    return review


def make_published_explainer(**fields):
    explainer = make_explainer(**fields)
    publish(explainer)
    return explainer


@contextmanager
def today_is(day):
    """Run the workflow as if it were noon (UTC, the same date in London) on ``day``."""
    moment = datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC)
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield
