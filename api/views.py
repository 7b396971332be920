"""
The read-only content API (/api/v1/): public conditions and explainers, withdrawals, schema and docs.

Every answer depends only on the address, never on which key asked: the key only decides whether
the request is answered at all (401), and how often (429). Answers are therefore "public" for
shared caches, with ``Vary: X-Api-Key`` so a cache never answers one key (or no key) with what it
stored for another, keeping the 401 for missing and unknown keys. A revoked key may be answered
from a shared cache for at most CACHE_CONTROL_S_MAXAGE seconds.
"""

import datetime

from django.conf import settings
from django.db.models import DateTimeField, Exists, Max, OuterRef, Q, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.http import http_date
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import exceptions, generics, pagination
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from core import cache as public_pages
from explainers.models import Condition, EventAction, Explainer, ExplainerEvent

from . import examples
from . import schema as api_key_scheme  # noqa: F401 (registers the API-key security scheme with drf-spectacular)
from .authentication import HEADER
from .models import DailyUsage
from .serializers import (
    ConditionSerializer,
    ExplainerSerializer,
    WithdrawnSerializer,
    condition_data,
    explainer_data,
)


class Cursor(pagination.CursorPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
    ordering = "pk"  # unique and never changes: a syndicator walking the pages sees each row once

    def get_paginated_response_schema(self, schema):
        # DRF describes the links in OpenAPI 3.0 terms ("nullable"), which 3.1 replaced with a null type.
        link = {"type": ["string", "null"], "format": "uri"}
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {"next": link, "previous": link, "results": schema},
        }


def since(request, name):
    """Return the time ``?name=`` gives (an ISO date or date-time), or None; anything else is a 400."""
    raw = request.query_params.get(name)
    if not raw:
        return None
    try:
        moment = parse_datetime(raw)
        if moment is None and (day := parse_date(raw)) is not None:
            moment = datetime.datetime.combine(day, datetime.time.min)
    except ValueError:
        moment = None
    if moment is None:
        raise exceptions.ValidationError({name: "Give an ISO 8601 date or date-time, e.g. 2026-01-31."})
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def shared_cache_headers(response):
    """Let browsers and shared caches keep the answer briefly, never past midnight (the overdue flag changes)."""
    now = timezone.now()
    tomorrow = timezone.localdate(now) + datetime.timedelta(days=1)
    midnight = timezone.make_aware(datetime.datetime.combine(tomorrow, datetime.time.min))
    left = max(int((midnight - now).total_seconds()), 0)
    patch_cache_control(
        response,
        public=True,
        max_age=min(settings.CACHE_CONTROL_MAX_AGE, left),
        s_maxage=min(settings.CACHE_CONTROL_S_MAXAGE, left),
    )
    patch_vary_headers(response, [HEADER, "Accept-Encoding"])
    # The public pages' Last-Modified (core/cache.py): the last change to anything they show, or
    # midnight. The API shows nothing they do not, so it is never later than the truth. The ETag
    # (the body's hash) and the 304s come from ConditionalGetMiddleware.
    state = public_pages.current()
    if state and (last_modified := state.last_modified(now)):
        response.headers["Last-Modified"] = http_date(last_modified)
    return response


class ApiView(generics.GenericAPIView):
    """Keyed, throttled, counted, cacheable GET/HEAD answers."""

    http_method_names = ["get", "head", "options"]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # key (401), then rate (429)
        DailyUsage.count(request.auth)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code == 200:
            shared_cache_headers(response)
        else:
            patch_cache_control(response, private=True, no_cache=True)
            patch_vary_headers(response, [HEADER])
        return response

    def answer(self, items, serializer_class, to_data):
        page = self.paginate_queryset(items)
        return self.get_paginated_response(serializer_class([to_data(item) for item in page], many=True).data)


