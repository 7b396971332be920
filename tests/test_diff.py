"""What a medical reviewer sees changed between the last approved version and the submitted one."""

from pytest_django.asserts import assertContains

from explainers.diffing import ADDED, CHANGED, REMOVED, UNCHANGED, diff_sections, diff_versions, word_diff
from explainers.models import Reference
from tests.admin_forms import workflow_url
from tests.factories import make_explainer, make_published_explainer


def section(heading, body, aspect=""):
    return {"heading": heading, "body": body, "health_aspect": aspect}


def test_word_diff_marks_inserted_and_deleted_words():
    assert word_diff("The cause is unknown.", "The exact cause is still unknown.") == (
        "The <ins>exact </ins>cause is <ins>still </ins>unknown."
    )
    # A replaced phrase keeps a space between the old and new words, so they never read as one.
    assert word_diff("muscle pain", "muscle weakness") == "muscle <del>pain</del> <ins>weakness</ins>"


def test_word_diff_escapes_everything_the_author_wrote():
    html = word_diff("Safe text", "Safe <script>alert(1)</script> & text")
    assert "<script>" not in html
    assert "&lt;script&gt;" in html and "&amp;" in html


def test_sections_are_reported_added_removed_changed_and_unchanged():
    old = [
        section("Overview", "Myositis is inflammation."),
        section("Diet", "No diet helps."),
        section("Outlook", "Most people improve."),
    ]
    new = [
        section("Overview", "Myositis is muscle inflammation."),
        section("Outlook", "Most people improve."),
        section("Exercise", "Gentle exercise helps."),
    ]

    changes = diff_sections(old, new)

    assert [(c.kind, c.heading) for c in changes] == [
        (CHANGED, "Overview"),
        (REMOVED, "Diet"),
        (UNCHANGED, "Outlook"),
        (ADDED, "Exercise"),
    ]
    assert "<ins>muscle </ins>" in changes[0].body_html
    assert changes[1].body_html == "<del>No diet helps.</del>"
    assert changes[3].body_html == "<ins>Gentle exercise helps.</ins>"


def test_a_renamed_section_with_mostly_the_same_text_counts_as_changed():
    old = [section("Causes", "The immune system attacks the muscles and the skin.")]
    new = [section("What causes it", "The immune system attacks the muscles and skin.")]
    [change] = diff_sections(old, new)
    assert change.kind == CHANGED
    assert "<del>Causes</del>" in change.heading_html and "<ins>What causes it</ins>" in change.heading_html


def test_a_changed_health_aspect_is_reported():
    [change] = diff_sections(
        [section("Causes", "Text.", "CausesHealthAspect")],
        [section("Causes", "Text.", "RisksOrComplicationsHealthAspect")],
    )
    assert change.kind == CHANGED
    assert change.aspect_change == "Causes → Risks or complications"


def test_question_tldr_and_sources_changes_are_listed(author, reviewer):
    explainer = make_published_explainer(author=author, sources=["Old paper. 2010.", "Kept paper. 2015."])
    approved = explainer.versions.get()
    explainer.tldr = "A new summary."
    explainer.save()
    explainer.sources.filter(reference__citation="Old paper. 2010.").delete()
    explainer.sources.create(reference=Reference.objects.create(citation="New paper. 2024."), position=5)
    explainer.record_edit(by=author)
    submitted = explainer.submit_for_review(by=author)

    diff = diff_versions(approved, submitted)

    assert [field.label for field in diff.fields] == ["TL;DR"]
    kinds = sorted(change.kind for change in diff.sources)
    assert kinds in (["added", "removed"], ["changed"])
    assert "New paper" in "".join(change.html for change in diff.sources)


def test_a_first_submission_shows_everything_as_new(client, author, reviewer):
    explainer = make_explainer(author=author, sections=["Overview\n\nIt is rare.", "Outlook\n\nMost improve."])
    explainer.submit_for_review(by=author)
    client.force_login(reviewer)
    response = client.get(workflow_url("review", explainer))
    assertContains(response, "First version: everything is new")
    assertContains(response, "<ins>It is rare.</ins>", html=False)
    assertContains(response, '<span class="diff-kind added">added</span>', count=2)


def test_the_review_page_shows_the_diff_against_the_last_approved_version_and_the_public_preview(
    client, author, reviewer
):
    explainer = make_published_explainer(
        author=author, sections=["Overview\n\nMyositis is inflammation.", "Diet\n\nNo diet helps."]
    )
    explainer.sections.filter(heading="Diet").delete()
    explainer.sections.filter(heading="Overview").update(body="Myositis is **muscle** inflammation.")
    explainer.sections.create(heading="Exercise", body="Gentle <script>x</script> exercise helps.", position=3)
    explainer.record_edit(by=author)
    explainer.submit_for_review(by=author)
    client.force_login(reviewer)

    response = client.get(workflow_url("review", explainer))

    assertContains(response, "Compared with version 1, the last approved version")
    assertContains(response, '<span class="diff-kind changed">changed</span>', count=1)
    assertContains(response, '<span class="diff-kind removed">removed</span>', count=1)
    assertContains(response, '<span class="diff-kind added">added</span>', count=1)
    assertContains(response, "<ins>**muscle** </ins>", html=False)
    assertContains(response, "<del>No diet helps.</del>", html=False)
    # The preview is the frozen, sanitised HTML the public page will show.
    assertContains(response, "Myositis is <strong>muscle</strong> inflammation.", html=False)
    assert "<script>x</script>" not in response.content.decode()
