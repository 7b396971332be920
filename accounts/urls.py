from django.contrib import admin
from django.urls import path

from . import views

app_name = "accounts"

# Mounted under /admin/two-factor/ (condinfo/urls.py); admin_view requires signed-in active staff.
urlpatterns = [
    path("", admin.site.admin_view(views.setup), name="setup"),
    path("verify/", admin.site.admin_view(views.verify), name="verify"),
    path("recovery-codes/", admin.site.admin_view(views.new_recovery_codes), name="recovery_codes"),
]
