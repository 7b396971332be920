from django.conf import settings
from django.contrib import admin
from django.templatetags.static import static as static_url
from django.urls import include, path
from django.utils.functional import lazy
from django.views.generic import RedirectView

from core.lazy_urls import lazy_include, lazy_view
from explainers import sitemaps
from explainers.urls import read_only
from explainers.views import robots_txt

urlpatterns = [
    # Addresses only staff use are imported at their first use (core/lazy_urls.py), so a worker that
    # serves only the public never loads their libraries: QR codes, Pillow, Python-Markdown.
    lazy_include("admin/two-factor/", "accounts.urls", namespace="accounts"),  # before the admin's catch-all
    lazy_include("admin/governance/", "evidence.urls", namespace="evidence"),  # likewise: evidence/views.py
    path("admin/", admin.site.urls),
    # django-markdownx's preview and upload, for editors only: explainers/editor_endpoints.py
    path("markdownx/upload/", lazy_view("explainers.editor_endpoints.upload"), name="markdownx_upload"),
    path("markdownx/markdownify/", lazy_view("explainers.editor_endpoints.preview"), name="markdownx_markdownify"),
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
