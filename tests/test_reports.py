"""
"Report a problem with this page": the site's first public write path, and the triage queue behind it.

A report is stored against the exact published version and section the reader saw; hostile input is
refused or neutralised with a clear message; nothing of a report is ever shown to the public; staff
with the triage permission move it new → acknowledged → resolved / dismissed, every step recorded.
"""

import datetime
from unittest import mock

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from explainers.models import Explainer, TransitionNotAllowed
from reports.models import Report, ReportStatus, TriageStep
from tests.browser import WIDTHS, screenshot
from tests.factories import make_published_explainer, make_user
from tests.nu_checker import describe, nu_checker_errors

SECRET = "Zanthoxylum-report-text-42"


@pytest.fixture(autouse=True)
def _empty_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def explainer(db):
    return make_published_explainer(
        question="What causes myositis?",
        sections=["Causes\n\nNobody knows exactly.", "Treatment\n\nSteroids, mostly."],
    )


@pytest.fixture
def triager(db):
    """A medical reviewer: the role is given the triage permission by reports' migration 0002."""
    return make_user("Medical reviewers", email="amina@example.org")


def report_url(explainer):
    return reverse("reports:report", args=[explainer.pk])


def send(client, explainer, **fields):
    data = {"kind": "factual_error", "section": "", "description": "The dose is wrong.", "email": "", "website": ""}
    return client.post(report_url(explainer), {**data, **fields}, REMOTE_ADDR=fields.pop("ip", "192.0.2.1"))


def make_report(explainer, **fields):
    fields.setdefault("kind", "out_of_date")
    fields.setdefault("description", "Old guidance.")
    return Report.objects.create(explainer=explainer, version=explainer.published_version, **fields)


# -- the form ---------------------------------------------------------------


def test_the_explainer_page_links_to_the_report_form_which_offers_its_sections(client, explainer):
    page = client.get(explainer.get_absolute_url())
    assertContains(page, f'<a href="{report_url(explainer)}">Report a problem with this page</a>', html=True)
    form = client.get(report_url(explainer))
    assertContains(form, '<option value="section-2">Treatment</option>', html=True)
    assertContains(form, "erase it 90 days after the report is closed")
    assertNotContains(page, "csrfmiddlewaretoken")


def test_the_privacy_note_follows_the_retention_setting(client, explainer, settings):
    settings.REPORT_CONTACT_RETENTION_DAYS = 30
    assertContains(client.get(report_url(explainer)), "erased 30 days after the report is closed")


def test_a_valid_report_is_stored_against_the_published_version_and_section(client, explainer):
    response = send(client, explainer, section="section-2", email="reader@example.org", kind="out_of_date")
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:received", args=[explainer.pk])
    report = Report.objects.get()
    assert report.version == explainer.published_version
    assert (report.section_position, report.section_anchor, report.section_heading) == (2, "section-2", "Treatment")
    assert (report.kind, report.status, report.email) == ("out_of_date", ReportStatus.NEW, "reader@example.org")
    received = client.get(response["Location"])
    assertContains(received, "your report was received")


def test_a_section_that_the_version_does_not_have_is_refused(client, explainer):
    assertContains(send(client, explainer, section="section-9"), "Select a valid choice")
    assert not Report.objects.exists()


