from django.urls import path

from explainers.urls import read_only

from . import views

app_name = "verification"

urlpatterns = [
    path("<str:content_hash>/", read_only(views.verify), name="verify"),
    path("<str:content_hash>/content.json", read_only(views.content), name="content"),
]
