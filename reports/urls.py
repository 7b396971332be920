from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("<int:explainer_id>/", views.report_problem, name="report"),
    path("<int:explainer_id>/received/", views.report_received, name="received"),
]
