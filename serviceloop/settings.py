"""serviceloop settings: every value comes from the environment, with safe defaults.

A malformed value stops start-up with ImproperlyConfigured naming the variable.
See README.md ("Configuration") for the list.
"""

import os
import re
import secrets
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

# Django's generic classes (ModelAdmin, ModelForm, Field, ...) accept type parameters at run
# time, as the type checker's stubs have them: class EndpointAdmin(admin.ModelAdmin[Endpoint]).
django_stubs_ext.monkeypatch()

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = PACKAGE_DIR.parent


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), got {raw!r}")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value}")
    return value


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


DATA_DIR = Path(env_str("DATA_DIR", str(BASE_DIR / "var"))).resolve()


def _secret_key() -> str:
    """SECRET_KEY from the environment, else a random key kept in DATA_DIR (never in the repo)."""
    if key := env_str("SECRET_KEY", ""):
        if len(key) < 32:
            raise ImproperlyConfigured("SECRET_KEY must be at least 32 characters long")
        return key
    path = DATA_DIR / "secret_key"
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "django_htmx",
    "django_tasks_db",  # the database-backed task queue (TASKS_BACKEND=database)
    "django_rq",  # the Redis-backed task queue (TASKS_BACKEND=redis)
    "serviceloop.core",
    "serviceloop.accounts",
    "serviceloop.calendars",
    "serviceloop.customers",
    "serviceloop.tickets",
    "serviceloop.audit",
    "serviceloop.sla",
    "serviceloop.routing",
    "serviceloop.inbox",
    "serviceloop.notifications",
    "serviceloop.webhooks",
    "serviceloop.satisfaction",
    "serviceloop.followups",
    "serviceloop.feedback",
    "serviceloop.analytics",
    "serviceloop.improvement",
    "serviceloop.reports",
    "serviceloop.api",
    "serviceloop.web",
    "serviceloop.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "serviceloop.accounts.middleware.UserLanguageMiddleware",
    "serviceloop.accounts.middleware.UserTimeZoneMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "serviceloop.api.middleware.MethodNotAllowedAsProblem",
    "serviceloop.core.middleware.RefuseNulCharacters",
    "serviceloop.core.middleware.DatabaseUnavailable",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
]

ROOT_URLCONF = "serviceloop.urls"
WSGI_APPLICATION = "serviceloop.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "serviceloop.web.context.navigation",
            ],
        },
    },
]


