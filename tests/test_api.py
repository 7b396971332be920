"""The read-only content API (/api/v1/): what syndicators see, and who may see it how often."""

import datetime
from unittest import mock
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate as validate_spec

from api import examples
from api.authentication import ApiKeyRateThrottle
from api.models import ApiKey, DailyUsage, hash_key
from core.middleware import is_public_page_request
from tests.factories import make_condition, make_explainer, make_user, publish, today_is


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()  # the throttle counts in the default cache, which outlives a test
    yield
    cache.clear()


@pytest.fixture
def key(db):
    return ApiKey.generate(name="Syndicator", owner="Portal Ltd, ops@portal.example")[1]


@pytest.fixture
def api(client, key):
    """GET an API address with a valid key; returns the response."""

    def get(name_or_path, *args, params=None, **headers):
        path = name_or_path if name_or_path.startswith("/") else reverse(f"api:{name_or_path}", args=args)
        return client.get(path, params or {}, HTTP_X_API_KEY=key, **headers)

    return get


def published(**fields):
    explainer = make_explainer(
        sections=("Why it happens\n\nThe immune system *attacks* the muscles.",),
        sources=("Lundberg IE. Idiopathic inflammatory myopathies. 2021.",),
        **fields,
    )
    publish(explainer)
    return explainer


def ids_of(response):
    return [item["id"] for item in response.json()["results"]]


# -- what the API shows ----------------------------------------------------


def test_the_api_shows_only_public_approved_text_exactly_as_the_page_with_the_same_hash(client, api, settings):
    settings.SITE_URL = "https://condinfo.example"
    explainer = published()
    draft = make_explainer(condition=explainer.condition)
    unapproved = make_condition(approved=False)

    data = api("explainer-detail", explainer.pk).json()
    page = client.get(explainer.get_absolute_url())
    version = explainer.published_version

    assert data["content_hash"] == version.content_hash
    assert data["version"] == version.number
    assert data["question"] == version.question and data["tldr"] == version.tldr
    assert data["url"] == "https://condinfo.example" + explainer.get_absolute_url()
    section = data["sections"][0]
    assert section["heading"] == "Why it happens"
    assert section["html"] == version.sections[0]["html"] and "<em>attacks</em>" in section["html"]
    assert section["html"] in page.content.decode()  # the page shows the very same sanitised HTML
    assert data["sources"][0]["citation"] == "Lundberg IE. Idiopathic inflammatory myopathies. 2021."
    review = explainer.public_review
    assert data["review"]["last_full_review"] == {
        "reviewed_on": review.reviewed_on.isoformat(),
        "reviewer_name": review.reviewer_name,
        "reviewer_credentials": review.reviewer_credentials,
        "reviewer_url": "https://condinfo.example" + review.reviewer.get_absolute_url(),
    }
    assert data["review"]["next_review_due"] == explainer.next_review_due.isoformat()
    assert data["review"]["overdue"] is False
    assert data["first_published"] == explainer.first_published_on.isoformat()
    assert data["licence"] == settings.API_ATTRIBUTION

    assert ids_of(api("explainer-list")) == [explainer.pk]
    assert api("explainer-detail", draft.pk).status_code == 404
    conditions = [c["slug"] for c in api("condition-list").json()["results"]]
    assert conditions == [explainer.condition.slug]
    assert api("condition-detail", unapproved.slug).status_code == 404


def test_an_edit_after_publishing_changes_nothing_in_the_api(api):
    explainer = published()
    before = api("explainer-detail", explainer.pk).json()

    explainer.question = "An unreviewed question?"
    explainer.save()
    explainer.sections.update(body="Unreviewed words.")
    explainer.record_edit(by=explainer.created_by)
    explainer.submit_for_review(by=explainer.created_by)

    assert api("explainer-detail", explainer.pk).json() == before
    assert "Unreviewed" not in api("explainer-list").content.decode()


def test_a_withdrawal_moves_the_explainer_to_the_withdrawn_listing(api):
    explainer, staying = published(), published()
    assert api("withdrawn-list").json()["results"] == []

    explainer.withdraw(by=make_user("Publishers"), reason="Out of date.")

    assert api("explainer-detail", explainer.pk).status_code == 404
    assert ids_of(api("explainer-list")) == [staying.pk]
    withdrawn = api("withdrawn-list").json()["results"]
    assert [set(row) for row in withdrawn] == [{"id", "withdrawn_at"}]
    assert withdrawn[0]["id"] == explainer.pk
    tomorrow = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()
    assert api("withdrawn-list", params={"withdrawn_since": tomorrow}).json()["results"] == []
    assert len(api("withdrawn-list", params={"withdrawn_since": "2020-01-01"}).json()["results"]) == 1

    publish(explainer)  # public again: copies elsewhere may stay
    assert api("withdrawn-list").json()["results"] == []
    assert api("explainer-detail", explainer.pk).status_code == 200


