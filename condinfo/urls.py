from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from explainers import editor_endpoints

urlpatterns = [
    path("admin/", admin.site.urls),
    path("markdownx/", include(editor_endpoints.urlpatterns)),
    path("", include("explainers.urls")),
]

if settings.DEBUG:  # production serves uploads from the web server or object storage
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
