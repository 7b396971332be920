"""
Bylines: "Written by A · Medically reviewed by B", the authors being the contributors recorded on
the published version who have a public author profile; each author has a profile page; profiles
are set by people allowed to change them, never by the authors themselves.
"""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from explainers.models import Author
from tests.factories import make_explainer, make_published_explainer, make_user, publish
from tests.schema_org import validation_errors
from tests.test_explainer_page import structured_data


def author_profile(user, name="Sam Writer", slug="sam-writer"):
    return Author.objects.create(user=user, display_name=name, role="Health writer", slug=slug, bio="Writes.")


def test_the_demo_page_names_its_author_beside_its_reviewer(client, demo):
    response = client.get(demo.get_absolute_url())
    assertContains(
        response,
        '<p class="written-by">Written by <a href="/authors/alex-author-demo/">Alex Author (demo)</a>, '
        "Health writer</p>",
        html=True,
    )
    data = structured_data(response)
    assert data["author"] == {
        "@type": "Person",
        "name": "Alex Author (demo)",
        "jobTitle": "Health writer",
        "url": "http://127.0.0.1:8000/authors/alex-author-demo/",
    }
    assert not validation_errors(data)


def test_only_contributors_with_an_author_profile_are_named(client, db):
    writer, helper = make_user("Authors"), make_user("Authors")
    author_profile(writer)
    explainer = make_explainer(author=writer)
    explainer.record_edit(by=helper)  # a second contributor, without a public profile

    publish(explainer)
    response = client.get(explainer.get_absolute_url())
    assertContains(response, "Written by")
    assertContains(response, "Sam Writer")
    assert "author" in structured_data(response)


def test_a_page_whose_contributors_have_no_profile_has_no_byline(client, db):
    explainer = make_published_explainer()
    response = client.get(explainer.get_absolute_url())
    assertNotContains(response, "Written by")
    assert "author" not in structured_data(response)


def test_an_author_page_lists_what_they_wrote_that_is_public(client, db):
    writer = make_user("Authors")
    author = author_profile(writer)
    public = make_explainer(author=writer, question="Is it catching?", slug="is-it-catching")

    publish(public)
    make_explainer(author=writer, question="A draft nobody has reviewed?", slug="a-draft")
    response = client.get(author.get_absolute_url())
    assertContains(response, "<h1>Sam Writer</h1>", html=True)
    assertContains(response, "Is it catching?")
    assertNotContains(response, "A draft nobody has reviewed?")
    assert client.get(reverse("explainers:author", args=["nobody"])).status_code == 404


def test_authors_cannot_set_their_own_byline_but_the_profile_permission_can(client, db):
    writer = make_user("Authors")
    author = author_profile(writer)
    change = reverse("admin:explainers_author_change", args=[author.pk])
    client.force_login(writer)
    assert client.get(change).status_code == 403
    editor = make_user()
    editor.user_permissions.add(*Permission.objects.filter(codename__in=["view_author", "change_author"]))
    client.force_login(editor)
    response = client.post(
        change, {"display_name": "Sam Writer RN", "role": "Specialist nurse", "bio": "", "slug": "sam-writer"}
    )
    assert response.status_code == 302
    author.refresh_from_db()
    assert author.display_name == "Sam Writer RN"


@pytest.mark.django_db(transaction=True)  # the page cache serves only outside an open transaction
@pytest.mark.usefixtures("roles", "page_cache_on")
def test_a_changed_byline_shows_on_the_page_at_once(client, django_assert_num_queries):
    writer = make_user("Authors")
    author = author_profile(writer)
    explainer = make_explainer(author=writer)
    publish(explainer)
    client.get(explainer.get_absolute_url())
    with django_assert_num_queries(0):  # served from the cache
        assertContains(client.get(explainer.get_absolute_url()), "Sam Writer")
    author.display_name = "Samira Writer"
    author.save_profile()
    assertContains(client.get(explainer.get_absolute_url()), "Samira Writer")