def _databases() -> dict[str, dict[str, object]]:
    url = env_str("DATABASE_URL", "")
    if not url:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{DATA_DIR / 'serviceloop.sqlite3'}"
    try:
        database: dict[str, object] = dict(dj_database_url.parse(url))
    except ValueError as error:
        raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {error}") from None
    engine = str(database["ENGINE"])
    if engine == "django.db.backends.sqlite3":
        database["ENGINE"] = "serviceloop.audit.sqlite"  # the audit trail's guard (see there)
        database["OPTIONS"] = {
            # WAL lets readers work while one writer commits; IMMEDIATE takes the write lock at
            # BEGIN so two writers queue on busy_timeout instead of failing on lock upgrade.
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
        database["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}
    elif engine in {"django.db.backends.postgresql"}:
        # Django's backend, its health check asking the socket instead of the server (see there)
        database["ENGINE"] = "serviceloop.core.postgresql"
        database["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 600)
        database["CONN_HEALTH_CHECKS"] = True
        # Prepared statements: PostgreSQL plans each query shape once per connection instead
        # of on every request. Turn off behind a transaction-mode pooler such as PgBouncer.
        if env_bool("DATABASE_PREPARED_STATEMENTS", True):
            database["OPTIONS"] = {"server_side_binding": True, "prepare_threshold": 2}
    else:
        raise ImproperlyConfigured(
            f"DATABASE_URL must point at SQLite or PostgreSQL, got engine {engine}"
        )
    return {"default": database}


DATABASES = _databases()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LANGUAGE_CODE = env_str("LANGUAGE_CODE", "en").lower()
if LANGUAGE_CODE not in dict(LANGUAGES):
    raise ImproperlyConfigured(f"LANGUAGE_CODE must be one of en, zh-hans; got {LANGUAGE_CODE!r}")
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
try:
    ZoneInfo(TIME_ZONE)
except (ZoneInfoNotFoundError, ValueError):
    raise ImproperlyConfigured(f"TIME_ZONE is not a known time zone: {TIME_ZONE!r}") from None

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise looks at it on start
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG


def _only_loopback(hosts: list[str]) -> bool:
    return all(host in {"127.0.0.1", "localhost", "[::1]", "::1"} for host in hosts)


# Cookies only over HTTPS as soon as the site answers to a real host name; a server that only
# listens on this machine (make run, tests) keeps plain-HTTP cookies. SECURE_COOKIES decides.
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not _only_loopback(ALLOWED_HOSTS))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("SESSION_HOURS", 12, minimum=1) * 3600
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 0)
if env_bool("BEHIND_HTTPS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"
# Scripts only from our own static files: no inline script, no eval (htmx runs with
# allowEval off), so a text that slipped through escaping still could not run.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Shared by all web workers: rate limits and short-lived caches. Redis when REDIS_URL is set,
# else a table in the database (created by `migrate`'s companion `createcachetable`).
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {
        "default": {
            # Django's, with an increment that holds the row (core.cache)
            "BACKEND": "serviceloop.core.cache.DatabaseCache",
            "LOCATION": "serviceloop_cache",
        }
    }
RATELIMIT_VIEW = "serviceloop.web.views.shell.rate_limited"
# Both caches are shared by every worker (what the rate limits need), and both count a burst
# exactly: Redis increments atomically, the database cache locks the row (core.cache).
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]
LOGIN_RATE = env_str("LOGIN_RATE", "10/m")  # per address and per user name
PUBLIC_FORM_RATE = env_str("PUBLIC_FORM_RATE", "20/h")  # sign-up, reset, progress check

# Outgoing mail (password reset, sign-up confirmation). Without EMAIL_HOST the mails are
# written to the server's log, which is what a newcomer on `make run` wants.
_email_host = env_str("EMAIL_HOST", "")
if _email_host:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": _email_host,
                "port": env_int("EMAIL_PORT", 25, minimum=1),
                "username": env_str("EMAIL_HOST_USER", ""),
                "password": env_str("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", False),
                "timeout": 20,
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "serviceloop <noreply@localhost>")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO").upper()},
}

# --- serviceloop ---------------------------------------------------------------------------
TICKET_NUMBER_PREFIX = env_str("TICKET_NUMBER_PREFIX", "CS").upper()
if not re.fullmatch(r"[A-Z][A-Z0-9]{0,9}", TICKET_NUMBER_PREFIX):
    raise ImproperlyConfigured(
        "TICKET_NUMBER_PREFIX must be 1-10 letters or digits starting with a letter, "
        f"got {TICKET_NUMBER_PREFIX!r}"
    )
DUPLICATE_WINDOW_MINUTES = env_int("DUPLICATE_WINDOW_MINUTES", 10)
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024, minimum=1)
ATTACHMENT_TYPES = env_list(
    "ATTACHMENT_TYPES",
    "image/jpeg,image/png,image/gif,image/webp,application/pdf,text/plain,text/csv,"
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document,"
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,"
    "application/zip,audio/mpeg,audio/x-wav,video/mp4",
)
# Archive bombs: an archive attachment (tickets.archives) is unpacked, without writing it
# out, and refused past any of these (archives inside it count towards the same limits).
ATTACHMENT_ARCHIVE_MAX_ENTRIES = env_int("ATTACHMENT_ARCHIVE_MAX_ENTRIES", 10_000, minimum=1)
ATTACHMENT_ARCHIVE_MAX_UNPACKED_BYTES = env_int(
    "ATTACHMENT_ARCHIVE_MAX_UNPACKED_BYTES", 200 * 1024 * 1024, minimum=1
)
ATTACHMENT_ARCHIVE_MAX_RATIO = env_int("ATTACHMENT_ARCHIVE_MAX_RATIO", 100, minimum=1)
DATA_UPLOAD_MAX_MEMORY_SIZE = 16 * 1024 * 1024  # a batch of 1,000 tickets fits
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
REFERENCE_CACHE_SECONDS = env_int("REFERENCE_CACHE_SECONDS", 30)
API_BATCH_LIMIT = 1000
API_PAGE_SIZE = 25
API_MAX_PAGE_SIZE = 100
PHONE_REGION = env_str("PHONE_REGION", "CN").upper()  # how to read phone numbers without +code
# Mails to customers (docs/notifications.md): their links start with SITE_URL, the address
# customers reach this site at; COMPANY_NAME signs them.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
COMPANY_NAME = env_str("COMPANY_NAME", "serviceloop")

