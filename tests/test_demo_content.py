"""The demo content: the seed page, loaded once through the real review workflow."""

import datetime
import html
import re

from django.core.management import call_command

from explainers.models import Condition, Explainer, ExplainerVersion, Review, Reviewer, ReviewKind, Status

LAST_SENTENCE = "may spark the autoimmune process in genetically vulnerable individuals."


def test_loading_the_demo_twice_creates_everything_exactly_once(demo):
    call_command("load_demo", verbosity=0)

    assert Condition.objects.count() == 1
    assert Explainer.objects.count() == 1
    assert Review.objects.count() == 1
    assert ExplainerVersion.objects.count() == 1
    assert Reviewer.objects.count() == 1
    assert Explainer.objects.published().get() == demo


def test_the_demo_explainer_is_published_after_a_full_review_on_7_april_2026(demo):
    review = Review.objects.get()

    assert demo.status == Status.PUBLISHED
    assert review.kind == ReviewKind.FULL
    assert review.reviewed_on == datetime.date(2026, 4, 7)
    assert demo.public_review == review
    assert demo.published_version == review.version
    assert demo.last_updated == datetime.date(2026, 4, 7)
    assert demo.next_review_due == datetime.date(2027, 4, 7)


def test_the_demo_review_was_not_approved_by_its_author(demo):
    review = Review.objects.get()

    assert review.reviewer_name == "Dr Rowan Reviewer (demo)"
    assert review.reviewer_credentials == "MD, rheumatologist"
    assert review.reviewer.user not in review.version.contributors.all()
    assert [u.username for u in review.version.contributors.all()] == ["author"]


def test_the_demo_carries_the_seed_community_counts(demo):
    assert demo.experience_count == 3
    assert demo.condition.community_size == 413
    assert demo.condition.name == "Dermatomyositis and Polymyositis"


def test_the_demo_snapshot_has_the_seed_question_and_four_sections(demo):
    version = demo.published_version

    assert version.question == "What causes Dermatomyositis and Polymyositis?"
    assert version.format_label_list == ["Short answer", "Medically reviewed summary"]
    assert version.tldr.startswith("Dermatomyositis and Polymyositis are chronic autoimmune conditions")
    assert [s["heading"] for s in version.sections] == [
        "What happens in the body",
        "Is it inherited?",
        "Environmental triggers",
        "What is still unknown",
    ]


def test_the_lost_list_of_triggers_is_not_filled_with_invented_items(demo):
    triggers = demo.published_version.sections[2]

    assert triggers["body"].endswith(LAST_SENTENCE)
    assert triggers["html"].endswith(f"{LAST_SENTENCE}</p>")
    assert "may include" not in triggers["body"]
    assert "<li>" not in triggers["html"]
    assert demo.sections.get(heading="Environmental triggers").body.endswith(LAST_SENTENCE)


def visible_text(response):
    """Return the words of a page as a reader sees them, tags removed and whitespace folded."""
    assert response.status_code == 200
    words = " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())
    return html.unescape(words).replace(" ,", ",")


def test_the_demo_page_shows_the_seed_text_without_invented_triggers(client, demo):
    text = visible_text(client.get(demo.get_absolute_url()))

    assert "Environmental triggers Because genetics alone do not explain the onset" in text
    assert f"{LAST_SENTENCE} What is still unknown" in text
    assert "may include" not in text


def test_the_demo_page_shows_the_review_dates_and_community_counts(client, demo):
    text = visible_text(client.get(demo.get_absolute_url()))

    assert "Last updated 7 April 2026" in text
    assert "Medically reviewed by Dr Rowan Reviewer (demo), MD, rheumatologist on 7 April 2026" in text
    assert "Next review due 7 April 2027" in text
    assert "3 people with Dermatomyositis and Polymyositis have shared their first-person experience" in text
    assert "With 413 members of the DiseaseMaps community living with these conditions" in text
