"""Settings, all from the environment, with safe defaults for a local demo.

Production sets ZHIGAI_PRODUCTION=1 (`zhigai serve` does unless told otherwise), SECRET_KEY, ALLOWED_HOSTS and
DATABASE_URL (PostgreSQL); ZHIGAI_PRODUCTION turns on secure cookies, HTTPS redirects and HSTS.
"""

import os
from pathlib import Path

import dj_database_url
import plotly
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("ZHIGAI_VAR_DIR", Path.cwd() / "var")).resolve()


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int, allowed: str = "a whole number (0 or more)") -> int:
    """A whole number ≥ 0 from the environment; anything else stops the start with a message naming it."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit():
        raise ImproperlyConfigured(f"{name} must be {allowed}, not {value!r}.")
    return int(value)


DEBUG = _env_bool("DJANGO_DEBUG", False)
# Served over HTTPS to real users: secure cookies, HTTPS redirect and HSTS follow from this one flag (each can
# still be set on its own), never from which database is configured.
PRODUCTION = _env_bool("ZHIGAI_PRODUCTION", False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("ZHIGAI_PRODUCTION=1 cannot run with DJANGO_DEBUG=1.")
# A fixed key only for local runs: `zhigai serve` refuses to start without SECRET_KEY.
SECRET_KEY = os.environ.get("SECRET_KEY", "zhigai-insecure-local-demo-key-do-not-use-in-production")
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "csp",
    "ninja",  # its own copy of Swagger UI, so the API docs load nothing from a CDN
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "zhigai.core",
    "zhigai.base",
    "zhigai.diagnosis",
    "zhigai.analytics",
    "zhigai.market",
    "zhigai.projects",
    "zhigai.ledger",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "zhigai.core.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "zhigai.core.middleware.AreaVersionsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "zhigai.core.middleware.PrivateResponsesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "zhigai.core.middleware.HtmxMessagesMiddleware",
    "zhigai.core.middleware.ApiJsonErrorsMiddleware",
    "zhigai.core.middleware.PlatformErrorMiddleware",
]

ROOT_URLCONF = "zhigai.config.urls"
WSGI_APPLICATION = "zhigai.config.wsgi.application"

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
                "django.template.context_processors.i18n",
                "zhigai.core.context.nav",
                "zhigai.base.context.user_region",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'zhigai.sqlite3'}",
        conn_max_age=_env_int("DB_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the worker write while pages read; a busy timeout instead of "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's documented server-side parameter binding: psycopg sends each statement and its values
    # apart, and prepares a statement once it has run prepare_threshold times on a connection (a page's
    # queries are the same statements over and over; planning them cost as much as running them).
    # DB_PREPARE_THRESHOLD=off keeps server-side binding but prepares nothing, for a transaction-pooling
    # PgBouncer older than 1.21, which cannot keep prepared statements.
    _off = os.environ.get("DB_PREPARE_THRESHOLD", "").strip().lower() == "off"
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True,
        prepare_threshold=None if _off else _env_int("DB_PREPARE_THRESHOLD", 2, "a whole number (0 or more) or off"),
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "base:home"
LOGOUT_REDIRECT_URL = "core:login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    # Not a rule: Django calls its password_changed() whenever a user's new password is saved (the admin,
    # `changepassword`, set_password + save), and it revokes that user's API tokens.
    {"NAME": "zhigai.core.passwords.RevokeApiTokensOnPasswordChange"},
]
# Sign-in throttling (core.throttle), counted before the password is checked, per username from one address,
# per address over all usernames, and per username over all addresses except those the user has signed in
# from before: past each limit every further failure doubles the wait, from LOGIN_DELAY_SECONDS up to
# LOGIN_DELAY_MAX_SECONDS; a count is forgotten LOGIN_FAILURE_WINDOW_SECONDS after its last wait ends.
LOGIN_FAILURE_LIMIT = _env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_ADDRESS_FAILURE_LIMIT = _env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 30)
LOGIN_USERNAME_FAILURE_LIMIT = _env_int("LOGIN_USERNAME_FAILURE_LIMIT", 20)
LOGIN_DELAY_SECONDS = _env_int("LOGIN_DELAY_SECONDS", 60)
LOGIN_DELAY_MAX_SECONDS = _env_int("LOGIN_DELAY_MAX_SECONDS", 3600)
LOGIN_FAILURE_WINDOW_SECONDS = _env_int("LOGIN_FAILURE_WINDOW_SECONDS", 900)
LOGIN_KNOWN_ADDRESS_DAYS = _env_int("LOGIN_KNOWN_ADDRESS_DAYS", 90)
# An API token's lifetime; tokens are also revoked by DELETE /api/v1/auth/token, by signing out of the web
# pages and by a password change, and expired ones are deleted whenever a token is issued.
API_TOKEN_TTL_HOURS = _env_int("API_TOKEN_TTL_HOURS", 24)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or VAR_DIR / "static")
# Plotly's JavaScript ships inside the Python package: served from there, never from a CDN.
STATICFILES_DIRS = [("plotly", Path(plotly.__file__ or "").parent / "package_data")]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if _env_bool("ZHIGAI_MANIFEST_STATIC", False)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = _env_bool("WHITENOISE_USE_FINDERS", True)
# Files a browser asks for at the site's root (favicon.ico), served by WhiteNoise as it serves /static/.
WHITENOISE_ROOT = PACKAGE_DIR / "core" / "root"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or VAR_DIR / "media")
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# A request's body apart from its files (those stream to disk past FILE_UPLOAD_MAX_MEMORY_SIZE): the
# largest is a full questionnaire or a year's indicators, a few kilobytes; Django's default is ample.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Policy numbers that are settings, not data: an evidence file's size limit and the smallest peer group a
# benchmark shows (below it, the group's members could be recognised).
EVIDENCE_MAX_BYTES = _env_int("EVIDENCE_MAX_BYTES", 10 * 1024 * 1024)
DIAGNOSIS_MIN_PEERS = _env_int("DIAGNOSIS_MIN_PEERS", 10)

# Cached figures (keyed by the versions of the data they depend on, so never stale; see core/cache.py):
# "default" is shared by every web process and machine, through the database (ZHIGAI_CACHE=locmem keeps it
# per process instead); "local" is each process's own, in front of it, for rendered fragments and the
# figures every page uses (no round trip at all).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "zhigai-default"}
    if os.environ.get("ZHIGAI_CACHE") == "locmem"
    else {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "zhigai_cache",
        "OPTIONS": {"MAX_ENTRIES": 20000},
    },
    "local": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "zhigai-local",
        "OPTIONS": {"MAX_ENTRIES": 2000},  # rendered lists of tens of KB each: tens of MB per process at most
    },
}

TASKS = {
    "default": {
        "BACKEND": os.environ.get("ZHIGAI_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}
# Imports of files above this size run in the background worker; smaller ones run at once (an Excel
# file only if it also unpacks to at most IMPORT_BACKGROUND_UNPACKED_BYTES: the web request parses no file
# of unbounded cost).
IMPORT_BACKGROUND_BYTES = _env_int("IMPORT_BACKGROUND_BYTES", 512 * 1024)
# On PostgreSQL, such a file imported outside any transaction (the worker, `zhigai import`) is written by a
# child process while it is validated, each clean chunk as it is kept (base/import_pipe.py); 0 writes after
# the whole file is validated, as on SQLite.
IMPORT_PIPELINE = _env_int("IMPORT_PIPELINE", 1) == 1
IMPORT_BACKGROUND_UNPACKED_BYTES = _env_int("IMPORT_BACKGROUND_UNPACKED_BYTES", 4 * 1024 * 1024)
# Caps of an import file: the upload's size (page and API), the rows and columns read, and what an Excel
# file (a zip archive) may unpack to — its parts' sizes are read from the archive's directory before
# anything is parsed, so a zip bomb is refused unopened.
IMPORT_MAX_BYTES = _env_int("IMPORT_MAX_BYTES", 100 * 1024 * 1024)
IMPORT_MAX_ROWS = _env_int("IMPORT_MAX_ROWS", 1_000_000)
IMPORT_MAX_COLUMNS = _env_int("IMPORT_MAX_COLUMNS", 64)
IMPORT_MAX_UNPACKED_BYTES = _env_int("IMPORT_MAX_UNPACKED_BYTES", 1024 * 1024 * 1024)
# Stored uploads: a dry run's or a refused file is deleted when its job finishes; a written file is kept
# this many days (it is the record of what the import wrote), then deleted (the job row stays).
IMPORT_KEEP_DAYS = _env_int("IMPORT_KEEP_DAYS", 30)
# The most rows a list's Excel export writes (the bench's 100,000 enterprises fit; a larger scope is
# asked to narrow its filters, which the sheet's last line says).
EXPORT_MAX_ROWS = _env_int("EXPORT_MAX_ROWS", 200_000)

# Django's database sessions: every web process sees a sign-out at once (a per-process cache of sessions
# would keep a signed-out session valid in the other processes). Users are checked by Django's ModelBackend.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_HTTPONLY = True
# A signed-in session lasts 8 hours (a working day), not Django's two weeks; then the user signs in again.
SESSION_COOKIE_AGE = _env_int("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = _env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
SECURE_HSTS_SECONDS = _env_int("SECURE_HSTS_SECONDS", 31536000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", SECURE_HSTS_SECONDS > 0)
SECURE_HSTS_PRELOAD = _env_bool("SECURE_HSTS_PRELOAD", SECURE_HSTS_SECONDS > 0)
# Only behind a reverse proxy that is the one way in and that sets X-Forwarded-Proto and X-Forwarded-For
# itself (overwriting what a client sent): `zhigai serve` binds 0.0.0.0, and a client reaching it directly
# could claim HTTPS or any address. Then the client's address is the last X-Forwarded-For entry (core.audit).
BEHIND_PROXY = _env_bool("BEHIND_PROXY", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Scripts only from this site's files (no inline scripts, event handlers or javascript: links; app.js wires the
# pages). Styles may be inline: Plotly and htmx add style elements, and a few templates set a width.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Features no page uses, off for this site and anything it might embed (core.middleware).
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
    "magnetometer=(), gyroscope=(), accelerometer=()"
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
