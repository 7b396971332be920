"""
The whole editorial workflow in a real browser: edit, submit, review, approve, publish, read.

Each person signs in in a fresh browser context, as they would on their own computer.
Screenshots of each step land in artifacts/screenshots/workflow-*.png for a human look.
"""

import datetime
import re
from unittest import mock

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from explainers.models import add_months
from tests.browser import WIDTHS, screenshot
from tests.factories import make_explainer, make_reviewer, make_user, publish

PASSWORD = "a-long-test-password"  # the one tests.factories.make_user gives everyone
OLD_TEXT = "Nobody knows exactly what causes it."
NEW_TEXT = "Researchers think **sunlight** can set off a flare in some people."
NEW_TEXT_SHOWN = "Researchers think sunlight can set off a flare in some people."
LAST_REVIEW = datetime.datetime(2026, 1, 10, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def people(roles):
    """Return the author, medical reviewer and publisher, each able to sign in with PASSWORD."""
    reviewer = make_reviewer(
        make_user("Medical reviewers", username="reviewer"),
        display_name="Dr Amina Okafor",
        credentials="MD, rheumatologist",
        slug="amina-okafor",
    )
    return make_user("Authors", username="author"), reviewer.user, make_user("Publishers", username="publisher")


@pytest.fixture
def explainer(people):
    """Return an explainer published after a full review in January, so a new review shows a new date."""
    author = people[0]
    with mock.patch("django.utils.timezone.now", return_value=LAST_REVIEW):
        explainer = make_explainer(
            question="What causes dermatomyositis?", sections=[f"Causes\n\n{OLD_TEXT}"], author=author
        )
        publish(explainer, author=author, reviewer=make_reviewer(display_name="Dr Earlier Reviewer"))
    explainer.refresh_from_db()
    assert explainer.public_review.reviewed_on == datetime.date(2026, 1, 10)
    return explainer


def sign_in(open_page, live_server, username):
    """Open a fresh browser context and sign in to the admin as ``username``; return the page."""
    page = open_page()
    page.goto(f"{live_server.url}/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    expect(page).to_have_url(f"{live_server.url}/admin/")
    return page


def expect_message(page, text):
    expect(page.locator("ul.messagelist li.success")).to_contain_text(text)


@pytest.mark.browser
def test_explainer_goes_from_author_through_review_and_publication_to_the_public_page(
    live_server, explainer, open_page
):
    public_url = live_server.url + explainer.get_absolute_url()
    change_url = f"{live_server.url}/admin/explainers/explainer/{explainer.pk}/change/"
    today = timezone.localdate()

    # The author rewrites the section in the Markdown editor, whose live preview renders it.
    page = sign_in(open_page, live_server, "author")
    page.goto(change_url)
    body = page.locator("#id_sections-0-body")
    expect(body).to_have_value(OLD_TEXT)
    body.click()
    body.press("ControlOrMeta+a")
    body.press_sequentially(NEW_TEXT)  # real key presses, so markdownx hears the input and asks for a preview
    preview = page.locator("#id_sections-0-body ~ .markdownx-preview")
    expect(preview.locator("strong")).to_have_text("sunlight")
    expect(preview).to_contain_text(NEW_TEXT_SHOWN)
    screenshot(page, "workflow-01-author-editor-preview")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator("ul.messagelist")).to_contain_text("was changed successfully")
    expect(page.locator("#id_sections-0-body")).to_have_value(NEW_TEXT)
    screenshot(page, "workflow-02-author-saved")
    page.get_by_role("link", name="Submit for review").click()
    expect(page.get_by_role("heading", name="Submit for review")).to_be_visible()
    # The page has been public, so readers will see a line on what changed in its history.
    page.get_by_label("What changed, for readers").fill("Added what research says about sunlight.")
    screenshot(page, "workflow-03-author-submit-confirm")
    page.get_by_role("button", name="Submit for review").click()
    expect_message(page, "Submitted version 2 of “What causes dermatomyositis?” for clinical review.")
    expect(page.locator(".workflow-status")).to_contain_text(re.compile("in clinical review", re.IGNORECASE))
    screenshot(page, "workflow-04-author-submitted")

    # The medical reviewer finds it in their queue, reads the changes and approves them.
    page = sign_in(open_page, live_server, "reviewer")
    queue = page.locator(".review-queue-awaiting_review")
    expect(queue.locator("caption")).to_contain_text("Awaiting your review")
    screenshot(page, "workflow-05-reviewer-queue")
    queue.get_by_role("link", name="What causes dermatomyositis?").click()
    expect(page.get_by_role("heading", name="What changed")).to_be_visible()
    section_diff = page.locator(".diff-section").filter(has_text="Causes")
    expect(section_diff.locator("ins")).to_contain_text(["sunlight"])
    expect(section_diff.locator("del")).to_contain_text(["Nobody knows exactly"])
    expect(page.locator(".explainer-preview strong", has_text=re.compile("^sunlight$"))).to_be_visible()
    screenshot(page, "workflow-06-reviewer-diff")
    # An approval is a signature: the reviewer types their password again on the decision form.
    page.get_by_label("Sign with your password or a one-time code").fill(PASSWORD)
    page.get_by_role("button", name="Approve as full clinical review").click()
    expect_message(page, "Approved version 2 of “What causes dermatomyositis?” (full clinical review)")
    expect(page.locator(".workflow-status")).to_contain_text(re.compile("approved", re.IGNORECASE))
    screenshot(page, "workflow-07-reviewer-approved")

    # Approved is not published: the public still reads the old text.
    page = open_page()
    page.goto(public_url)
    expect(page.locator("article.explainer")).to_contain_text(OLD_TEXT)
    expect(page.locator("article.explainer")).not_to_contain_text(NEW_TEXT_SHOWN)
    expect(page.locator(".reviewed-by time")).to_have_attribute("datetime", "2026-01-10")
    screenshot(page, "workflow-08-public-before-publishing")

    # The publisher publishes the approved version.
    page = sign_in(open_page, live_server, "publisher")
    page.locator(".review-queue-awaiting_publication").get_by_role("link", name="What causes dermatomyositis?").click()
    page.locator(".workflow-panel").get_by_role("link", name="Publish").click()
    expect(page.get_by_role("heading", name="Publish")).to_be_visible()
    page.get_by_label("Sign with your password or a one-time code").fill(PASSWORD)
    screenshot(page, "workflow-09-publisher-confirm")
    page.get_by_role("button", name="Publish").click()
    expect_message(page, "is now on the public site")
    expect(page.locator(".workflow-status")).to_have_text(re.compile(r"Status: Published(?!, with)"))
    screenshot(page, "workflow-10-publisher-published")

    # Anyone now reads the new text, reviewed today by the reviewer who approved it.
    for name, width in WIDTHS.items():
        page = open_page(width=width)
        page.goto(public_url)
        article = page.locator("article.explainer")
        expect(article).to_contain_text(NEW_TEXT_SHOWN)
        expect(article.locator("strong")).to_have_text("sunlight")
        expect(article).not_to_contain_text(OLD_TEXT)
        reviewed_by = page.locator(".reviewed-by")
        expect(reviewed_by).to_contain_text(re.compile(r"Medically reviewed by Dr Amina Okafor, MD, rheumatologist on"))
        expect(reviewed_by.locator("time")).to_have_attribute("datetime", today.isoformat())
        expect(reviewed_by.locator("time")).to_have_text(f"{today.day} {today:%B %Y}")
        next_review = page.locator(".next-review time")
        expect(next_review).to_have_attribute("datetime", add_months(today, 12).isoformat())
        screenshot(page, f"workflow-11-public-after-publishing-{name}")


@pytest.mark.browser
def test_a_reviewer_marks_a_source_superseded_and_the_visitor_sees_the_pages_notice(live_server, people, open_page):
    from explainers.models import Reference

    old = Reference.objects.create(citation="NICE. Myositis (NG999). 2019.", url="https://www.nice.org.uk/ng999")
    Reference.objects.create(citation="NICE. Myositis (NG999). 2026 update.", url="https://www.nice.org.uk/ng999/2026")
    explainer = make_explainer(question="How is myositis treated?", author=people[0])
    explainer.sources.create(reference=old, position=0)
    explainer.record_edit(by=people[0])
    publish(explainer, author=people[0])
    public_url = live_server.url + explainer.get_absolute_url()

    page = sign_in(open_page, live_server, "reviewer")
    page.goto(f"{live_server.url}/admin/explainers/reference/{old.pk}/change/")
    page.get_by_role("link", name="Mark superseded or retracted").click()
    expect(page.get_by_role("heading", name="1 published page will be flagged")).to_be_visible()
    # One request at a time: the live server shares one database connection between its threads.
    page.wait_for_load_state("networkidle")
    page.get_by_label("Superseded by a newer source").check()
    page.locator(".select2-selection").click()
    page.locator(".select2-search__field").fill("2026")
    page.locator(".select2-results__option", has_text="2026 update").click()
    page.wait_for_load_state("networkidle")
    page.get_by_label("Note for owners and reviewers").fill("The 2026 update changes the first-line treatment.")
    screenshot(page, "workflow-12-reviewer-marks-source-superseded")
    page.get_by_role("button", name="Mark and flag the pages").click()
    expect_message(page, "1 published page relying on it is flagged for re-review")
    page.goto(f"{live_server.url}/admin/")
    flagged = page.locator(".review-queue-flagged")
    expect(flagged).to_contain_text("How is myositis treated?")
    expect(flagged).to_contain_text("The 2026 update changes the first-line treatment.")
    screenshot(page, "workflow-13-reviewer-queue-flagged")

    for name, width in WIDTHS.items():
        page = open_page(width=width)
        page.goto(public_url)
        notice = page.locator(".review-facts .under-review")
        expect(notice).to_contain_text("a source this page relies on was updated (NICE. Myositis (NG999). 2019.)")
        expect(notice.locator("time")).to_have_attribute("datetime", timezone.localdate().isoformat())
        screenshot(page, f"workflow-14-public-under-review-{name}")
