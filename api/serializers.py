"""
The shapes the API answers with. Explainers are read from the published snapshot
(``Explainer.published_version``) exactly as the public page shows it, through ``explainer_data``.
"""

from django.conf import settings
from django.urls import reverse
from rest_framework import serializers

from explainers.models import GetHelpLevel, HealthAspect
from explainers.views import absolute_url, source_links


class ConditionSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField(help_text="The approved name.")
    alternate_names = serializers.ListField(child=serializers.CharField(), help_text="Approved other names.")
    description = serializers.CharField(allow_blank=True, help_text="The approved description (may be empty).")
    url = serializers.URLField(help_text="The condition's public page.")
    api_url = serializers.URLField()


def condition_data(condition):
    return {
        "slug": condition.slug,
        "name": condition.public_name,
        "alternate_names": condition.public_alternate_names,
        "description": condition.public_description,
        "url": absolute_url(condition.get_absolute_url()),
        "api_url": absolute_url(reverse("api:condition-detail", args=[condition.slug])),
    }


class ConditionRefSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    url = serializers.URLField()


class SectionSerializer(serializers.Serializer):
    heading = serializers.CharField(allow_blank=True)
    html = serializers.CharField(help_text="The section's approved text as sanitised HTML.")
    health_aspect = serializers.ChoiceField(
        choices=[("", "None"), *HealthAspect.choices], allow_blank=True, help_text="A schema.org health aspect."
    )


class SourceSerializer(serializers.Serializer):
    citation = serializers.CharField()
    url = serializers.CharField(allow_blank=True)
    pmid = serializers.CharField(allow_blank=True)
    doi = serializers.CharField(allow_blank=True)
    pubmed_url = serializers.CharField(allow_blank=True)
    doi_url = serializers.CharField(allow_blank=True)


class ApprovalSerializer(serializers.Serializer):
    reviewed_on = serializers.DateField()
    reviewer_name = serializers.CharField(help_text="As recorded on the day of the review.")
    reviewer_credentials = serializers.CharField(help_text="As recorded on the day of the review.")
    reviewer_url = serializers.URLField(help_text="The reviewer's public profile.")


class ReviewFactsSerializer(serializers.Serializer):
    last_full_review = ApprovalSerializer(allow_null=True)
    latest_minor_change = ApprovalSerializer(
        allow_null=True, help_text="The approval of a minor change made since the full review, if any."
    )
    next_review_due = serializers.DateField(allow_null=True)
    overdue = serializers.BooleanField()


class GetHelpSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=GetHelpLevel.choices)
    text = serializers.CharField()


class ExplainerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    question = serializers.CharField()
    tldr = serializers.CharField()
    condition = ConditionRefSerializer()
    get_help = GetHelpSerializer(allow_null=True, help_text="When the page tells readers to get help, and how soon.")
    sections = SectionSerializer(many=True)
    sources = SourceSerializer(many=True)
    review = ReviewFactsSerializer()
    first_published = serializers.DateField(allow_null=True)
    last_updated = serializers.DateField(help_text="When the public text last changed.")
    published_at = serializers.DateTimeField(help_text="When the version shown was published.")
    version = serializers.IntegerField(help_text="The published version's number.")
    content_hash = serializers.CharField(help_text="SHA-256 of the published version's canonical content.")
    url = serializers.URLField(help_text="The canonical public page.")
    api_url = serializers.URLField()
    licence = serializers.CharField(help_text="The terms under which the text may be reused, and how to credit it.")


class WithdrawnSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    withdrawn_at = serializers.DateTimeField()


def approval_data(review):
    if review is None:
        return None
    return {
        "reviewed_on": review.reviewed_on,
        "reviewer_name": review.reviewer_name,
        "reviewer_credentials": review.reviewer_credentials,
        "reviewer_url": absolute_url(review.reviewer.get_absolute_url()),
    }


def explainer_data(explainer):
    """Return an explainer as the API shows it: its published snapshot, as the public page does."""
    version = explainer.published_version
    condition = version.condition
    return {
        "id": explainer.pk,
        "question": version.question,
        "tldr": version.tldr,
        "condition": {
            "slug": condition.slug,
            "name": condition.public_name,
            "url": absolute_url(condition.get_absolute_url()),
        },
        "get_help": version.get_help,
        "sections": [
            {"heading": s.get("heading", ""), "html": s.get("html", ""), "health_aspect": s.get("health_aspect", "")}
            for s in version.sections
        ],
        "sources": [
            {key: linked.get(key, "") for key in ("citation", "url", "pmid", "doi", "pubmed_url", "doi_url")}
            for linked in map(source_links, version.sources)
        ],
        "review": {
            "last_full_review": approval_data(explainer.public_review),
            "latest_minor_change": approval_data(explainer.latest_change_review),
            "next_review_due": explainer.next_review_due,
            "overdue": explainer.is_overdue(),
        },
        "first_published": explainer.first_published_on,
        "last_updated": explainer.last_updated,
        "published_at": explainer.published_at,
        "version": version.number,
        "content_hash": version.content_hash,
        "url": absolute_url(explainer.get_absolute_url()),
        "api_url": absolute_url(reverse("api:explainer-detail", args=[explainer.pk])),
        "licence": settings.API_ATTRIBUTION,
    }
