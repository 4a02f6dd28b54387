"""Settings shared by every environment; everything deployment-specific comes from
the environment (see README, "Configuration")."""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url

PROJECT_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PROJECT_DIR.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item]


def _dev_secret_key() -> str:
    """A per-checkout key kept in var/, so sessions survive restarts in development."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = os.environ.get("SECRET_KEY") or _dev_secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "cms",
    "partnerships",
    "accountability",
    "referrals",
    "directory",
    "screener",
    "mou",
    "meetings",
    "logicmodels",
    "api",
    "notifications",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    # First: /healthz/ and /readyz/ answer load balancers over plain HTTP with any
    # Host, before the HTTPS redirect and the ALLOWED_HOSTS check.
    "cms.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Deny-by-default for partner users inside /admin/ (DESIGN.md §4).
    "cms.middleware.WorkspaceAccessMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "cms.axes.PasswordResetUnlocksMiddleware",
    # Last, so it sees the login page's response and can answer the lockout.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # Refuses a locked-out username+address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "cms.urls"
WSGI_APPLICATION = "cms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PROJECT_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# Sizing (README, "Deploying"): every process holds at most DB_POOL_MAX
# connections, so (web processes x gunicorn workers x threads + task workers + 2)
# x DB_POOL_MAX must stay below PostgreSQL's max_connections. A sync gunicorn
# worker serves one request at a time and needs one connection.
DB_POOL_MAX = int(os.environ.get("DB_POOL_MAX", "4"))
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        # A pool and persistent connections exclude each other (Django refuses
        # both); CONN_MAX_AGE applies when the pool is off (DB_POOL_MAX=0).
        conn_max_age=0 if DB_POOL_MAX else int(os.environ.get("CONN_MAX_AGE", "0")),
        # Test a kept (or pooled: Django passes it to the pool as its `check`)
        # connection before a request uses it: after a database restart the first
        # request gets a new connection instead of a 500.
        conn_health_checks=env_bool("CONN_HEALTH_CHECKS", True),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    _db_options = DATABASES["default"].setdefault("OPTIONS", {})
    # Give up on an unreachable server quickly rather than hang every request.
    _db_options.setdefault(
        "connect_timeout", int(os.environ.get("DB_CONNECT_TIMEOUT", "3"))
    )
    if DB_POOL_MAX:
        # psycopg 3's pool replaces persistent connections (DESIGN.md §7).
        _db_options["pool"] = {
            "min_size": min(int(os.environ.get("DB_POOL_MIN", "1")), DB_POOL_MAX),
            "max_size": DB_POOL_MAX,
            # Seconds a request waits for a free connection before it fails.
            "timeout": float(os.environ.get("DB_POOL_TIMEOUT", "5")),
        }
    INSTALLED_APPS.append("django.contrib.postgres")
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# E-mail: EMAIL_URL such as smtp://user:pass@host:587?tls=1, or console:// in dev.
EMAIL_URL = os.environ.get("EMAIL_URL", "console://")
if EMAIL_URL.startswith("console:"):
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
else:
    from urllib.parse import parse_qs, unquote, urlsplit

    _email = urlsplit(EMAIL_URL)
    _query = parse_qs(_email.query)
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _email.hostname or "localhost"
    EMAIL_PORT = _email.port or 25
    EMAIL_HOST_USER = unquote(_email.username or "")
    EMAIL_HOST_PASSWORD = unquote(_email.password or "")
    EMAIL_USE_TLS = _query.get("tls", ["0"])[0] in {"1", "true"}
    EMAIL_USE_SSL = _email.scheme == "smtps"
    EMAIL_TIMEOUT = 15
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "Partnership workspace <workspace@localhost>"
)
# Meeting invitations name this mailbox as ORGANIZER, so Accept/Decline from
# calendar programs goes there; `manage.py read_replies` (and tick) reads it
# over IMAP: imaps://user:password@host:993/INBOX (imap://…?starttls=1 also).
# Without them, answers come through the RSVP links only (README, "Meetings").
MEETINGS_REPLY_ADDRESS = os.environ.get("MEETINGS_REPLY_ADDRESS", "")
MEETINGS_IMAP_URL = os.environ.get("MEETINGS_IMAP_URL", "")

# Mail and slow work run as tasks; `manage.py db_worker` runs the queue.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASK_BACKEND", "django_tasks_db.DatabaseBackend")
    }
}

# One machine: a per-process memory cache. Several web processes may share
# Redis (REDIS_URL).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if os.environ.get("REDIS_URL"):
    # Needs the `redis` package (requirements/base.txt).
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["REDIS_URL"],
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    }

LOGIN_URL = "wagtailadmin_login"
LOGIN_REDIRECT_URL = "wagtailadmin_home"

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Reverse proxies in front of the web processes (load balancer, nginx): the
# client's own address is read from X-Forwarded-For that many hops from the right.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))

# Login lockout (django-axes, failures kept in the database so every web process
# counts them): LOGIN_MAX_FAILURES wrong passwords for one username from one
# client address lock that pair for LOGIN_COOLOFF_MINUTES. Keyed on the pair, so
# nobody can lock a named person out from elsewhere, and one client behind a
# shared proxy or office NAT cannot lock out the others. A password reset
# through the e-mailed link lifts the lock (cms.axes).
LOGIN_MAX_FAILURES = int(os.environ.get("LOGIN_MAX_FAILURES", "5"))
LOGIN_COOLOFF_MINUTES = int(os.environ.get("LOGIN_COOLOFF_MINUTES", "15"))
AXES_FAILURE_LIMIT = LOGIN_MAX_FAILURES
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Attempts during a lockout do not extend it: "wait N minutes" stays true.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "cms.axes.client_ip"
AXES_LOCKOUT_CALLABLE = "cms.axes.lockout_response"
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_DISABLE_ACCESS_LOG = True  # no per-login row of address and browser, kept forever
AXES_ENABLE_ADMIN = False  # Django's own admin is not mounted (DESIGN.md §4)

# Operations (README, "Deploying"). True only in cms.settings.production.
PRODUCTION = False
# A task worker (`manage.py worker`) records a heartbeat this often; one silent for
# WORKER_DEAD_AFTER seconds counts as dead: /readyz/ says so and the other workers
# put the tasks it left running back in the queue.
WORKER_HEARTBEAT_SECONDS = float(os.environ.get("WORKER_HEARTBEAT_SECONDS", "10"))
WORKER_DEAD_AFTER = float(os.environ.get("WORKER_DEAD_AFTER", "60"))
# /readyz/ fails when a task due to run has waited longer than this (seconds).
TASK_BACKLOG_MAX_AGE = int(os.environ.get("TASK_BACKLOG_MAX_AGE", "300"))
# `manage.py tick` deletes finished task results (which hold whole e-mails) older
# than this many days; expired sessions go at once.
TASK_RESULT_RETENTION_DAYS = int(os.environ.get("TASK_RESULT_RETENTION_DAYS", "14"))
# What /readyz/ checks: functions returning None when fine, else what is wrong.
# An app adds its own (an outbox's backlog, say) here.
READY_CHECKS = [
    "cms.health.check_database",
    "cms.health.check_cache",
    "cms.health.check_static_manifest",
    "cms.health.check_workers",
    "cms.health.check_task_backlog",
    "cms.health.check_outbox_backlog",
]
# The outbox (notifications/outbox.py): a refused message is tried again after
# OUTBOX_RETRY_BASE seconds, doubling up to OUTBOX_RETRY_MAX, for
# OUTBOX_GIVE_UP_HOURS; /readyz/ fails when a message has waited longer than
# OUTBOX_BACKLOG_MAX_AGE seconds; tick deletes sent mail after
# OUTBOX_RETENTION_DAYS and sends daily digests from DIGEST_HOUR (local time).
OUTBOX_RETRY_BASE = float(os.environ.get("OUTBOX_RETRY_BASE", "30"))
OUTBOX_RETRY_MAX = float(os.environ.get("OUTBOX_RETRY_MAX", "3600"))
OUTBOX_GIVE_UP_HOURS = float(os.environ.get("OUTBOX_GIVE_UP_HOURS", "48"))
OUTBOX_BACKLOG_MAX_AGE = int(os.environ.get("OUTBOX_BACKLOG_MAX_AGE", "900"))
OUTBOX_RETENTION_DAYS = int(os.environ.get("OUTBOX_RETENTION_DAYS", "30"))
DIGEST_HOUR = int(os.environ.get("DIGEST_HOUR", "7"))
# A message a worker took to send and did not finish within this many seconds
# (the worker died) is sent again: keep it above three times EMAIL_TIMEOUT.
OUTBOX_SENDING_TIMEOUT = float(os.environ.get("OUTBOX_SENDING_TIMEOUT", "60"))

# Directory entries not verified for this many days are flagged as stale.
DIRECTORY_STALE_DAYS = int(os.environ.get("DIRECTORY_STALE_DAYS", "365"))

# Invitations are valid for this many seconds (7 days).
INVITATION_MAX_AGE = 7 * 24 * 3600

WAGTAIL_SITE_NAME = "Partnership workspace"
# Links in e-mail and calendar invitations. Without BASE_URL they point at the
# development server on the port it runs on (`make run PORT=…` exports PORT).
WAGTAILADMIN_BASE_URL = (
    os.environ.get("BASE_URL") or f"http://127.0.0.1:{os.environ.get('PORT', '8000')}"
)
WAGTAILADMIN_USER_LOGIN_FORM = "cms.forms.LoginForm"
WAGTAIL_GRAVATAR_PROVIDER_URL = None  # never send partners' e-mail hashes away
WAGTAIL_USER_TIME_ZONES = [
    "UTC",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
    "Europe/London",
    "Europe/Berlin",
]
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "txt", "xlsx"]
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False
WAGTAIL_ALLOW_UNICODE_SLUGS = False
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"wagtail": {"level": "WARNING"}},
}
