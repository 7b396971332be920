from django.conf import settings
from django.contrib import admin
from django.templatetags.static import static as static_url
from django.urls import include, path
from django.utils.functional import lazy
from django.views.generic import RedirectView

from core.lazy_urls import lazy_include
from explainers import editor_endpoints, sitemaps
from explainers.urls import read_only
from explainers.views import robots_txt

urlpatterns = [
    path("admin/two-factor/", include("accounts.urls")),  # before the admin, whose catch-all would take it
    path("admin/governance/", include("evidence.urls")),  # before the admin's catch-all: evidence/views.py
    path("admin/", admin.site.urls),
    path("markdownx/", include(editor_endpoints.urlpatterns)),
    path("healthz", include("core.urls")),  # for load balancers: core/views.py
    path("sitemap.xml", read_only(sitemaps.index), name="sitemap"),
    path("sitemap-<slug:name>.xml", read_only(sitemaps.section), name="sitemap_section"),
    path("robots.txt", read_only(robots_txt), name="robots_txt"),
    # Browsers ask for /favicon.ico on pages without an icon link (the admin, files); point them at ours.
    path("favicon.ico", RedirectView.as_view(url=lazy(static_url, str)("img/favicon.svg"), permanent=True)),
    path("report/", include("reports.urls")),  # the public report form: reports/views.py
    # The read-only content API (api/views.py), imported at its first request: see core/lazy_urls.py.
    lazy_include("api/v1/", "api.urls", namespace="api"),
    path("verify/", include("verification.urls")),  # public checks of approvals: verification/views.py
    path("", include("explainers.urls")),
]

if settings.DEBUG:  # production serves uploads from the web server or object storage
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