def test_modified_since_lists_what_was_published_since_and_condition_filters_by_slug(api):
    with today_is(datetime.date(2026, 1, 10)):
        old = published()
    with today_is(datetime.date(2026, 3, 10)):
        new = published()

    assert ids_of(api("explainer-list", params={"modified_since": "2026-02-01"})) == [new.pk]
    assert ids_of(api("explainer-list", params={"modified_since": "2026-01-01T00:00:00Z"})) == [old.pk, new.pk]
    assert ids_of(api("explainer-list", params={"condition": old.condition.slug})) == [old.pk]
    assert api("explainer-list", params={"modified_since": "last week"}).status_code == 400


def test_reviewed_since_lists_what_a_reviewer_approved_since(api):
    with today_is(datetime.date(2026, 1, 10)):
        old = published()
    with today_is(datetime.date(2026, 3, 10)):
        new = published()

    assert ids_of(api("explainer-list", params={"reviewed_since": "2026-03-10"})) == [new.pk]
    assert ids_of(api("explainer-list", params={"reviewed_since": "2026-01-10"})) == [old.pk, new.pk]
    assert ids_of(api("explainer-list", params={"reviewed_since": "2026-03-11"})) == []


def test_cursor_pagination_walks_every_explainer_once_in_a_stable_order(api):
    condition = make_condition()
    expected = [published(condition=condition).pk for _ in range(5)]

    seen, path, params, pages = [], reverse("api:explainer-list"), {"page_size": 2}, 0
    while path:
        response = api(path, params=params)
        seen += ids_of(response)
        pages += 1
        following = response.json()["next"]
        path, params = (urlparse(following).path, parse_qs(urlparse(following).query)) if following else (None, None)

    assert pages == 3
    assert seen == sorted(expected)


@pytest.mark.parametrize("size", [3, 30])
def test_list_queries_stay_the_same_with_3_and_with_30_explainers(api, django_assert_max_num_queries, size):
    condition = make_condition()
    for _ in range(size):
        published(condition=condition)
    withdrawn = published(condition=condition)
    withdrawn.withdraw(by=make_user("Publishers"), reason="Out of date.")
    api("explainer-list")  # today's usage row exists from here on

    # The request's savepoint and its release, the key, today's usage count, then the page itself.
    for name, listed in (("explainer-list", size), ("condition-list", 1), ("withdrawn-list", 1)):
        with django_assert_max_num_queries(5):
            response = api(name, params={"page_size": 30})
        assert len(response.json()["results"]) == listed


# -- caching -----------------------------------------------------------------