def test_markup_is_stored_as_text_and_escaped_in_the_admin(client, explainer, triager):
    send(client, explainer, description='<script>alert("x")</script><b>bold</b>')
    report = Report.objects.get()
    assert report.description == '<script>alert("x")</script><b>bold</b>'
    client.force_login(triager)
    for url in (
        reverse("admin:reports_report_change", args=[report.pk]),
        reverse("admin:reports_report_triage", args=[report.pk, "resolve"]),
    ):
        page = client.get(url)
        assertContains(page, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;")
        assertNotContains(page, '<script>alert("x")')


def test_a_description_of_10000_characters_is_refused_with_a_message_and_the_text_kept(client, explainer):
    long_text = "wordy" * 2000
    response = send(client, explainer, description=long_text)
    assert response.status_code == 200
    assertContains(response, "Your description is too long: keep it to 2,000 characters (it has 10000)")
    assertContains(response, f">{long_text}</textarea>")
    assertContains(response, '<div class="error-summary" role="alert"', count=1)
    assert not Report.objects.exists()


def test_a_missing_description_or_kind_is_refused_with_messages(client, explainer):
    response = send(client, explainer, kind="", description="   ")
    assertContains(response, "Choose what is wrong with the page.")
    assertContains(response, "Describe the problem, so we can find and fix it.")
    assert not Report.objects.exists()


def test_control_characters_are_stripped(client, explainer):
    send(client, explainer, description="Line one\x00\x07\x1b[31m\r\nLine\ttwo\x7f")
    assert Report.objects.get().description == "Line one[31m\r\nLine\ttwo"


def test_a_report_without_a_csrf_token_is_refused(explainer):
    client = Client(enforce_csrf_checks=True)
    response = send(client, explainer)
    assert response.status_code == 403
    assertContains(response, "Your form could not be sent", status_code=403)
    assert not Report.objects.exists()


def test_a_report_with_the_csrf_token_of_its_page_is_accepted(explainer):
    client = Client(enforce_csrf_checks=True)
    form = client.get(report_url(explainer))
    token = form.context["csrf_token"]
    response = send(client, explainer, csrfmiddlewaretoken=str(token))
    assert response.status_code == 302
    assert Report.objects.count() == 1


def test_the_honeypot_is_hidden_from_people_and_a_filled_one_stores_nothing(client, explainer, mailoutbox):
    form = client.get(report_url(explainer))
    assertContains(form, '<div class="report-trap" aria-hidden="true">')
    assertContains(form, 'tabindex="-1"')
    response = send(client, explainer, website="http://spam.example")
    assert response.status_code == 302  # answered as if accepted
    assert response["Location"] == reverse("reports:received", args=[explainer.pk])
    assert not Report.objects.exists()
    assert mailoutbox == []


def test_the_rate_limit_per_address_answers_429_and_recovers_after_its_window(client, explainer, settings):
    settings.REPORT_RATE_PER_IP = 2
    start = 1_800_000_000.0  # the start of a window
    with mock.patch("reports.rate_limits.time.time", return_value=start):
        assert send(client, explainer).status_code == 302
        assert send(client, explainer).status_code == 302
        refused = send(client, explainer)
        assert refused.status_code == 429
        assertContains(refused, "Too many reports: please try again later", status_code=429)
        assertContains(refused, "try again in 60 minutes", status_code=429)
        assert refused["Retry-After"] == "3600"
        assert send(client, explainer, ip="198.51.100.7").status_code == 302  # another address is not held back
    with mock.patch("reports.rate_limits.time.time", return_value=start + settings.REPORT_RATE_WINDOW_SECONDS):
        assert send(client, explainer).status_code == 302
    assert Report.objects.count() == 4


def test_the_rate_limit_keys_on_the_client_address_the_proxies_vouch_for(client, explainer, settings):
    settings.REPORT_RATE_PER_IP = 1
    settings.TRUSTED_PROXY_COUNT = 1
    client.post(report_url(explainer), {"kind": "other", "description": "x"}, HTTP_X_FORWARDED_FOR="203.0.113.9")
    forged = client.post(
        report_url(explainer), {"kind": "other", "description": "x"}, HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9"
    )
    assert forged.status_code == 429


def test_the_rate_limit_per_page_holds_back_every_address(client, explainer, settings):
    settings.REPORT_RATE_PER_PAGE = 3
    for n in range(3):
        assert send(client, explainer, ip=f"192.0.2.{n + 10}").status_code == 302
    assert send(client, explainer, ip="192.0.2.99").status_code == 429
    other_page = make_published_explainer()
    assert send(client, other_page, ip="192.0.2.99").status_code == 302


def test_the_report_page_answers_only_get_head_and_post(client, explainer):
    for method in ("PUT", "DELETE", "OPTIONS", "TRACE"):
        response = client.generic(method, report_url(explainer))
        assertContains(response, "This address only takes a report sent from its form", status_code=405)
        assert response["Allow"] == "GET, HEAD, POST"
    refused = client.post(reverse("reports:received", args=[explainer.pk]))
    assert refused.status_code == 405 and refused["Allow"] == "GET, HEAD"
    assert client.head(report_url(explainer)).status_code == 200
    assert client.get(reverse("reports:report", args=[999999])).status_code == 404


# -- nothing public -------------------------------------------------------


def test_nothing_of_a_report_is_visible_on_public_pages(client, explainer):
    send(client, explainer, description=SECRET, email="secret-reader@example.org")
    assert Report.objects.filter(description=SECRET).exists()
    condition = explainer.published_version.condition
    for path in (
        explainer.get_absolute_url(),
        condition.get_absolute_url(),
        reverse("explainers:home"),
        reverse("explainers:reviewed_feed"),
        report_url(explainer),
        reverse("reports:received", args=[explainer.pk]),
    ):
        response = client.get(path)
        assertNotContains(response, SECRET)
        assertNotContains(response, "secret-reader")
    assert client.get(reverse("explainers:search") + f"?q={SECRET}").context["results"].count == 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("roles", "page_cache_on")
def test_the_report_page_is_never_served_from_or_stored_in_the_page_cache(django_assert_max_num_queries):
    explainer = make_published_explainer(question="What causes myositis?")
    client = Client()
    client.get(explainer.get_absolute_url())
    with django_assert_max_num_queries(0):  # the explainer page itself is cached...
        assert client.get(explainer.get_absolute_url()).status_code == 200
    for path in (report_url(explainer), reverse("reports:received", args=[explainer.pk])):
        # A new visitor is sent a CSRF cookie; one who already holds it is not, and must still not be cached.
        visitor = Client()
        for _ in range(3):
            response = visitor.get(path)
            assert response.status_code == 200
            assert response.context is not None, f"{path} was served from the page cache"
            assert "public" not in response["Cache-Control"]
            assert "no-store" in response["Cache-Control"] or "private" in response["Cache-Control"]


# -- e-mail ------------------------------------------------------------------


def test_factual_errors_email_the_medical_reviewers_and_the_pages_owner(
    client, explainer, mailoutbox, django_capture_on_commit_callbacks
):
    make_user("Medical reviewers", email="one@example.org")
    make_user("Medical reviewers", email="two@example.org")
    make_user("Medical reviewers", email="gone@example.org", is_active=False)
    make_user("Medical reviewers", email="")
    make_user("Authors", email="author@example.org")
    owner = make_user("Authors", email="owner@example.org")
    Explainer.objects.filter(pk=explainer.pk).update(owner=owner)
    with django_capture_on_commit_callbacks(execute=True):
        send(client, explainer, kind="factual_error", section="section-1", description="It says <b>5 mg</b>.")
    [email] = mailoutbox
    assert sorted(email.to) == ["one@example.org", "owner@example.org", "two@example.org"]
    assert "What causes myositis?" in email.subject
    assert "Section: Causes" in email.body
    assert "It says <b>5 mg</b>." in email.body  # plain text, sent as it was written
    assert reverse("admin:reports_report_change", args=[Report.objects.get().pk]) in email.body


def test_other_kinds_and_refused_reports_email_nobody(
    client, explainer, mailoutbox, django_capture_on_commit_callbacks
):
    make_user("Medical reviewers", email="one@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        send(client, explainer, kind="broken_link")
        send(client, explainer, kind="factual_error", website="spam")
    assert mailoutbox == []


# -- triage ---------------------------------------------------------------


def test_the_triage_states_are_recorded_with_notes(explainer, triager):
    resolved, dismissed = make_report(explainer), make_report(explainer)
    resolved.acknowledge(by=triager, note="Looking into it.")
    resolved.resolve(by=triager, note="Dose corrected in version 2.")
    dismissed.dismiss(by=triager, note="The page already says this.")
    resolved.refresh_from_db()
    assert resolved.status == ReportStatus.RESOLVED
    assert resolved.resolution_note == "Dose corrected in version 2."
    assert resolved.closed_at is not None
    steps = [(e.step, e.from_status, e.to_status, e.note, e.actor) for e in resolved.events.all()]
    assert steps == [
        ("acknowledge", "new", "acknowledged", "Looking into it.", triager),
        ("resolve", "acknowledged", "resolved", "Dose corrected in version 2.", triager),
    ]
    assert [(e.step, e.from_status, e.to_status) for e in dismissed.events.all()] == [("dismiss", "new", "dismissed")]


def test_resolve_or_dismiss_without_a_note_is_refused(explainer, triager, client):
    report = make_report(explainer)
    for step in (report.resolve, report.dismiss):
        with pytest.raises(TransitionNotAllowed, match="Write a resolution note"):
            step(by=triager, note="  ")
    client.force_login(triager)
    page = client.post(reverse("admin:reports_report_triage", args=[report.pk, "resolve"]), {"note": ""})
    assertContains(page, "Write a resolution note")
    report.refresh_from_db()
    assert report.status == ReportStatus.NEW and not report.events.exists()


def test_a_closed_report_cannot_change_again(explainer, triager):
    report = make_report(explainer)
    report.dismiss(by=triager, note="Spam.")
    with pytest.raises(TransitionNotAllowed, match="only possible for new or acknowledged reports"):
        report.resolve(by=triager, note="Changed my mind.")
    with pytest.raises(TransitionNotAllowed, match="only possible for new reports"):
        report.acknowledge(by=triager)


def test_triage_buttons_lead_to_note_pages_that_take_the_step(explainer, triager, client):
    report = make_report(explainer)
    client.force_login(triager)
    change = client.get(reverse("admin:reports_report_change", args=[report.pk]))
    for step in ("acknowledge", "resolve", "dismiss"):
        assertContains(change, reverse("admin:reports_report_triage", args=[report.pk, step]))
    response = client.post(
        reverse("admin:reports_report_triage", args=[report.pk, "resolve"]), {"note": "Fixed the link."}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.resolution_note) == (ReportStatus.RESOLVED, "Fixed the link.")
    change = client.get(reverse("admin:reports_report_change", args=[report.pk]))
    assertNotContains(change, reverse("admin:reports_report_triage", args=[report.pk, "dismiss"]))
    assertContains(change, "Fixed the link.")


def test_the_acknowledge_action_acknowledges_new_reports_one_by_one(explainer, triager, client):
    new, closed = make_report(explainer), make_report(explainer)
    closed.dismiss(by=triager, note="Duplicate.")
    client.force_login(triager)
    response = client.post(
        reverse("admin:reports_report_changelist"),
        {"action": "acknowledge_selected", "_selected_action": [new.pk, closed.pk]},
        follow=True,
    )
    assertContains(response, "Acknowledged 1 report.")
    assertContains(response, "only possible for new reports")
    new.refresh_from_db()
    closed.refresh_from_db()
    assert (new.status, closed.status) == (ReportStatus.ACKNOWLEDGED, ReportStatus.DISMISSED)


def test_a_publisher_can_start_a_re_review_which_makes_the_explainer_due_today(explainer):
    publisher = make_user("Publishers")
    report = make_report(explainer)
    report.start_re_review(by=publisher, note="Guidance changed in 2026.")
    explainer.refresh_from_db()
    assert explainer.next_review_due == timezone.localdate()
    [event] = report.events.all()
    assert (event.step, event.note, event.actor) == (TriageStep.START_RE_REVIEW, "Guidance changed in 2026.", publisher)


def test_a_re_review_is_refused_with_the_models_reason(explainer, triager, client):
    report = make_report(explainer)  # a medical reviewer may triage, but not schedule reviews
    with pytest.raises(TransitionNotAllowed, match="Your role cannot schedule reviews."):
        report.start_re_review(by=triager)
    client.force_login(triager)
    change = client.get(reverse("admin:reports_report_change", args=[report.pk]))
    assertContains(change, "Start a re-review: Your role cannot schedule reviews.")
    response = client.post(reverse("admin:reports_report_triage", args=[report.pk, "start_re_review"]), follow=True)
    assertContains(response, "Your role cannot schedule reviews.")
    assert not report.events.exists()


def test_only_staff_with_the_permission_can_triage(explainer, triager, client):
    report = make_report(explainer)
    change = reverse("admin:reports_report_change", args=[report.pk])
    triage = reverse("admin:reports_report_triage", args=[report.pk, "acknowledge"])
    assert client.get(triage).status_code == 302  # anonymous: to the sign-in page
    assert "/admin/login/" in client.get(triage)["Location"]
    author = make_user("Authors")
    client.force_login(author)
    assert client.get(change).status_code == 403
    assert client.post(triage).status_code == 403
    viewer = make_user()
    viewer.user_permissions.add(Permission.objects.get(codename="view_report"))
    client.force_login(viewer)
    assert client.get(change).status_code == 200
    assert client.post(triage).status_code == 403
    with pytest.raises(TransitionNotAllowed, match="Your role cannot triage"):
        report.acknowledge(by=viewer)
    client.force_login(triager)
    assert client.post(triage).status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.ACKNOWLEDGED


def test_the_admin_pages_open(explainer, triager, client):
    report = make_report(explainer, section_position=1, section_anchor="section-1", section_heading="Causes")
    make_report(explainer).dismiss(by=triager, note="No.")
    client.force_login(triager)
    changelist = reverse("admin:reports_report_changelist")
    listing = client.get(changelist)
    assertContains(listing, "Causes")
    assert [r.status for r in listing.context["cl"].result_list] == [ReportStatus.NEW, ReportStatus.DISMISSED]
    assertContains(client.get(changelist + "?q=Old+guidance"), "Causes")
    assertContains(client.get(changelist + "?status__exact=new&kind__exact=out_of_date"), "1 report")
    assert client.get(reverse("admin:reports_report_change", args=[report.pk])).status_code == 200
    assert client.get(reverse("admin:reports_report_add")).status_code == 403
    assert client.get(reverse("admin:reports_report_delete", args=[report.pk])).status_code == 403


# -- retention --------------------------------------------------------------


def test_the_email_is_erased_after_the_retention_period_and_not_before(explainer, triager, settings, capsys):
    settings.REPORT_CONTACT_RETENTION_DAYS = 90
    closed_long_ago, closed_recently, still_open = (make_report(explainer, email="r@example.org") for _ in range(3))
    closed_long_ago.resolve(by=triager, note="Fixed.")
    closed_recently.dismiss(by=triager, note="Not an error.")
    now = timezone.now()
    Report.objects.filter(pk=closed_long_ago.pk).update(closed_at=now - datetime.timedelta(days=91))
    Report.objects.filter(pk=closed_recently.pk).update(closed_at=now - datetime.timedelta(days=89))
    Report.objects.filter(pk=still_open.pk).update(created_at=now - datetime.timedelta(days=400))

    call_command("purge_report_contacts")
    assert "Erased the e-mail address of 1 report closed more than 90 days ago." in capsys.readouterr().out
    emails = dict(Report.objects.values_list("pk", "email"))
    assert emails == {closed_long_ago.pk: "", closed_recently.pk: "r@example.org", still_open.pk: "r@example.org"}
    closed_long_ago.refresh_from_db()
    assert closed_long_ago.contact_erased_at is not None
    assert closed_long_ago.events.last().step == TriageStep.ERASE_CONTACT

    call_command("purge_report_contacts")  # idempotent
    assert "of 0 reports" in capsys.readouterr().out
    assert closed_long_ago.events.filter(step=TriageStep.ERASE_CONTACT).count() == 1


# -- accessibility of the states a GET cannot reach ---------------------------------


@pytest.mark.browser
@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_the_form_with_errors_and_the_429_page_pass_axe(live_server, roles, demo, open_page, settings, width):
    from axe_playwright_python.sync_playwright import Axe

    from tests.browser import describe_violations

    page = open_page(width=width)
    page.goto(live_server.url + report_url(demo), wait_until="load")
    page.fill("#id_description", "x" * 2001)
    page.click(".report-form button[type=submit]")  # no JavaScript involved: the server answers with the errors
    page.wait_for_load_state("load")
    assert page.locator(".error-summary").is_visible()
    screenshot(page, f"report-form-errors-{width}")
    violations = Axe().run(page).response["violations"]
    assert not violations, describe_violations(violations)

    settings.REPORT_RATE_PER_IP = 0
    page.goto(live_server.url + report_url(demo), wait_until="load")
    page.check("#id_kind_0")
    page.fill("#id_description", "The dose is wrong.")
    with page.expect_response(lambda response: response.request.method == "POST") as answer:
        page.click(".report-form button[type=submit]")
    assert answer.value.status == 429
    page.wait_for_load_state("load")
    screenshot(page, f"report-rate-limited-{width}")
    violations = Axe().run(page).response["violations"]
    assert not violations, describe_violations(violations)
    assert not Report.objects.exists()


def test_the_form_with_errors_and_the_429_page_are_valid_html(client, explainer, settings, tmp_path):
    (tmp_path / "report-errors.html").write_bytes(send(client, explainer, kind="", description="x" * 2001).content)
    settings.REPORT_RATE_PER_IP = 0
    refused = send(client, explainer)
    assert refused.status_code == 429
    (tmp_path / "report-429.html").write_bytes(refused.content)
    errors = nu_checker_errors(sorted(tmp_path.iterdir()))
    assert errors == [], describe(errors)


def test_the_admin_index_counts_reports_awaiting_triage_for_those_who_may_triage(explainer, triager, client):
    make_report(explainer)
    make_report(explainer)
    make_report(explainer).dismiss(by=triager, note="Duplicate.")
    client.force_login(triager)
    index = client.get(reverse("admin:index"))
    assertContains(index, "Reader reports awaiting triage")
    assertContains(index, "2 new reports</a>")
    client.force_login(make_user("Authors"))
    assertNotContains(client.get(reverse("admin:index")), "Reader reports awaiting triage")


def test_a_report_sent_after_the_page_was_updated_is_held_back_with_the_text_kept(client, explainer):
    from tests.factories import publish

    shown = explainer.published_version.pk
    section = explainer.sections.get(position=1)
    section.heading = "How it is treated now"
    section.save()
    explainer.record_edit(by=explainer.created_by)
    publish(explainer)
    response = send(client, explainer, version=shown, section="section-2", description="Kept text.")
    assertContains(response, "The page was updated while you were writing")
    assertContains(response, "Kept text.</textarea>")
    assertContains(response, '<option value="section-2" selected>How it is treated now</option>', html=True)
    assert not Report.objects.exists()
    send(client, explainer, version=explainer.published_version.pk, section="section-2")
    assert Report.objects.get().section_heading == "How it is treated now"
