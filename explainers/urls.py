from django.urls import path, re_path

from . import views
from .feeds import ReviewedExplainersFeed

app_name = "explainers"

urlpatterns = [
    path("", views.home, name="home"),
    path("conditions/", views.condition_index, name="condition_index"),
    # One letter of the A–Z: a–z, or 0-9 for names starting with anything else. Before the explainer
    # route, which the same shape of address would otherwise match.
    re_path(r"^conditions/letter/(?P<letter>[a-z]|0-9)/$", views.condition_letter, name="condition_letter"),
    path("conditions/<slug:slug>/", views.condition_detail, name="condition"),
    path("conditions/<slug:condition_slug>/<slug:slug>/", views.explainer_detail, name="explainer"),
    path("reviewers/<slug:slug>/", views.reviewer_detail, name="reviewer"),
    path("search/", views.search_view, name="search"),
    path("about/editorial-policy/", views.editorial_policy, name="editorial_policy"),
    path("feeds/reviewed/", ReviewedExplainersFeed(), name="reviewed_feed"),
]
