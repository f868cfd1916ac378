"""Settings for Regionbudget, read from the environment (django-environ).

One module for every environment. Values come from environment variables, and from a ``.env``
file in the project folder when there is one (``make run`` writes one for local use). The defaults
are the production ones: debug off, HTTPS-only cookies, HSTS. A malformed value fails loudly at
start-up with a message that names the variable.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from regionbudget.core.database import database_settings

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if env.bool("DJANGO_READ_DOT_ENV", default=True) and (BASE_DIR / ".env").is_file():
    # Variables already set in the environment win over the file.
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def _env_bool(name: str, default: bool) -> bool:
    """A boolean variable; anything but a clear yes/no is a configuration error."""
    raw = env.str(name, default="").strip().lower()
    if raw == "":
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, got {raw!r}.")


DEBUG = _env_bool("DJANGO_DEBUG", False)

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY is not set. Set it in the environment or in .env "
        "('make run' writes a .env with a random key for local use)."
    )

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# Demo users (password "demo") may only be created where this is switched on explicitly.
DEMO_DATA_ALLOWED = _env_bool("REGIONBUDGET_DEMO", False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tables2",
    "django_filters",
    "pgtrigger",
    "pghistory",
    "axes",
    "regionbudget",
    "forecasts",
    "measures",
]

MIDDLEWARE = [
    # First: no NUL character in a header reaches code that stores it.
    "regionbudget.core.nul_guard.NulHeaderMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # The Content Security Policy (django-csp; below), and the Permissions-Policy.
    "regionbudget.core.middleware.ContentSecurityPolicyMiddleware",
    "regionbudget.core.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages compressed on the wire (the dashboard's HTML is ~8x smaller). Below WhiteNoise, which
    # serves its own pre-compressed static files and returns before this runs. BREACH needs a
    # secret that repeats in every response next to text the attacker controls: Django masks
    # the CSRF token afresh in each response, the session cookie is in a header (never
    # compressed), and GZipMiddleware pads each body with random bytes ("Heal the BREACH").
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "regionbudget.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "regionbudget.core.middleware.IdleTimeoutMiddleware",
    # Who made a change, attached to the trigger-written history of every tracked model.
    "pghistory.middleware.HistoryMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Login throttling: an address that keeps failing waits (before the password is checked) …
    "regionbudget.core.security.AddressThrottleMiddleware",
    # … and a user name is locked per address (django-axes): must come last.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Reverse proxies in front of the application (docker-compose.yml: nginx, and the HTTPS proxy in
# front of it): the client's address is read from X-Forwarded-For behind that many
# (regionbudget.core.security.client_address). 0: the direct peer is the client.
PROXY_COUNT = env.int("PROXY_COUNT", default=0)
if PROXY_COUNT < 0:
    raise ImproperlyConfigured(f"PROXY_COUNT must be 0 or more, got {PROXY_COUNT}.")
AXES_CLIENT_IP_CALLABLE = "regionbudget.core.security.client_address"
# After AXES_FAILURE_LIMIT failed logins for one user name *from one address*, that user name is
# refused from that address for AXES_COOLOFF_TIME (the same user elsewhere is not affected); a
# successful login resets the count. An administrator lifts a lockout in the user list or with
# `manage.py unlock_user NAME`.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=15))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# An address is slowed down, never locked (regionbudget.core.security.AddressThrottleMiddleware):
# after this many failures within the cool-off time, whatever the user names, it waits 1, 2, 4 …
# seconds after each failure, at most LOGIN_ADDRESS_MAX_DELAY_SECONDS.
LOGIN_ADDRESS_FREE_FAILURES = env.int("LOGIN_ADDRESS_FREE_FAILURES", default=10)
LOGIN_ADDRESS_MAX_DELAY_SECONDS = env.int("LOGIN_ADDRESS_MAX_DELAY_SECONDS", default=30)
AXES_VERBOSE = True
# A locked-out user can ask for a one-time unlock link by e-mail (the locked-out page): valid
# this long, at most one mail per user per UNLOCK_MAIL_INTERVAL, and at most
# UNLOCK_REQUESTS_PER_ADDRESS requests from one address per quarter of an hour.
UNLOCK_LINK_MAX_AGE = timedelta(minutes=env.int("UNLOCK_LINK_MINUTES", default=30))
UNLOCK_MAIL_INTERVAL = timedelta(minutes=5)
UNLOCK_REQUESTS_PER_ADDRESS = 5

# Status report PDFs made at once across all workers (each takes seconds of a worker's time);
# each user makes one at a time. regionbudget.reports.views.report_pdf.
PDF_RENDERS_AT_ONCE = env.int("PDF_RENDERS_AT_ONCE", default=2)

ROOT_URLCONF = "regionbudget.urls"
WSGI_APPLICATION = "regionbudget.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "regionbudget.core.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {"default": database_settings(env, embedded_dir=BASE_DIR / ".pgdata")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache of computed figures (``regionbudget.core.caching``), shared by every worker process
# and host: PostgreSQL's own cache table (``regionbudget_cache``, UNLOGGED, made by a migration)
# unless CACHE_URL names another, e.g. ``rediscache://redis:6379/0`` (pip install '.[redis]').
# Nothing to install for the default: it lives in the database the app already has.
CACHES = {"default": env.cache_url("CACHE_URL", default="dbcache://regionbudget_cache")}
if CACHES["default"]["BACKEND"].endswith("DatabaseCache"):
    # A scope (region, area, director's areas) × year × category × language is one entry: the
    # default 300 entries would throw out figures still in use.
    CACHES["default"].setdefault("OPTIONS", {}).setdefault("MAX_ENTRIES", 5000)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Swedish by default, English selectable on every page (cookie set by Django's set_language).
LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Stockholm"
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Security. Defaults are for production behind HTTPS; a local plain-HTTP run sets
# DJANGO_HTTPS=false (make run does, in .env).
HTTPS = _env_bool("DJANGO_HTTPS", True)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
X_FRAME_OPTIONS = "DENY"
# Everything the pages need comes from this origin; no inline script or style is allowed
# (django-csp; regionbudget.core.middleware allows inline styles in the administration only).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=60 * 60)
# The age above is an idle timeout: IdleTimeoutMiddleware renews it at most once a minute.
SESSION_RENEW_SECONDS = 60

# === E-mail ===================================================================================
# Reminders and workflow notices (regionbudget.core.mail). EMAIL_URL in django-environ's form
# (smtp://user:password@host:25, smtp+tls://…:587, smtp+ssl://…:465, consolemail:// to print them)
# or the separate EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS,
# EMAIL_USE_SSL. A mail server that is down is logged and never fails the user's action.
if env.str("EMAIL_URL", default=""):
    globals().update({k: v for k, v in env.email_url("EMAIL_URL").items() if v not in (None, "")})
else:
    EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
    EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
    EMAIL_PORT = env.int("EMAIL_PORT", default=25)
    EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
    EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
    EMAIL_USE_TLS = _env_bool("EMAIL_USE_TLS", False)
    EMAIL_USE_SSL = _env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Regionbudget <regionbudget@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The address the application is reached at, for the links in e-mails.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
if not SITE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(f"SITE_URL must start with http:// or https://, got {SITE_URL!r}.")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # The embedded PostgreSQL's start/stop chatter.
        "pgserver": {"level": "WARNING"},
        # Logins, failed logins and refused access (also axes' lockouts).
        "regionbudget.core.security": {"level": "INFO"},
        "axes": {"level": "WARNING"},
    },
}

DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5.html"

# === Sign-in for people and for machines: API tokens and OpenID Connect ======================
# Everything about how a person or a BI tool signs in beyond the local login is in this block.

# API tokens for BI tools (Authorization: Bearer; regionbudget.core.api_tokens): the gap figures
# only, GET only. Before CsrfViewMiddleware, so that a POST with a token is refused by it.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.csrf.CsrfViewMiddleware"),
    "regionbudget.core.api_tokens.ApiTokenMiddleware",
)
# The longest life a token may be given, in days.
API_TOKEN_MAX_DAYS = env.int("API_TOKEN_MAX_DAYS", default=365)

# OpenID Connect: sign-in through the region's identity provider (regionbudget.core.oidc, with
# mozilla-django-oidc). On when OIDC_CLIENT_ID and OIDC_ISSUER (or OIDC_DISCOVERY_URL) are set;
# without them nothing changes. The README describes each variable, with an Entra ID example.
OIDC_ISSUER = env.str("OIDC_ISSUER", default="").rstrip("/")
OIDC_DISCOVERY_URL = env.str("OIDC_DISCOVERY_URL", default="") or (
    f"{OIDC_ISSUER}/.well-known/openid-configuration" if OIDC_ISSUER else ""
)
OIDC_RP_CLIENT_ID = env.str("OIDC_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env.str("OIDC_CLIENT_SECRET", default="")
OIDC_ENABLED = bool(OIDC_DISCOVERY_URL or OIDC_RP_CLIENT_ID)
if OIDC_ENABLED and not (OIDC_DISCOVERY_URL and OIDC_RP_CLIENT_ID and OIDC_RP_CLIENT_SECRET):
    raise ImproperlyConfigured(
        "OpenID Connect needs OIDC_ISSUER (or OIDC_DISCOVERY_URL), OIDC_CLIENT_ID and "
        "OIDC_CLIENT_SECRET together."
    )
OIDC_RP_SCOPES = env.str("OIDC_SCOPES", default="openid profile email")
OIDC_RP_SIGN_ALGO = env.str("OIDC_SIGN_ALGO", default="RS256")
OIDC_USE_PKCE = True
OIDC_PKCE_CODE_CHALLENGE_METHOD = "S256"
OIDC_USE_NONCE = True
OIDC_STORE_ID_TOKEN = True  # the hint for the provider's logout
OIDC_TIMEOUT = env.int("OIDC_TIMEOUT_SECONDS", default=10)
OIDC_LEEWAY_SECONDS = env.int("OIDC_LEEWAY_SECONDS", default=60)
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc_authentication_callback"
OIDC_USERNAME_CLAIM = env.str("OIDC_USERNAME_CLAIM", default="preferred_username")
# The claims that carry roles and areas, and what their values mean: "value=role,…" (roles:
# finance, area_director, committee, admin) and "value=AREA-CODE,…" (without OIDC_AREA_MAP the
# values are area codes).
OIDC_ROLES_CLAIM = env.str("OIDC_ROLES_CLAIM", default="roles")
OIDC_AREAS_CLAIM = env.str("OIDC_AREAS_CLAIM", default="areas")
OIDC_ROLE_MAP = env.dict("OIDC_ROLE_MAP", default={})
# The values of regionbudget.core.roles.Role.
_unknown_roles = sorted(
    set(OIDC_ROLE_MAP.values()) - {"admin", "finance", "area_director", "committee"}
)
if _unknown_roles:
    raise ImproperlyConfigured(
        f"OIDC_ROLE_MAP names unknown roles {_unknown_roles}; use finance, area_director, "
        "committee or admin."
    )
OIDC_AREA_MAP = env.dict("OIDC_AREA_MAP", default={})
OIDC_ALLOW_ADMIN = _env_bool("OIDC_ALLOW_ADMIN", False)
# Off: the login page offers only the provider, and a password works only for the break-glass
# administrators named here (superusers).
OIDC_PASSWORD_LOGIN = _env_bool("OIDC_PASSWORD_LOGIN", True)
OIDC_BREAK_GLASS_USERS = env.list("OIDC_BREAK_GLASS_USERS", default=[])
if OIDC_ENABLED:
    AUTHENTICATION_BACKENDS = [
        "regionbudget.core.oidc.PasswordBackend"
        if backend == "django.contrib.auth.backends.ModelBackend"
        else backend
        for backend in AUTHENTICATION_BACKENDS
    ] + ["regionbudget.core.oidc.RegionOIDCBackend"]
    # Logging out is a form whose answer redirects to the provider's logout.
    _provider_origin = "/".join(OIDC_DISCOVERY_URL.split("/")[:3])
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"] = [SELF, _provider_origin]

# === End of sign-in ============================================================================
