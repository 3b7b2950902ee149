"""CarePlatform settings: one module, read from environment variables.

Defaults are safe for production (DEBUG off, secure cookies); `make run` and `make test` set the
development values explicitly. `make run` also writes them to `.env` in the checkout, read here
for commands started by hand (`.venv/bin/python manage.py …`); environment variables win, and
`make test` turns the file off (PYTHON_DOTENV_DISABLED).
"""

import hashlib
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from dotenv import load_dotenv

from careplatform.environment import (
    env,
    envbool,
    envchoice,
    envfloat,
    envint,
    envlist,
    envnetworks,
)

BASE_DIR = Path(__file__).resolve().parent.parent
# Literally (no $VARIABLE expansion); a missing file is nothing to read.
load_dotenv(BASE_DIR / ".env", override=False, interpolate=False)

DEBUG = envbool("DEBUG")
SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off "
            "(in development, `make run` writes both to .env for manage.py)."
        )
    SECRET_KEY = "development-only-secret-key-not-for-production"

# The public host serves the landing page, operator console and support desk; each provider
# lives on <subdomain>.<BASE_DOMAIN>.
BASE_DOMAIN = env("BASE_DOMAIN", "localhost" if DEBUG else "careplatform.se").lower()
PUBLIC_HOSTS = [BASE_DOMAIN, f"www.{BASE_DOMAIN}"]
# Providers may also have host names of their own (video.vardcentralen.se, added in the console),
# which a fixed list cannot know. The routing middleware runs first and is the host check: a host
# that is neither public nor a provider's Domain row gets the 404 "no provider here" page before
# any view runs, and a malformed Host header still gets 400 from Django (request.get_host()).
ALLOWED_HOSTS = ["*"]
SITE_SCHEME = envchoice("SITE_SCHEME", "http" if DEBUG else "https", ("http", "https"))
SITE_PORT = str(envint("SITE_PORT", 0, min_value=1, max_value=65535) or "")

DATA_DIR = Path(env("DATA_DIR", str(BASE_DIR / ".data")))

SHARED_APPS = [
    "django_tenants",
    "tenants",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI from our own static files (the CSP allows 'self')
    "channels",
    "django_q",
    "careplatform",
    "careplatform.sms",
    "public_site",
    "tenant_apps.accounts",
]
TENANT_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "tenant_apps.accounts",
    "tenant_apps.audit",
    "tenant_apps.workspace",
    "tenant_apps.profiles",
    "tenant_apps.administration",
    "tenant_apps.bookings",
    "tenant_apps.notifications",
    "tenant_apps.api",
    "tenant_apps.video",
    "tenant_apps.inbox",
]
INSTALLED_APPS = SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.CareProvider"
TENANT_DOMAIN_MODEL = "tenants.Domain"
# New providers are cloned from this migrated template schema (kept migrated by migrate_schemas
# through its provider row) instead of being migrated from scratch.
TENANT_BASE_SCHEMA = "tenant_template"
TENANT_CREATION_FAKES_MIGRATIONS = True
TENANT_LIMIT_SET_CALLS = True
PUBLIC_SCHEMA_URLCONF = "careplatform.urls_public"
ROOT_URLCONF = "careplatform.urls_tenant"
AUTH_USER_MODEL = "accounts.User"

MIDDLEWARE = [
    "tenants.routing.ProviderRoutingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "careplatform.i18n.PreferredLanguageMiddleware",
    "careplatform.middleware.RefuseNulInQueryMiddleware",
    "tenant_apps.accounts.middleware.ConsentRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "tenant_apps.accounts.staff_sessions.StaffSessionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "careplatform" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "careplatform.navigation.menu",
                "tenant_apps.video.context_processors.open_rooms",
                "tenant_apps.inbox.context_processors.notice_bell",
            ],
        },
    },
]

ASGI_APPLICATION = "careplatform.asgi.application"

