"""The daily reminder digest: each person hears once a day, about what is theirs to do."""

import datetime
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.utils import timezone

from explainers.models import EventAction, Explainer, Reference, ReminderSent, SiteSettings
from tests.admin_forms import change_url, explainer_form_data
from tests.factories import make_explainer, make_published_explainer, make_reviewer, make_user, publish, today_is

pytestmark = pytest.mark.django_db


def run():
    out = StringIO()
    call_command("send_review_reminders", stdout=out)
    return out.getvalue()


def reviewer_with_email(email, username):
    return make_reviewer(make_user("Medical reviewers", username=username, email=email)).user


def overdue_by(explainer, days):
    Explainer.objects.filter(pk=explainer.pk).update(next_review_due=timezone.localdate() - datetime.timedelta(days))


def mail_to(mailoutbox, user):
    [email] = [email for email in mailoutbox if email.to == [user.email]]
    return email


def html_of(email):
    [(html, mimetype)] = email.alternatives
    assert mimetype == "text/html"
    return html


def test_each_reviewer_gets_the_explainers_awaiting_review_with_admin_links(mailoutbox, settings):
    settings.SITE_URL = "https://condinfo.example"
    reviewer = reviewer_with_email("amina@example.org", "amina")
    author = make_user("Authors")
    explainer = make_explainer(author=author, question="Is it inherited?")
    explainer.submit_for_review(by=author)

    output = run()

    [email] = mailoutbox
    assert email.to == ["amina@example.org"] == [reviewer.email]
    assert email.subject == "condinfo reviews: 1 awaiting your review"
    link = f"https://condinfo.example/admin/explainers/explainer/{explainer.pk}/review/"
    assert "Is it inherited?" in email.body and link in email.body
    assert f'href="{link}"' in html_of(email)
    assert "Sent 1 reminder;" in output


def test_a_reviewer_is_not_asked_to_review_what_they_edited(mailoutbox):
    editing_reviewer = reviewer_with_email("edits@example.org", "edits")
    other = reviewer_with_email("other@example.org", "other")
    author = make_user("Authors")
    explainer = make_explainer(author=author, question="Can diet help?")
    explainer.record_edit(by=editing_reviewer)
    explainer.submit_for_review(by=author)

    output = run()

    assert [email.to for email in mailoutbox] == [[other.email]]
    assert "1 person had nothing to do" in output


def test_owners_hear_about_their_own_pages_only(mailoutbox):
    amina = make_user("Authors", email="amina@example.org")
    ben = make_user("Authors", email="ben@example.org")
    overdue = make_published_explainer(question="What is the outlook?", author=amina)
    soon = make_published_explainer(question="How is it diagnosed?", author=amina)
    make_published_explainer(question="Is it rare?", author=amina)  # due in a year: not mentioned
    bens = make_published_explainer(question="Can children get it?", author=ben)
    overdue_by(overdue, 2)
    overdue_by(bens, 3)
    Explainer.objects.filter(pk=soon.pk).update(next_review_due=timezone.localdate() + datetime.timedelta(days=20))

    run()

    aminas = mail_to(mailoutbox, amina)
    assert aminas.subject == "condinfo reviews: 1 overdue, 1 due within 30 days"
    overdue_part, soon_part = aminas.body.split("due for review within 30 days")
    assert "What is the outlook?" in overdue_part and "How is it diagnosed?" in soon_part
    assert "Is it rare?" not in aminas.body and "Can children get it?" not in aminas.body
    assert mail_to(mailoutbox, ben).subject == "condinfo reviews: 1 overdue"


def test_owners_hear_when_a_reviewer_sent_their_page_back(mailoutbox):
    author = make_user("Authors", email="writer@example.org")
    reviewer = make_reviewer()
    explainer = make_explainer(author=author, question="Does it go away?")
    version = explainer.submit_for_review(by=author)
    explainer.request_changes(by=reviewer.user, version=version, comments="Cite the 2024 guideline.")

    run()

    [email] = mailoutbox
    assert email.to == [author.email]
    assert email.subject == "condinfo reviews: 1 with changes requested"
    assert "Does it go away?" in email.body


def test_pages_overdue_past_the_threshold_are_escalated_to_publishers_with_their_owner(mailoutbox):
    publisher = make_user("Publishers", email="pub@example.org")
    owner = make_user("Authors", first_name="Chidi", last_name="Obi")
    late = make_published_explainer(question="Is surgery needed?", author=owner)
    recent = make_published_explainer(question="Is it painful?", author=owner)
    overdue_by(late, 31)
    overdue_by(recent, 30)

    run()

    email = mail_to(mailoutbox, publisher)
    assert email.subject == "condinfo reviews: 1 escalated"
    assert "overdue for review by more than 30 days" in email.body
    assert "Is surgery needed?" in email.body and "owner: Chidi Obi" in email.body
    assert "Is it painful?" not in email.body


def test_the_escalation_threshold_is_a_site_setting(mailoutbox):
    publisher = make_user("Publishers", email="pub@example.org")
    overdue_by(make_published_explainer(question="Is it painful?"), 8)
    SiteSettings.objects.filter(pk=1).update(escalate_overdue_after_days=7)

    run()

    email = mail_to(mailoutbox, publisher)
    assert "overdue for review by more than 7 days" in email.body and "Is it painful?" in email.body


def test_publishers_are_told_of_pages_with_no_owner_or_an_owner_who_left(mailoutbox):
    publisher = make_user("Publishers", email="pub@example.org")
    make_explainer(question="Orphaned draft?", owner=None)
    leaver = make_user("Authors")
    make_published_explainer(question="Whose is this?", author=leaver)
    leaver.is_active = False
    leaver.save()
    make_explainer(question="Looked after?")

    run()

    email = mail_to(mailoutbox, publisher)
    assert email.subject == "condinfo reviews: 2 with no owner"
    assert "Orphaned draft?" in email.body and "Whose is this?" in email.body
    assert "Looked after?" not in email.body


