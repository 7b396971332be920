"""
``/verify/<hash>/``: anyone can check that a text is what a named medical reviewer approved.

The answer depends on the address alone (``?format=json`` chooses JSON), so the page cache keeps
it like every other public page; publishing or withdrawing starts a new cache generation, so a
hash turns "superseded" or "withdrawn" at once.
"""

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse

from explainers.views import absolute_url, page_context

from . import publications

JSON = "json"


def verify(request, content_hash):
    """Say what ``content_hash`` is: which version of which explainer, who approved it, and whether it is current."""
    found = publications.find(content_hash)
    as_json = request.GET.get("format") == JSON
    if found is None:
        if as_json:
            return JsonResponse(
                {"content_hash": content_hash, "found": False, "error": "No published page has this content hash."},
                status=404,
            )
        return render(
            request,
            "verification/verify_unknown.html",
            page_context(content_hash=content_hash[:64], hash_parts=breakable(content_hash[:64])),
            status=404,
        )
    data = describe(found)
    if as_json:
        return JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    return render(
        request,
        "verification/verify.html",
        page_context(
            found=found,
            content_hash=content_hash,
            hash_parts=breakable(content_hash),
            json_url=f"{request.path}?format={JSON}",
            content_url=reverse("verification:content", args=[content_hash]),
            canonical_url=absolute_url(request.path),
        ),
    )


def content(request, content_hash):
    """Return the approved content in its canonical form: the file's SHA-256 is ``content_hash``."""
    found = publications.find(content_hash)
    if found is None:
        return JsonResponse(
            {"content_hash": content_hash, "found": False, "error": "No published page has this content hash."},
            status=404,
        )
    response = HttpResponse(
        publications.canonical_content(found.version).encode(), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="condinfo-{content_hash[:12]}.json"'
    return response


def breakable(text, every=16):
    """Return ``text`` in pieces the page joins with <wbr>, so a 64-character hash wraps on a phone."""
    return [text[start : start + every] for start in range(0, len(text), every)]


def describe(found):
    """Return a Publication as the plain data the JSON answer and ``verify_text`` print."""
    version, approval, ended = found.version, found.approval, found.ended
    return {
        "found": True,
        "content_hash": version.content_hash,
        "standing": found.standing.value,
        "standing_label": found.standing.label,
        "explainer": {
            "id": found.explainer.pk,
            "question": version.question,
            "version": version.number,
            "published_at": found.publication.at.isoformat(),
            "page_url": absolute_url(found.public_url) if found.public_url else None,
        },
        "approval": approval
        and {
            "reviewer_name": approval.reviewer_name,
            "reviewer_credentials": approval.reviewer_credentials,
            "reviewer_url": absolute_url(approval.reviewer.get_absolute_url()),
            "kind": approval.kind,
            "kind_label": approval.get_kind_display(),
            "reviewed_on": approval.reviewed_on.isoformat(),
        },
        "superseded_at": ended.at.isoformat() if ended and found.standing == publications.Standing.SUPERSEDED else None,
        "superseded_by_version": ended.version.number
        if ended and found.standing == publications.Standing.SUPERSEDED
        else None,
        "withdrawn_at": ended.at.isoformat() if ended and found.standing == publications.Standing.WITHDRAWN else None,
        "content_url": absolute_url(reverse("verification:content", args=[version.content_hash])),
        "canonical_form": "The JSON at content_url: ExplainerVersion.hashed_content() with sorted keys, no spaces, "
        "UTF-8. Its SHA-256 is content_hash.",
    }
