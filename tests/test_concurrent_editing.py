"""Two people editing one explainer: the second save is refused and nothing either typed is lost."""

from unittest import mock

from pytest_django.asserts import assertContains

from explainers.forms import ExplainerAdminForm
from explainers.models import Explainer
from tests.admin_forms import change_url, explainer_form_data
from tests.factories import make_explainer, make_user


def test_a_successful_save_moves_the_edit_lock_on(client, author):
    explainer = make_explainer(author=author)
    client.force_login(author)
    client.post(change_url(explainer), explainer_form_data(explainer, tldr="Version two."))
    assert Explainer.objects.get(pk=explainer.pk).lock_version == explainer.lock_version + 1


def test_a_stale_save_is_refused_and_shows_the_users_text_again(client, author):
    colleague = make_user("Authors", username="colleague", first_name="Sam", last_name="Lee")
    explainer = make_explainer(author=author, tldr="The original answer.")
    opened_by_author = explainer_form_data(explainer)  # both open the form at the same version

    client.force_login(colleague)
    client.post(change_url(explainer), explainer_form_data(explainer, tldr="Sam's improved answer."))
    client.force_login(author)
    response = client.post(change_url(explainer), {**opened_by_author, "tldr": "The author's own rewrite."})

    assert response.status_code == 200
    assertContains(response, "Sam Lee saved a newer version at")
    assertContains(response, "your text is still below")
    assertContains(
        response,
        f'<a href="{change_url(explainer)}" target="_blank" rel="noopener">Open the newer version in a new tab</a>',
        html=False,
    )
    assertContains(response, "The author&#x27;s own rewrite.")
    assert Explainer.objects.get(pk=explainer.pk).tldr == "Sam's improved answer."


def test_a_stale_save_of_a_section_loses_neither_persons_text(client, author):
    colleague = make_user("Authors", username="colleague")
    explainer = make_explainer(author=author, sections=["Causes\n\nThe first wording."])
    section = explainer.sections.get()
    opened_by_author = explainer_form_data(explainer)

    client.force_login(colleague)
    client.post(change_url(explainer), explainer_form_data(explainer, **{"sections-0-body": "Colleague's wording."}))
    client.force_login(author)
    response = client.post(change_url(explainer), {**opened_by_author, "sections-0-body": "Author's wording."})

    assertContains(response, "colleague saved a newer version")
    assertContains(response, "Author&#x27;s wording.")
    section.refresh_from_db()
    assert section.body == "Colleague's wording."


def test_of_two_saves_racing_past_the_check_only_one_is_written(client, author):
    """The author's form was checked before the colleague's save committed: the conditional UPDATE still refuses it."""
    colleague = make_user("Authors", username="colleague")
    explainer = make_explainer(author=author, tldr="The original answer.")
    opened_by_author = explainer_form_data(explainer)
    client.force_login(colleague)
    client.post(change_url(explainer), explainer_form_data(explainer, tldr="Colleague's answer."))
    real_is_stale = ExplainerAdminForm.is_stale
    checks = []

    def checked_before_the_colleague_committed(form, submitted):
        checks.append(submitted)
        return False if len(checks) == 1 else real_is_stale(form, submitted)

    client.force_login(author)
    with mock.patch.object(ExplainerAdminForm, "is_stale", checked_before_the_colleague_committed):
        response = client.post(change_url(explainer), {**opened_by_author, "tldr": "The author's answer."})

    assert response.status_code == 200
    assertContains(response, "colleague saved a newer version")
    assertContains(response, "The author&#x27;s answer.")
    stored = Explainer.objects.get(pk=explainer.pk)
    assert (stored.tldr, stored.lock_version) == ("Colleague's answer.", explainer.lock_version + 1)


def test_a_workflow_step_in_between_does_not_block_the_next_save(client, author, reviewer):
    explainer = make_explainer(author=author)
    opened = explainer_form_data(explainer)
    explainer.submit_for_review(by=author)
    client.force_login(author)
    response = client.post(change_url(explainer), {**opened, "tldr": "Edited while in review."})
    assert response.status_code == 302
    assert Explainer.objects.get(pk=explainer.pk).tldr == "Edited while in review."
