"""
condinfo settings: one module, configured from the environment.

Nothing set means a local SQLite site; production sets DATABASE_URL, SECRET_KEY,
ALLOWED_HOSTS and friends (all documented in README.md and .env.example).
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()  # typed parsing of environment variables
environ.Env.read_env(BASE_DIR / ".env")  # optional local overrides; never committed

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="django-insecure-local-only")  # flagged by check --deploy
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "whitenoise.runserver_nostatic",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "markdownx",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "explainers",
    "core",
    "accounts",
    "reports",
    # Django REST framework runs the API without being an installed app: the API renders JSON only, so
    # it needs none of DRF's templates, and its template tags would load DRF into every worker.
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served from this origin: no CDN
    "api",
    "verification",
    "evidence",
    "readability",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # 304s from the ETag and Last-Modified of cached and freshly drawn pages alike.
    "django.middleware.http.ConditionalGetMiddleware",
    # Outside sessions, CSRF and authentication: a cached page costs none of their work, and the page
    # it stores is the finished one, so it sees every cookie they set.
    "core.middleware.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified(): a one-time code confirmed this session
    "accounts.middleware.TwoFactorMiddleware",  # reviewers and publishers confirm a code before using the admin
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes requires
]

ROOT_URLCONF = "condinfo.urls"
WSGI_APPLICATION = "condinfo.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "explainers.context_processors.site",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
# Test a kept connection before each request reuses it, so a database restart costs no failed requests.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("CONN_HEALTH_CHECKS", default=True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Parameters sent apart from the SQL, so psycopg prepares a query the fifth time a connection runs
    # it and PostgreSQL stops re-planning it: planning a public page's joins costs more than running
    # them. Off (DATABASE_PREPARED_STATEMENTS=0) behind a pooler in transaction mode, which cannot
    # keep prepared statements.
    if env.bool("DATABASE_PREPARED_STATEMENTS", default=True):
        DATABASES["default"].setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=5)
    # The planner's price of reading a page out of order. PostgreSQL's default (4) is for spinning
    # disks: with it, a page listing a letter's 400 conditions or a reviewer's 1,000 answers reads
    # every row of a 10,000- or 100,000-row table rather than the few it needs through an index.
    # 1.1 is PostgreSQL's own advice for SSDs and data that fits in memory. Empty sends nothing
    # (behind a pooler that refuses start-up options, set it on the server instead).
    if random_page_cost := env("DATABASE_RANDOM_PAGE_COST", default="1.1"):
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options["options"] = f"-c random_page_cost={float(random_page_cost)}"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis when configured (shared by every worker); otherwise a per-process memory cache.
if env("REDIS_URL", default=""):
    CACHES = {
        "default": {
            "BACKEND": "core.redis_cache.RedisCache",  # one client per pool: core/redis_cache.py
            "LOCATION": env("REDIS_URL"),
            "KEY_PREFIX": "condinfo",
            # An unreachable Redis costs a request at most this long before it is served from the database.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Sessions (and django-axes' lockouts) live in the database: every app server sees every sign-in,
# and a cache outage signs nobody out.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
# Only staff sign in. A session ends after this long without a request (each request renews it),
# so an unattended signed-in browser stops being able to act.
SESSION_COOKIE_AGE = env.int("STAFF_SESSION_IDLE_HOURS", default=8) * 60 * 60
SESSION_SAVE_EVERY_REQUEST = True

# Two-factor authentication (django-otp, TOTP with recovery codes): required of everyone who may
# approve or publish, except in the local demo (accounts/rules.py). Decisions are also signed by
# re-entering a password or a one-time code (accounts/signatures.py).
TWO_FACTOR_REQUIRED = env.bool("TWO_FACTOR_REQUIRED", default=not DEBUG)
OTP_TOTP_ISSUER = "condinfo"

# The public page cache (core/middleware.py): anonymous visitors' pages, kept this many seconds at
# most; any change to what they show replaces them at once (core/cache.py).
PAGE_CACHE = env.bool("PAGE_CACHE", default=not DEBUG)  # off while templates are being edited
PAGE_CACHE_TIMEOUT = env.int("PAGE_CACHE_TIMEOUT", default=600)
# How long public pages may be kept by browsers (max-age; while developing, they ask every time) and by
# shared caches such as a CDN (s-maxage), in seconds.
CACHE_CONTROL_MAX_AGE = env.int("CACHE_CONTROL_MAX_AGE", default=0 if DEBUG else 60)
CACHE_CONTROL_S_MAXAGE = env.int("CACHE_CONTROL_S_MAXAGE", default=300)
CACHE_CONTROL_STALE_WHILE_REVALIDATE = env.int("CACHE_CONTROL_STALE_WHILE_REVALIDATE", default=60)
# A front-end cache to purge when pages change (core/frontend_cache.py); none by default.
FRONTEND_CACHE_BACKEND = env("FRONTEND_CACHE_BACKEND", default="")
FRONTEND_CACHE_PURGE_URLS = env.list("FRONTEND_CACHE_PURGE_URLS", default=[])

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses sign-ins while an account is locked out
    "django.contrib.auth.backends.ModelBackend",
]

# Login throttling (django-axes): lock a username+IP pair after repeated failures.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
# How many proxies in front of the app servers append to X-Forwarded-For (1 behind deploy/nginx.conf).
# 0 ignores the header, which any client can forge. Every rate limit keys on core.client_address.client_ip.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "core.client_address.client_ip"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env("TIME_ZONE", default="Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Markdown editing: one renderer (explainers/rendering.py) for the preview and the public pages.
MARKDOWNX_MARKDOWNIFY_FUNCTION = "explainers.rendering.render_markdown"
MARKDOWNX_UPLOAD_MAX_SIZE = 2 * 1024 * 1024  # 2 MiB is plenty for a diagram or photo
MARKDOWNX_UPLOAD_CONTENT_TYPES = ["image/jpeg", "image/png", "image/gif", "image/webp"]  # no SVG: it can carry script
MARKDOWNX_MEDIA_PATH = "uploads/"
MARKDOWNX_IMAGE_MAX_SIZE = {"size": (1600, 1600), "quality": 85}
MARKDOWNX_SKIP_RESIZE = ()  # re-encode every upload through Pillow, so nothing but pixels is stored
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# The largest form is an explainer's change form: its own ~12 fields, each inline's 4 management
# fields and hidden template row, then 7 fields a section (id, explainer, heading, health aspect,
# body, position, delete) and 8 a source (id, explainer, citation, URL, PMID, DOI, position, delete).
# SectionInline.max_num and SourceInline.max_num (explainers/admin.py) are 100 each, so the
# fullest form the admin lets anyone build sends under 1,600 fields; Django's default of 1,000 cut
# a save of about 160 sections off with a bare "Bad Request" (issue 11). Anything beyond is not
# the admin's form, and gets a page saying nothing was saved (ExplainerAdmin.form_too_large).
DATA_UPLOAD_MAX_NUMBER_FIELDS = 100 + 7 * 100 + 8 * 100
# Seconds rendering Markdown may take: one live preview, or all the sections of one submission.
# Submitting a 200,000-character explainer of ordinary Markdown takes 3-6 s (explainers/rendering.py);
# past this the editor is told the text took too long to prepare, well before gunicorn's 30 s timeout.
CONDINFO_RENDER_TIME_LIMIT = env.float("RENDER_TIME_LIMIT", default=10)

# How long a full clinical review stands before the next one is due (overridable per explainer).
CONDINFO_REVIEW_INTERVAL_MONTHS = env.int("REVIEW_INTERVAL_MONTHS", default=12)
CONDINFO_DUE_SOON_DAYS = 30

# Reader reports ("Report a problem with this page", reports/): how many one address and one page may
# send per window, and how long after a report is closed the reporter's e-mail is kept (then erased by
# `manage.py purge_report_contacts`, run daily from cron).
REPORT_RATE_PER_IP = env.int("REPORT_RATE_PER_IP", default=5)
REPORT_RATE_PER_PAGE = env.int("REPORT_RATE_PER_PAGE", default=20)
REPORT_RATE_WINDOW_SECONDS = env.int("REPORT_RATE_WINDOW_SECONDS", default=60 * 60)
REPORT_CONTACT_RETENTION_DAYS = env.int("REPORT_CONTACT_RETENTION_DAYS", default=90)

# The read-only content API (api/, /api/v1/): syndicators send a key (X-Api-Key), made in the admin.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.authentication.HasApiKey"],
    "DEFAULT_THROTTLE_CLASSES": ["api.authentication.ApiKeyRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api_key": env("API_RATE", default="120/min")},  # per key; DRF's "N/s|min|hour|day"
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,  # no session or auth middleware work for API requests
}
SPECTACULAR_SETTINGS = {
    "TITLE": "condinfo content API",
    "DESCRIPTION": "Medically reviewed explainers and conditions, exactly as the public pages show them. "
    "Send your key in the X-Api-Key header.",
    "VERSION": "1",
    "OAS_VERSION": "3.1.0",  # JSON Schema proper: "may be null" is said the same way everywhere
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
}
# The reuse terms every API answer carries with each explainer.
API_ATTRIBUTION = env(
    "API_ATTRIBUTION",
    default="© condinfo. Medically reviewed content; reuse only unchanged, with a link to the page it came from.",
)
# What a caller without a (valid) key is told.
API_KEY_HOW_TO_GET = env(
    "API_KEY_HOW_TO_GET",
    default="To ask for a key, write to the editorial team at the address on /about/editorial-policy/.",
)

# Content Security Policy (django-csp): everything is served from this origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="condinfo <reviews@localhost>")
if env("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))

# Production hardening: on by default, switched off only for local development (DEBUG).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe app servers over plain HTTP
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
# Sends the preload directive only; submitting the domain to browsers' list is a separate choice.
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# The site's own 403 page: Django's CSRF page carries an inline style the Content Security Policy blocks.
CSRF_FAILURE_VIEW = "core.errors.csrf_failure"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"without_traceback": {"()": "core.errors.WithoutTraceback"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        # A bad Host header comes from a scanner or a misdirected client, not a fault in the code: the
        # message names the host, and a traceback per request would bury real errors.
        "django.security.DisallowedHost": {"filters": ["without_traceback"]},
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
}