# --- background work -----------------------------------------------------------------------
# Django's Tasks API. `serviceloop worker` runs the queue and enqueues the periodic sweeps
# (serviceloop.core.schedule) every SWEEP_SECONDS. database: a table in DATABASE (default, no
# other service); redis: RQ on REDIS_URL, for many workers; immediate: run where enqueued.
TASKS_BACKEND = env_str("TASKS_BACKEND", "database").lower()
if TASKS_BACKEND == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
elif TASKS_BACKEND == "redis":
    if not REDIS_URL:
        raise ImproperlyConfigured("TASKS_BACKEND=redis needs REDIS_URL")
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend"}}
elif TASKS_BACKEND == "immediate":
    TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
else:
    raise ImproperlyConfigured(
        f"TASKS_BACKEND must be one of database, redis, immediate; got {TASKS_BACKEND!r}"
    )
RQ_QUEUES = {"default": {"URL": REDIS_URL or "redis://127.0.0.1:6379/0"}}
SWEEP_SECONDS = env_int("SWEEP_SECONDS", 60, minimum=1)
# A task RUNNING this long whose worker has written no heartbeat for as long (the worker was
# killed, the machine lost) goes back to the database queue (serviceloop.core.leases).
TASK_LEASE_SECONDS = env_int("TASK_LEASE_SECONDS", 300, minimum=1)
AUTO_CLOSE_DAYS = env_int("AUTO_CLOSE_DAYS", 7, minimum=1)
# Satisfaction: the signed CSAT/NPS links work this many days; the CSAT request goes out
# this many minutes after the resolution (not for a ticket reopened meanwhile).
SATISFACTION_LINK_DAYS = env_int("SATISFACTION_LINK_DAYS", 30, minimum=1)
SATISFACTION_DELAY_MINUTES = env_int("SATISFACTION_DELAY_MINUTES", 60)
# Staff surveys show their results only from this many answers (anonymity).
STAFF_SURVEY_MIN_ANSWERS = env_int("STAFF_SURVEY_MIN_ANSWERS", 5, minimum=1)
# The weekly (Monday) and monthly (1st) digests to supervisors and managers go out from
# this hour, local time.
DIGEST_HOUR = env_int("DIGEST_HOUR", 8)
# Analytics: how a category's impact on the priority matrix mixes its mean handling time,
# its CSAT drop and its complaint share ("handling,csat,complaints" weights).
ANALYTICS_IMPACT_WEIGHTS = tuple(
    float(part) for part in env_str("ANALYTICS_IMPACT_WEIGHTS", "0.4,0.3,0.3").split(",")
)
if len(ANALYTICS_IMPACT_WEIGHTS) != 3 or min(ANALYTICS_IMPACT_WEIGHTS) < 0:
    raise ImproperlyConfigured(
        "ANALYTICS_IMPACT_WEIGHTS must be three weights ≥ 0, e.g. 0.4,0.3,0.3"
    )
# Outbound webhooks and the SMS gateway (docs/webhooks.md): each POST waits at most
# WEBHOOK_TIMEOUT_SECONDS; a failed one is tried again after WEBHOOK_BACKOFF_SECONDS, doubled
# each time, and becomes a dead letter after WEBHOOK_MAX_ATTEMPTS attempts.
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 5, minimum=1)
WEBHOOK_BACKOFF_SECONDS = env_int("WEBHOOK_BACKOFF_SECONDS", 30, minimum=1)
WEBHOOK_MAX_ATTEMPTS = env_int("WEBHOOK_MAX_ATTEMPTS", 8, minimum=1)
# Promises: the owner is reminded this many minutes before the due time.
COMMITMENT_REMIND_MINUTES = env_int("COMMITMENT_REMIND_MINUTES", 60)
# Waiting on the customer: remind them after N days, resolve the ticket after M days.
WAITING_REMINDER_DAYS = env_int("WAITING_REMINDER_DAYS", 3, minimum=1)
WAITING_RESOLVE_DAYS = env_int("WAITING_RESOLVE_DAYS", 7, minimum=1)