DATABASE_URL = env("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/careplatform")
# At most this many PostgreSQL connections per process, whatever the traffic: a connection pool
# that each request borrows from and gives back. Under ASGI every concurrent request runs in a
# thread of its own, and with persistent per-thread connections one server process held 72.
# A request that finds the pool empty waits up to DB_POOL_TIMEOUT seconds for a connection.
# 0 turns the pool off: one connection per thread, kept DB_CONN_MAX_AGE seconds (unbounded).
DB_POOL_MAX_SIZE = envint("DB_POOL_MAX_SIZE", 10, min_value=0)
DB_POOL_TIMEOUT = envfloat("DB_POOL_TIMEOUT", 5, above=0)
DB_CONN_MAX_AGE = envint("DB_CONN_MAX_AGE", 600, min_value=0)
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        engine="careplatform.db_backend",
        conn_max_age=0 if DB_POOL_MAX_SIZE else DB_CONN_MAX_AGE,
        # Pooled connections are checked by the backend's SET search_path on borrowing
        # (careplatform/db_backend), not by an extra query from the pool.
        conn_health_checks=not DB_POOL_MAX_SIZE,
    )
}
if DB_POOL_MAX_SIZE:
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,  # grows on demand, back to this after 10 idle minutes
        "max_size": DB_POOL_MAX_SIZE,
        "timeout": DB_POOL_TIMEOUT,
        # While PostgreSQL is away, reconnecting gives up after 5 s and the next request tries
        # afresh, rather than waiting out a backoff that grows with the outage.
        "reconnect_timeout": 5,
    }
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]

REDIS_URL = env("REDIS_URL", "redis://127.0.0.1:6379/0")
# A Redis command without an answer within this many seconds fails (cache, login rate limit,
# heartbeat): a hanging Redis gives a clear error at once instead of stalling every request.
REDIS_TIMEOUT = envfloat("REDIS_TIMEOUT", 2, above=0)
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        # Every key carries the schema of the provider it belongs to.
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "KEY_PREFIX": env("CACHE_KEY_PREFIX", "cp"),
        "OPTIONS": {"socket_connect_timeout": REDIS_TIMEOUT, "socket_timeout": REDIS_TIMEOUT},
    }
}
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {
            # channels-redis blocks 5 s per receive (BZPOPMIN); redis-py 8 times reads out after
            # 5 s by default, which would randomly end idle consumers: allow longer reads.
            "hosts": [{"address": REDIS_URL, "socket_timeout": 15, "socket_connect_timeout": 5}],
            "prefix": env("CHANNEL_PREFIX", "cp-asgi"),
        },
    },
    # Video signaling over Redis pub/sub: the list-based layer above can lose a message for one
    # consumer when another consumer of the process exits mid-receive (channels_redis #366).
    "video": {
        "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
        "CONFIG": {
            "hosts": [{"address": REDIS_URL, "socket_timeout": 15, "socket_connect_timeout": 5}],
            "prefix": env("CHANNEL_PREFIX", "cp-asgi") + "-video",
        },
    },
}
Q_CLUSTER = {
    "name": env("Q_CLUSTER_NAME", "careplatform"),
    "workers": envint("Q_WORKERS", 2, min_value=1),
    "timeout": 60,
    "retry": 120,
    "redis": REDIS_URL,
    "catch_up": False,
    "save_limit": 1000,
    "label": "Bakgrundsjobb",
}
# A worker is healthy when its heartbeat task ran within this many seconds.
WORKER_HEARTBEAT_MAX_AGE = envint("WORKER_HEARTBEAT_MAX_AGE", 60, min_value=1)
WORKER_HEARTBEAT_INTERVAL = envint("WORKER_HEARTBEAT_INTERVAL", 15, min_value=1)

LOGIN_URL = "login"
# endUserIp for BankID comes from REMOTE_ADDR, or from this header when the request comes from
# one of these proxies (addresses or networks), e.g. nginx in front of the ASGI servers.
TRUSTED_PROXIES = envnetworks("TRUSTED_PROXIES")
TRUSTED_PROXY_HEADER = env("TRUSTED_PROXY_HEADER", "HTTP_X_FORWARDED_FOR")
# The login page collects from BankID about every 2 s and allows 5 order starts per IP a minute.
BANKID_COLLECT_INTERVAL = envfloat("BANKID_COLLECT_INTERVAL", 2, above=0)
BANKID_STARTS_PER_IP_PER_MINUTE = envint("BANKID_STARTS_PER_IP_PER_MINUTE", 5, min_value=1)

SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_DOMAIN = None  # host-only: a session made on one provider's host stays there
CSRF_COOKIE_DOMAIN = None
SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 8 * 3600, min_value=1)
# Operators and support staff (public host) are logged out after this long without a request
# and this long after logging in, however active (tenant_apps/accounts/staff_sessions.py).
STAFF_SESSION_IDLE_MINUTES = envint("STAFF_SESSION_IDLE_MINUTES", 30, min_value=1)
STAFF_SESSION_MAX_HOURS = envint("STAFF_SESSION_MAX_HOURS", 8, min_value=1)

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
HSTS_SECONDS = envint("HSTS_SECONDS", 31536000, min_value=0)
SECURE_HSTS_SECONDS = 0 if DEBUG else HSTS_SECONDS
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", False)
if env("SECURE_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = (env("SECURE_PROXY_SSL_HEADER"), "https")
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:"],
        "media-src": [SELF, "blob:"],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
PERMISSIONS_POLICY = {
    "camera": ["self"],
    "microphone": ["self"],
    "display-capture": ["self"],
    "geolocation": [],
    "payment": [],
    "usb": [],
}

LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", "Svenska"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# Development and tests serve static files from the ASGI app; production uses nginx.
SERVE_STATIC = envbool("SERVE_STATIC", DEBUG)
STATIC_ROOT = DATA_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
# Uploaded files live under MEDIA_ROOT/<schema>/: one folder per provider.
MULTITENANT_RELATIVE_MEDIA_ROOT = "%s"
STORAGES = {
    "default": {"BACKEND": "django_tenants.files.storage.TenantFileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "tenant_apps.api.schema.ApiAutoSchema",
    # Integrations send `Authorization: Token <key>` (no CSRF); pages use the session with CSRF.
    # The token class comes first so that an unauthenticated call gets 401 with a challenge.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "tenant_apps.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Logged in, and a patient only after giving consent (manual 7.3).
    "DEFAULT_PERMISSION_CLASSES": ["tenant_apps.api.permissions.ConsentGiven"],
    # JSON only: the browsable API needs inline scripts, which the CSP refuses; see /api/docs/.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["tenant_apps.api.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "tenant_apps.api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CarePlatform API",
    "DESCRIPTION": (
        "Video visits for care providers: staff, patients, bookable visit types and bookings. "
        "Each provider has its own API on its own host. Log in with the session (the pages) or "
        "with a personal API key: `Authorization: Token <key>`. Times are ISO 8601 with a UTC "
        "offset; dates and local times are Swedish time (Europe/Stockholm)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    # Deep links put a link inside each operation's button, which screen readers cannot reach.
    "SWAGGER_UI_SETTINGS": {"deepLinking": False},
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Field names used by more than one choice set ("kind", "status"): names fixed here.
    "ENUM_NAME_OVERRIDES": {
        "KindEnum": "tenant_apps.profiles.models.VisitKind",
        "StatusEnum": "tenant_apps.bookings.models.BookingStatus",
        "SmsKindEnum": "tenant_apps.notifications.models.SmsKind",
        "SmsStatusEnum": "tenant_apps.notifications.models.SmsStatus",
    },
}

# BankID RP API v6.0. The simulator (served on the public host under /bankid-simulator/) is on
# with DEBUG and never otherwise unless BANKID_SIMULATOR is set; it is then the default URL.
BANKID_SIMULATOR_ENABLED = envbool("BANKID_SIMULATOR", DEBUG)
if BANKID_SIMULATOR_ENABLED:
    INSTALLED_APPS.append("careplatform.bankid.simulator")
_SITE = f"{SITE_SCHEME}://{BASE_DOMAIN}{':' + SITE_PORT if SITE_PORT else ''}"
BANKID_URL = env(
    "BANKID_URL",
    f"{_SITE}/bankid-simulator/rp/v6.0"
    if BANKID_SIMULATOR_ENABLED
    else "https://appapi2.bankid.com/rp/v6.0",
)
BANKID_CERT = env("BANKID_CERT")  # client certificate (PEM) for mutual TLS
BANKID_KEY = env("BANKID_KEY")  # its private key (PEM)
BANKID_CA = env("BANKID_CA")  # the CA that signed BankID's server certificate (PEM)
BANKID_ORDER_TTL = 180  # seconds until the simulator's orders expire

# SMS (manual 4, 7.1). Backends: outbox (stored, shown on the public host's /sms/utkorg/ page
# with DEBUG or to operators), console (the log), elks46 (46elks HTTP API).
SMS_BACKEND = envchoice(
    "SMS_BACKEND", "outbox" if DEBUG else "elks46", ("outbox", "console", "elks46")
)
ELKS46_API_URL = env("ELKS46_API_URL", "https://api.46elks.com/a1")
ELKS46_USERNAME = env("ELKS46_USERNAME")
ELKS46_PASSWORD = env("ELKS46_PASSWORD")
# Delivery reports come to <SMS_CALLBACK_URL>/sms/leveransrapport/<schema>/<token>/; the token
# is derived from this secret (default: derived from SECRET_KEY).
SMS_WEBHOOK_SECRET = (
    env("SMS_WEBHOOK_SECRET") or hashlib.sha256(f"sms-webhook:{SECRET_KEY}".encode()).hexdigest()
)
SMS_CALLBACK_URL = env("SMS_CALLBACK_URL", _SITE)
SMS_HTTP_TIMEOUT = envfloat("SMS_HTTP_TIMEOUT", 10, above=0)
# A sending worker owns a message this long (well over the HTTP timeout: no request starts
# that could outlive it); a job leases due rows as long. After it, the sweep comes back and the
# outcome is looked up.
SMS_LEASE_SECONDS = envint("SMS_LEASE_SECONDS", 60, min_value=1)
SMS_RECONCILE_DELAY = envint(
    "SMS_RECONCILE_DELAY", 15, min_value=0
)  # after a timeout, look up after
SMS_RETRY_BASE_SECONDS = envint("SMS_RETRY_BASE_SECONDS", 10, min_value=1)  # 10, 20, 40 ... s
SMS_RETRY_MAX_SECONDS = envint("SMS_RETRY_MAX_SECONDS", 900, min_value=1)
SMS_MAX_ATTEMPTS = envint("SMS_MAX_ATTEMPTS", 8, min_value=1)
# The worker looks for due reminders and messages this often (seconds; 0 = never, for tests
# that must not race a shared worker), and for lost booking events this often.
SMS_SWEEP_INTERVAL = envfloat("SMS_SWEEP_INTERVAL", 5, min_value=0)
SMS_RECOVERY_INTERVAL = envfloat("SMS_RECOVERY_INTERVAL", 60, min_value=0)
SMS_RECOVERY_AFTER = envint(
    "SMS_RECOVERY_AFTER", 60, min_value=0
)  # an event undispatched this long is lost
SMS_SWEEP_LIMIT = envint("SMS_SWEEP_LIMIT", 5000, min_value=1)  # due rows leased per sweep
SMS_JOB_BATCH = envint("SMS_JOB_BATCH", 50, min_value=1)  # reminders/messages per job
SMS_JOB_BUDGET = envfloat("SMS_JOB_BUDGET", 40, above=0)  # seconds a job sends before handing back

# Usage metering (tenants/usage.py): the worker counts today and yesterday at every provider this
# often (seconds; 0 = never), in jobs of this many providers, with statements of at most this
# many provider schemas each.
USAGE_INTERVAL = envfloat("USAGE_INTERVAL", 900, min_value=0)
USAGE_PROVIDERS_PER_JOB = envint("USAGE_PROVIDERS_PER_JOB", 1000, min_value=1)
USAGE_SCHEMAS_PER_STATEMENT = envint("USAGE_SCHEMAS_PER_STATEMENT", 100, min_value=1)

# Video visits (manual 6): ICE servers handed to the browsers. TURN credentials follow coturn's
# use-auth-secret (TURN REST API) and expire after TURN_TTL seconds; they are issued afresh on
# every (re)connection to a room. VIDEO_ICE_TRANSPORT_POLICY "relay" sends all media via TURN.
STUN_URLS = envlist("STUN_URLS")
TURN_URLS = envlist("TURN_URLS")
TURN_SECRET = env("TURN_SECRET")
TURN_TTL = envint("TURN_TTL", 3 * 3600, min_value=1)
VIDEO_ICE_TRANSPORT_POLICY = envchoice("VIDEO_ICE_TRANSPORT_POLICY", "all", ("all", "relay"))
# A room page that sends nothing (not even its heartbeat) for this long is gone (seconds).
VIDEO_PEER_TIMEOUT = envint("VIDEO_PEER_TIMEOUT", 12, min_value=1)

# Terminating a provider (console): it stays suspended for TERMINATION_GRACE_DAYS (undo is
# possible until then); then the worker exports its schema (pg_dump) to DATA_DIR/exports/ and
# drops it. The worker looks for due terminations every TERMINATION_CHECK_INTERVAL seconds
# (0 = never, for tests that must not race a shared worker).
TERMINATION_GRACE_DAYS = envint("TERMINATION_GRACE_DAYS", 30, min_value=1)
TERMINATION_CHECK_INTERVAL = envfloat("TERMINATION_CHECK_INTERVAL", 3600, min_value=0)
PROVIDER_EXPORT_DIR = DATA_DIR / "exports"

# The names logging knows, in any case.
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "WARN", "ERROR", "CRITICAL", "FATAL", "NOTSET")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envchoice("LOG_LEVEL", "INFO", LOG_LEVELS)},
    "loggers": {
        "django_tenants": {"level": "WARNING"},
        "django-q": {"level": envchoice("WORKER_LOG_LEVEL", "WARNING", LOG_LEVELS)},
    },
}