def test_one_person_gets_one_email_with_plain_text_and_html_parts(mailoutbox):
    both = make_reviewer(make_user("Medical reviewers", email="both@example.org")).user
    both.groups.add(*make_user("Publishers").groups.all())
    overdue_by(make_published_explainer(question="<b>Is it</b> catching?", author=both), 40)
    author = make_user("Authors")
    make_explainer(author=author, question="Awaiting?").submit_for_review(by=author)

    run()

    [email] = mailoutbox
    assert email.subject == "condinfo reviews: 1 awaiting your review, 1 overdue"  # not escalated to themself
    html = html_of(email)
    assert "&lt;b&gt;Is it&lt;/b&gt; catching?" in html and "<b>Is it</b>" not in html
    assert "<b>Is it</b> catching?" in email.body  # plain text is not HTML-escaped


def test_a_second_run_on_the_same_day_sends_nothing_twice_but_the_next_day_does(mailoutbox):
    owner = make_user("Authors", email="owner@example.org")
    overdue_by(make_published_explainer(author=owner), 5)
    today = timezone.localdate()

    with today_is(today):
        run()
        output = run()
    assert len(mailoutbox) == 1
    assert "Sent 0 reminders" in output and "1 person already had today's." in output

    with today_is(today + datetime.timedelta(days=1)):
        run()
    assert len(mailoutbox) == 2


def test_a_failed_send_is_not_recorded_so_the_next_run_retries(mailoutbox):
    owner = make_user("Authors", email="owner@example.org")
    overdue_by(make_published_explainer(author=owner), 5)

    with mock.patch("django.core.mail.EmailMultiAlternatives.send", side_effect=OSError("mail server down")):
        with pytest.raises(OSError):
            run()
    assert not ReminderSent.objects.exists()

    run()
    assert [email.to for email in mailoutbox] == [[owner.email]]


def test_nobody_is_emailed_when_there_is_nothing_to_do(mailoutbox):
    reviewer_with_email("amina@example.org", "amina")
    make_published_explainer()
    output = run()
    assert mailoutbox == []
    assert "Sent 0 reminders; 1 person had nothing to do" in output


def test_people_without_email_or_no_longer_active_get_nothing(mailoutbox):
    gone = make_user("Authors", email="gone@example.org")
    overdue_by(make_published_explainer(author=gone), 3)
    gone.is_active = False
    gone.save()
    no_email = make_user("Authors")
    overdue_by(make_published_explainer(author=no_email), 3)
    run()
    assert mailoutbox == []


# -- owners in the admin -------------------------------------------------------


def test_whoever_creates_an_explainer_owns_it(client, author):
    condition = make_explainer().condition
    client.force_login(author)
    data = explainer_form_data(Explainer(condition=condition, question="Is it new?", slug="is-it-new", tldr="Yes."))
    response = client.post("/admin/explainers/explainer/add/", data)
    assert response.status_code == 302
    assert Explainer.objects.get(slug="is-it-new").owner == author


def test_a_publisher_hands_a_page_to_a_new_owner_and_the_history_says_so(client, publisher):
    old = make_user("Authors", first_name="Old", last_name="Owner")
    new = make_user("Authors", first_name="New", last_name="Owner")
    explainer = make_explainer(author=old)
    client.force_login(publisher)

    response = client.post(change_url(explainer), explainer_form_data(explainer, owner=new.pk))

    assert response.status_code == 302
    explainer.refresh_from_db()
    assert explainer.owner == new
    event = explainer.events.get(action=EventAction.OWNER_CHANGED)
    assert (event.actor, event.comment) == (publisher, "Owner changed from Old Owner to New Owner.")


def test_an_author_cannot_change_a_pages_owner(client, author):
    explainer = make_explainer(author=author)
    client.force_login(author)

    client.post(change_url(explainer), explainer_form_data(explainer, owner=make_user("Authors").pk))

    explainer.refresh_from_db()
    assert explainer.owner == author
    assert not explainer.events.filter(action=EventAction.OWNER_CHANGED).exists()


def test_only_active_staff_can_be_made_owner(client, publisher):
    explainer = make_explainer()
    reader = make_user(is_staff=False)
    client.force_login(publisher)

    response = client.post(change_url(explainer), explainer_form_data(explainer, owner=reader.pk))

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_the_change_list_filters_my_pages_and_pages_with_no_owner(client, author):
    mine = make_explainer(author=author, question="Mine?")
    make_explainer(question="Theirs?")
    orphan = make_explainer(question="Unowned?", owner=None)
    client.force_login(author)

    page = client.get("/admin/explainers/explainer/?owner=mine").content.decode()
    assert mine.question in page and "Theirs?" not in page and orphan.question not in page
    page = client.get("/admin/explainers/explainer/?owner=none").content.decode()
    assert orphan.question in page and "Mine?" not in page


def test_owners_are_reminded_of_their_pages_flagged_because_a_source_changed(mailoutbox):
    owner = make_user("Authors", email="owner@example.org")
    paper = Reference.objects.create(citation="Old guideline. 2019.")
    explainer = make_explainer(author=owner, question="Is it treatable?")
    explainer.sources.create(reference=paper, position=0)
    explainer.record_edit(by=owner)
    publish(explainer)
    paper.mark_retracted(by=make_user("Publishers"), note="Retracted.")

    run()

    email = mail_to(mailoutbox, owner)
    assert email.subject == "condinfo reviews: 1 flagged for re-review"
    assert "Is it treatable?" in email.body and "a source they rely on changed" in email.body