def test_answers_carry_an_etag_and_last_modified_and_unchanged_ones_are_304(api, django_capture_on_commit_callbacks):
    explainer = published()
    first = api("explainer-detail", explainer.pk)

    assert "public" in first["Cache-Control"] and "s-maxage" in first["Cache-Control"]
    assert "X-Api-Key" in first["Vary"]
    assert first["ETag"] and first["Last-Modified"]
    assert api("explainer-detail", explainer.pk, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert api("explainer-detail", explainer.pk, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    listed = api("explainer-list")

    with freeze_seconds_later(2), django_capture_on_commit_callbacks(execute=True):
        explainer.withdraw(by=make_user("Publishers"), reason="Out of date.")
    with freeze_seconds_later(3):
        after = api("explainer-list", HTTP_IF_MODIFIED_SINCE=listed["Last-Modified"])
        assert after.status_code == 200 and after.json()["results"] == []
        assert api("explainer-list", HTTP_IF_NONE_MATCH=listed["ETag"]).status_code == 200


def freeze_seconds_later(seconds):
    """Run as if ``seconds`` had passed: HTTP dates count whole seconds."""
    return mock.patch("django.utils.timezone.now", return_value=timezone.now() + datetime.timedelta(seconds=seconds))


def test_api_answers_bypass_the_html_page_cache(rf):
    assert not is_public_page_request(rf.get(reverse("api:explainer-list")))


# -- keys ------------------------------------------------------------------


def test_without_a_key_the_api_answers_401_saying_how_to_get_one(client, db, settings):
    response = client.get(reverse("api:explainer-list"))

    assert response.status_code == 401
    assert "X-Api-Key" in response.json()["detail"]
    assert settings.API_KEY_HOW_TO_GET in response.json()["detail"]
    assert "private" in response["Cache-Control"]


def test_an_unknown_or_revoked_key_is_refused_with_401(client, db):
    row, key = ApiKey.generate(name="Old partner", owner="Someone")
    assert client.get(reverse("api:explainer-list"), HTTP_X_API_KEY=key).status_code == 200

    row.revoke()
    response = client.get(reverse("api:explainer-list"), HTTP_X_API_KEY=key)
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]
    assert client.get(reverse("api:explainer-list"), HTTP_X_API_KEY=key + "x").status_code == 401


def test_a_key_over_its_rate_limit_gets_429_with_retry_after_and_other_keys_do_not(api, client, monkeypatch):
    monkeypatch.setattr(ApiKeyRateThrottle, "THROTTLE_RATES", {"api_key": "2/min"})
    assert api("explainer-list").status_code == 200
    assert api("explainer-list").status_code == 200

    over = api("explainer-list")
    assert over.status_code == 429
    assert 0 < int(over["Retry-After"]) <= 60

    other = ApiKey.generate(name="Another", owner="Another Ltd")[1]
    assert client.get(reverse("api:explainer-list"), HTTP_X_API_KEY=other).status_code == 200


def test_the_stored_key_is_not_the_key_and_usage_is_counted_per_key_and_day(api, key):
    row = ApiKey.objects.get()
    stored = [str(getattr(row, field.attname)) for field in ApiKey._meta.concrete_fields]
    assert not any(key in value for value in stored)
    assert row.hashed_key == hash_key(key) and key.startswith(row.prefix)

    api("explainer-list")
    api("condition-list")
    usage = DailyUsage.objects.get()
    assert (usage.key, usage.requests) == (row, 2)


def test_a_key_made_in_the_admin_is_shown_once_and_revoked_by_an_action(client, superuser):
    client.force_login(superuser)
    response = client.post(reverse("admin:api_apikey_add"), {"name": "Portal", "owner": "Portal Ltd"}, follow=True)
    row = ApiKey.objects.get()
    [message] = [str(m) for m in response.context["messages"] if "cannot be shown again" in str(m)]
    key = message.split(" is ", 1)[1].split(" ", 1)[0]
    assert hash_key(key) == row.hashed_key
    assert client.get(reverse("admin:api_apikey_change", args=[row.pk])).status_code == 200
    assert key not in client.get(reverse("admin:api_apikey_changelist")).content.decode()

    client.post(reverse("admin:api_apikey_changelist"), {"action": "revoke_selected", "_selected_action": [row.pk]})
    row.refresh_from_db()
    assert row.revoked_at is not None
    assert client.get(reverse("admin:api_dailyusage_changelist")).status_code == 200


# -- schema and docs ---------------------------------------------------------


@pytest.fixture
def schema(client, db):
    response = client.get(reverse("api:schema"), {"format": "json"})
    assert response.status_code == 200
    return response.json()


def validator_for(schema, component):
    return OAS31Validator({"$ref": f"#/components/schemas/{component}", "components": schema["components"]})


def test_the_openapi_schema_is_valid_and_its_examples_match_real_answers(schema, api):
    validate_spec(schema)

    detail = schema["paths"]["/api/v1/explainers/{id}/"]["get"]["responses"]["200"]["content"]["application/json"]
    example = detail["examples"]["APublishedExplainer"]["value"]
    assert example == examples.EXPLAINER
    explainer_schema = validator_for(schema, "Explainer")
    explainer_schema.validate(example)

    real = api("explainer-detail", published().pk).json()
    explainer_schema.validate(real)
    assert set(real) == set(example)
    assert set(real["review"]) == set(example["review"])
    validator_for(schema, "PaginatedExplainerList").validate(api("explainer-list").json())
    validator_for(schema, "PaginatedConditionList").validate(api("condition-list").json())
    assert schema["components"]["securitySchemes"]["ApiKey"] == {"type": "apiKey", "in": "header", "name": "X-Api-Key"}


@pytest.mark.browser
def test_the_docs_page_loads_offline_in_chromium_without_csp_errors(live_server, db, open_page):
    page = open_page()
    blocked, foreign, failed = [], [], []
    page.on("console", lambda message: "Content Security Policy" in message.text and blocked.append(message.text))
    page.on("request", lambda request: not request.url.startswith(live_server.url) and foreign.append(request.url))
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.on("response", lambda response: response.status >= 400 and failed.append(response.url))

    response = page.goto(live_server.url + reverse("api:docs"), wait_until="load")
    page.wait_for_selector("text=condinfo content API", timeout=15_000)
    page.wait_for_selector("text=/api/v1/explainers/", timeout=15_000)

    assert response.status == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert blocked == []
    assert foreign == []
    assert failed == []
