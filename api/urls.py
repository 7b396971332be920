from django.urls import path

from . import views

app_name = "api"

urlpatterns = [
    path("conditions/", views.ConditionList.as_view(), name="condition-list"),
    path("conditions/<slug:slug>/", views.ConditionDetail.as_view(), name="condition-detail"),
    path("explainers/", views.ExplainerList.as_view(), name="explainer-list"),
    path("explainers/withdrawn/", views.WithdrawnList.as_view(), name="withdrawn-list"),
    path("explainers/<int:pk>/", views.ExplainerDetail.as_view(), name="explainer-detail"),
    path("schema/", views.Schema.as_view(), name="schema"),
    path("docs/", views.Docs.as_view(url_name="api:schema"), name="docs"),
]
