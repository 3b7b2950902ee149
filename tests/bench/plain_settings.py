"""Plain Django without tenants, for comparison: the standard PostgreSQL backend, the same
middleware minus provider routing, the same user table and the same view."""

from careplatform.settings import (  # noqa: F401 (settings Django reads by name)
    ALLOWED_HOSTS,
    AUTH_USER_MODEL,
    BASE_DOMAIN,
    CONTENT_SECURITY_POLICY,
    DATABASES,
    DEFAULT_AUTO_FIELD,
    LANGUAGE_CODE,
    LANGUAGES,
    LOGGING,
    MIDDLEWARE,
    PERMISSIONS_POLICY,
    SECRET_KEY,
    SECURE_CONTENT_TYPE_NOSNIFF,
    SECURE_HSTS_INCLUDE_SUBDOMAINS,
    SECURE_HSTS_SECONDS,
    SECURE_REFERRER_POLICY,
    SECURE_SSL_REDIRECT,
    SESSION_ENGINE,
    TIME_ZONE,
    USE_I18N,
    USE_TZ,
    X_FRAME_OPTIONS,
)

DEBUG = False
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    # The shared middleware uses sessions and messages.
    "django.contrib.sessions",
    "django.contrib.messages",
    "tenant_apps.accounts",
]
MIDDLEWARE = [m for m in MIDDLEWARE if m != "tenants.routing.ProviderRoutingMiddleware"]
ROOT_URLCONF = "tests.bench.plain_urls"

# The same connection settings (from DATABASE_URL, which points at the plain bench database),
# on the stock backend, which checks every connection (pooled or persistent) before a request's
# first query as ours does with its SET search_path.
DATABASES = {
    "default": {
        **DATABASES["default"],
        "ENGINE": "django.db.backends.postgresql",
        "CONN_HEALTH_CHECKS": True,
    }
}
