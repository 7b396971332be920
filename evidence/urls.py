from django.contrib import admin
from django.urls import path

from . import views

app_name = "evidence"

urlpatterns = [
    path("", admin.site.admin_view(views.report), name="governance"),
    path("governance.csv", admin.site.admin_view(views.report_csv), name="governance_csv"),
]
