from django.db import transaction
from django.urls import path, re_path

from core.errors import get_and_head_only

from . import views
from .feeds import ReviewedExplainersFeed

app_name = "explainers"


def read_only(view):
    """Make ``view`` a public, read-only address: GET and HEAD only (405 otherwise), outside a transaction.

    Public pages only read, so they skip ATOMIC_REQUESTS' transaction: two round trips fewer per page,
    and no consistency lost (each query of a page reads committed rows either way).
    """
    return transaction.non_atomic_requests(get_and_head_only(view))


urlpatterns = [
    path("", read_only(views.home), name="home"),
    path("conditions/", read_only(views.condition_index), name="condition_index"),
    # One letter of the A–Z: a–z, or 0-9 for names starting with anything else. Before the explainer
    # route, which the same shape of address would otherwise match.
    re_path(r"^conditions/letter/(?P<letter>[a-z]|0-9)/$", read_only(views.condition_letter), name="condition_letter"),
    path("conditions/<slug:slug>/", read_only(views.condition_detail), name="condition"),
    path("conditions/<slug:condition_slug>/<slug:slug>/", read_only(views.explainer_detail), name="explainer"),
    path(
        "conditions/<slug:condition_slug>/<slug:slug>/history/",
        read_only(views.explainer_history),
        name="explainer_history",
    ),
    path("reviewers/<slug:slug>/", read_only(views.reviewer_detail), name="reviewer"),
    path("authors/<slug:slug>/", read_only(views.author_detail), name="author"),
    path("search/", read_only(views.search_view), name="search"),
    path("about/editorial-policy/", read_only(views.editorial_policy), name="editorial_policy"),
    path("feeds/reviewed/", read_only(ReviewedExplainersFeed()), name="reviewed_feed"),
]
