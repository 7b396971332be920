"""
Anyone can check that a text is what a named medical reviewer approved: ``/verify/<hash>/`` (HTML, or
JSON with ``?format=json``) says which version of which page a content hash is, who approved it, when it
was published and whether it is still current; ``manage.py verify_text`` checks a saved copy offline.
Only published versions answer: a draft's hash is as unknown as a made-up one.
"""

import hashlib
import json

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from explainers.models import ReviewKind
from tests.factories import make_explainer, make_published_explainer, make_reviewer, make_user, publish
from tests.schema_org import validation_errors
from tests.test_explainer_page import structured_data

UNKNOWN = "0123456789abcdef" * 4


def verify_url(content_hash, **params):
    url = reverse("verification:verify", args=[content_hash])
    return url + "?format=json" if params.get("json") else url


TEXT = (
    "Nobody knows exactly what causes it, but researchers think the immune system attacks the muscles "
    "and the skin by mistake in people whose genes make it more likely."
)


def edit(explainer, text):
    section = explainer.sections.get()
    section.body = text
    section.save()
    explainer.record_edit(by=explainer.created_by)


@pytest.fixture
def explainer(db):
    explainer = make_explainer(question="What causes dermatomyositis?", sections=[TEXT])
    publish(
        explainer,
        reviewer=make_reviewer(display_name="Dr Amina Okafor", credentials="MD, rheumatologist"),
    )
    return explainer


@pytest.fixture
def superseded(explainer):
    """The explainer with a second version published as a minor change; returns the first version."""
    first = explainer.published_version
    edit(explainer, TEXT + " Sunlight can set off a flare.")
    explainer.refresh_from_db()
    version = explainer.submit_for_review(by=explainer.created_by, change_summary="Added sunlight.")
    explainer.approve(
        by=make_reviewer(display_name="Dr Second Look", credentials="FRCP").user, version=version, kind=ReviewKind.MINOR
    )
    explainer.publish(by=make_user("Publishers"), version=version)
    explainer.refresh_from_db()
    return first


def test_the_current_hash_names_the_page_the_approver_and_says_it_is_current(client, explainer):
    version = explainer.published_version
    response = client.get(verify_url(version.content_hash))
    assertContains(response, "What causes dermatomyositis?")
    assertContains(response, "version 1")
    assertContains(response, "Dr Amina Okafor")
    assertContains(response, "MD, rheumatologist")
    assertContains(response, "Full clinical review")
    assertContains(response, "<strong>Current.</strong>", html=False)
    assertContains(response, explainer.get_absolute_url())


def test_the_current_hash_as_json(client, explainer):
    version = explainer.published_version
    data = client.get(verify_url(version.content_hash, json=True)).json()
    assert data["standing"] == "current"
    assert data["content_hash"] == version.content_hash
    assert data["explainer"]["question"] == "What causes dermatomyositis?"
    assert data["explainer"]["version"] == 1
    assert data["approval"]["reviewer_name"] == "Dr Amina Okafor"
    assert data["approval"]["reviewer_credentials"] == "MD, rheumatologist"
    assert data["approval"]["kind"] == ReviewKind.FULL
    assert data["approval"]["reviewed_on"] == explainer.public_review.reviewed_on.isoformat()
    assert data["explainer"]["published_at"]
    assert data["superseded_at"] is None and data["withdrawn_at"] is None


def test_a_superseded_hash_says_when_and_by_which_version(client, explainer, superseded):
    response = client.get(verify_url(superseded.content_hash))
    assertContains(response, "Superseded")
    assertContains(response, "version 2 was published")
    assertContains(response, "Dr Amina Okafor")  # who approved the superseded text, not the later change
    assertNotContains(response, "<strong>Current.</strong>", html=False)

    data = client.get(verify_url(superseded.content_hash, json=True)).json()
    assert data["standing"] == "superseded"
    assert data["superseded_by_version"] == 2
    assert data["superseded_at"]

    newer = client.get(verify_url(explainer.published_version.content_hash, json=True)).json()
    assert newer["standing"] == "current"
    assert newer["approval"]["reviewer_name"] == "Dr Second Look"
    assert newer["approval"]["kind"] == ReviewKind.MINOR


def test_a_withdrawn_pages_hash_says_it_was_withdrawn(client, explainer):
    content_hash = explainer.published_version.content_hash
    explainer.withdraw(by=make_user("Publishers"), reason="Under re-review.")
    data = client.get(verify_url(content_hash, json=True)).json()
    assert data["standing"] == "withdrawn"
    assert data["withdrawn_at"]
    assert data["explainer"]["page_url"] is None
    assertContains(client.get(verify_url(content_hash)), "Withdrawn")


def test_an_unknown_hash_says_so_plainly_with_404(client, db):
    response = client.get(verify_url(UNKNOWN))
    assertContains(response, "No published page has this fingerprint", status_code=404)
    response = client.get(verify_url(UNKNOWN, json=True))
    assert response.status_code == 404
    assert response.json()["found"] is False
    assert client.get(reverse("verification:content", args=[UNKNOWN])).status_code == 404
    assert client.get(verify_url("not-a-hash")).status_code == 404


def test_an_unpublished_versions_hash_is_as_unknown_as_a_made_up_one(client, explainer):
    edit(explainer, "A draft nobody has published.")
    explainer.refresh_from_db()
    draft = explainer.submit_for_review(by=explainer.created_by, change_summary="A draft.")
    explainer.approve(by=make_reviewer().user, version=draft)  # approved, never published
    for url in (
        verify_url(draft.content_hash),
        verify_url(draft.content_hash, json=True),
        reverse("verification:content", args=[draft.content_hash]),
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assertNotContains(response, "A draft nobody has published.", status_code=404)


def test_the_verify_page_only_reads(client, explainer):
    url = verify_url(explainer.published_version.content_hash)
    assert client.post(url).status_code == 405
    assert client.head(url).status_code == 200


def test_the_explainer_page_links_to_its_verification_with_the_short_hash(client, explainer):
    content_hash = explainer.published_version.content_hash
    response = client.get(explainer.get_absolute_url())
    assertContains(response, f'href="{verify_url(content_hash)}"')
    assertContains(response, "Verify this page")
    assertContains(response, f"<code>{content_hash[:12]}</code>", html=True)


def test_the_downloaded_content_hashes_to_the_content_hash(client, explainer):
    content_hash = explainer.published_version.content_hash
    response = client.get(reverse("verification:content", args=[content_hash]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert hashlib.sha256(response.content).hexdigest() == content_hash


def test_verify_text_round_trip_matches_and_a_changed_word_fails(client, explainer, tmp_path, capsys):
    content_hash = explainer.published_version.content_hash
    saved = tmp_path / "content.json"
    saved.write_bytes(client.get(reverse("verification:content", args=[content_hash])).content)

    call_command("verify_text", str(saved))
    out = capsys.readouterr().out
    assert f"Content hash {content_hash} matches a published approval." in out
    assert "What causes dermatomyositis?" in out
    assert "Dr Amina Okafor, MD, rheumatologist" in out
    assert "Current" in out

    # Re-indented and re-ordered, it is the same content.
    saved.write_text(json.dumps(json.loads(saved.read_text()), indent=4), encoding="utf-8")
    call_command("verify_text", str(saved))

    changed = json.loads(saved.read_text())
    changed["sections"][0]["body"] = changed["sections"][0]["body"].replace("exactly", "precisely")
    saved.write_text(json.dumps(changed), encoding="utf-8")
    with pytest.raises(CommandError, match="matches no published approval"):
        call_command("verify_text", str(saved))


def test_verify_text_says_a_superseded_copy_is_superseded(client, explainer, superseded, tmp_path, capsys):
    saved = tmp_path / "old.json"
    saved.write_bytes(client.get(reverse("verification:content", args=[superseded.content_hash])).content)
    call_command("verify_text", str(saved))
    out = capsys.readouterr().out
    assert "Superseded" in out
    assert "by version 2" in out


def test_verify_text_refuses_what_is_not_content(tmp_path, db):
    saved = tmp_path / "page.html"
    saved.write_text("<html></html>")
    with pytest.raises(CommandError, match="not JSON"):
        call_command("verify_text", str(saved))
    with pytest.raises(CommandError, match="No file"):
        call_command("verify_text", str(tmp_path / "missing.json"))


@pytest.mark.django_db(transaction=True)
def test_verify_text_fetches_a_live_address(live_server, roles, capsys):
    explainer = make_explainer(question="What causes scleroderma?")
    publish(explainer)
    explainer.refresh_from_db()
    content_hash = explainer.published_version.content_hash
    call_command("verify_text", live_server.url + reverse("verification:content", args=[content_hash]))
    assert f"Content hash {content_hash} matches" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("roles", "page_cache_on")
def test_a_cached_verify_page_turns_superseded_when_a_new_version_is_published(django_assert_num_queries):
    explainer = make_explainer(sections=["Nobody knows exactly."])
    publish(explainer)
    explainer.refresh_from_db()
    url = verify_url(explainer.published_version.content_hash, json=True)
    client = Client()
    assert client.get(url).json()["standing"] == "current"
    with django_assert_num_queries(0):
        assert client.get(url).json()["standing"] == "current"  # from the page cache

    edit(explainer, "Sunlight can set off a flare.")
    explainer.refresh_from_db()
    publish(explainer)
    assert client.get(url).json()["standing"] == "superseded"


def test_the_json_ld_carries_the_approved_contents_hash_and_where_to_verify_it(client, db):
    explainer = make_published_explainer()
    data = structured_data(client.get(explainer.get_absolute_url()))
    fingerprint = explainer.published_version.content_hash
    assert data["identifier"] == {
        "@type": "PropertyValue",
        "propertyID": "condinfo-approved-content-sha256",
        "value": fingerprint,
        "url": f"http://127.0.0.1:8000/verify/{fingerprint}/",
    }
    assert not validation_errors(data)