CONDITION_FILTER = OpenApiParameter("condition", str, description="Only explainers filed under this condition (slug).")
MODIFIED_SINCE = OpenApiParameter(
    "modified_since",
    OpenApiTypes.DATETIME,
    description="Only explainers whose public version (text or review) was published at or after this date or time.",
)
REVIEWED_SINCE = OpenApiParameter(
    "reviewed_since",
    OpenApiTypes.DATE,
    description="Only explainers whose last full review or latest minor-change approval is on or after this date.",
)
WITHDRAWN_SINCE = OpenApiParameter(
    "withdrawn_since", OpenApiTypes.DATETIME, description="Only explainers withdrawn at or after this date or time."
)


class ConditionList(ApiView):
    pagination_class = Cursor

    @extend_schema(responses=ConditionSerializer(many=True), summary="Public conditions, in a stable order")
    def get(self, request):
        return self.answer(Condition.objects.public(), ConditionSerializer, condition_data)


class ConditionDetail(ApiView):
    @extend_schema(responses=ConditionSerializer, summary="One public condition")
    def get(self, request, slug):
        condition = get_object_or_404(Condition.objects.public(), slug=slug)
        return Response(ConditionSerializer(condition_data(condition)).data)


class ExplainerList(ApiView):
    pagination_class = Cursor

    @extend_schema(
        parameters=[CONDITION_FILTER, MODIFIED_SINCE, REVIEWED_SINCE],
        responses=ExplainerSerializer(many=True),
        summary="Public explainers, as their pages show them",
    )
    def get(self, request):
        explainers = Explainer.objects.for_public_page()
        if slug := request.query_params.get("condition"):
            explainers = explainers.filter(published_version__condition__slug=slug)
        if moment := since(request, "modified_since"):
            explainers = explainers.filter(published_at__gte=moment)
        if moment := since(request, "reviewed_since"):
            day = timezone.localdate(moment)
            explainers = explainers.filter(
                Q(public_review__reviewed_on__gte=day) | Q(published_review__reviewed_on__gte=day)
            )
        return self.answer(explainers, ExplainerSerializer, explainer_data)


class ExplainerDetail(ApiView):
    @extend_schema(
        responses=ExplainerSerializer,
        summary="One public explainer, as its page shows it",
        examples=[OpenApiExample("A published explainer", value=examples.EXPLAINER, response_only=True)],
    )
    def get(self, request, pk):
        explainer = get_object_or_404(Explainer.objects.for_public_page(), pk=pk)
        return Response(ExplainerSerializer(explainer_data(explainer)).data)


class WithdrawnList(ApiView):
    pagination_class = Cursor

    @extend_schema(
        parameters=[WITHDRAWN_SINCE],
        responses=WithdrawnSerializer(many=True),
        summary="Explainers withdrawn from the public site: take down any copies",
    )
    def get(self, request):
        withdrawals = ExplainerEvent.objects.filter(explainer=OuterRef("pk"), action=EventAction.WITHDRAWN)
        latest = withdrawals.order_by().values("explainer").annotate(at=Max("at")).values("at")
        public = Explainer.objects.published().filter(pk=OuterRef("pk"))
        withdrawn = (
            Explainer.objects.filter(Exists(withdrawals))
            .exclude(Exists(public))
            .annotate(withdrawn_at=Subquery(latest, output_field=DateTimeField()))
            .only("pk")
        )
        if moment := since(request, "withdrawn_since"):
            withdrawn = withdrawn.filter(withdrawn_at__gte=moment)
        return self.answer(
            withdrawn,
            WithdrawnSerializer,
            lambda explainer: {"id": explainer.pk, "withdrawn_at": explainer.withdrawn_at},
        )


class Schema(SpectacularAPIView):
    """The OpenAPI 3 schema: public, so anyone can read how to use the API before asking for a key."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []


class Docs(SpectacularSwaggerSplitView):
    """Swagger UI from drf-spectacular-sidecar's static files, its set-up script served from this origin.

    The split view loads the script by address, so the site's Content Security Policy (script and
    style from 'self' only) holds; the template drops the stock page's inline <style>.
    """

    template_name = "api/swagger_ui.html"
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []
