from django.urls import path

from . import views
from .feeds import ReviewedExplainersFeed

app_name = "explainers"

urlpatterns = [
    path("", views.home, name="home"),
    path("conditions/", views.condition_index, name="condition_index"),
    path("conditions/<slug:slug>/", views.condition_detail, name="condition"),
    path("conditions/<slug:condition_slug>/<slug:slug>/", views.explainer_detail, name="explainer"),
    path("reviewers/<slug:slug>/", views.reviewer_detail, name="reviewer"),
    path("search/", views.search_view, name="search"),
    path("about/editorial-policy/", views.editorial_policy, name="editorial_policy"),
    path("feeds/reviewed/", ReviewedExplainersFeed(), name="reviewed_feed"),
]
