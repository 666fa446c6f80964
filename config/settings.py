"""jixing settings: one module, read from the environment, failing loudly on bad values.

Local development reads `var/.env` (written by `make run` / `make test` with freshly
generated demo keys). Production (`JIXING_ENV=production`) never reads that file: its
secrets come only from the real environment, and a missing one stops the process
(SECURITY.md A5).
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("JIXING_VAR_DIR", BASE_DIR / "var"))


def _load_env_file(path: Path) -> None:
    """Put KEY=VALUE lines of a local env file into os.environ (the environment wins)."""
    if not path.is_file():
        return
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        os.environ.setdefault(key.strip(), value.strip())


JIXING_ENV = os.environ.get("JIXING_ENV", "development")
if JIXING_ENV not in {"development", "test", "production"}:
    raise ImproperlyConfigured("JIXING_ENV must be development, test or production.")
PRODUCTION = JIXING_ENV == "production"

if not PRODUCTION:
    # A developer's demo keys must never reach a production process.
    _load_env_file(VAR_DIR / ".env")


def env(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None or value == "":
        raise ImproperlyConfigured(f"Environment variable {name} is required (see README).")
    return value


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}.") from exc


SECRET_KEY = env("DJANGO_SECRET_KEY")
DEBUG = env_bool("DJANGO_DEBUG", default=not PRODUCTION)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DJANGO_DEBUG must be off in production.")
ALLOWED_HOSTS = [h for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

# Personal data keys (SECURITY.md D1): kept outside the database, in the environment.
# JIXING_DATA_KEYS: comma-separated "id:base64key" AES-256-GCM keys, the first encrypts.
# JIXING_HASH_KEY: base64 HMAC key for the keyed lookup hashes (blind indexes).
JIXING_DATA_KEYS = env("JIXING_DATA_KEYS")
JIXING_HASH_KEY = env("JIXING_HASH_KEY")
# JIXING_AUDIT_KEY: base64 HMAC key of the audit hash chain and its checkpoints (SECURITY.md C2);
# without it nobody can recompute the chain after editing a row.
JIXING_AUDIT_KEY = env("JIXING_AUDIT_KEY")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks",
    "jixing.core.apps.TasksDatabaseConfig",  # django_tasks_db, named in Chinese
    "simple_history",
    "jixing.core",
    "jixing.accounts",
    "jixing.registry",
    "jixing.plan",
    "jixing.bases",
    "jixing.demand",
    "jixing.training",
    "jixing.evaluation",
    "jixing.trainers",
    "jixing.employment",
    "jixing.funds",
    "jixing.supervision",
    "jixing.stats",
    "jixing.imports",
    "jixing.notify",
    "jixing.web",
    "jixing.ops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # static files from the app server (make serve)
    "jixing.core.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "jixing.accounts.middleware.SessionTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "jixing.core.middleware.RequestContextMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "jixing.web.context_processors.navigation",
                "jixing.notify.context_processors.unread",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'jixing.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + a busy timeout let the web server and the task worker share the file.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["jixing.accounts.backends.LockoutModelBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# A1: MLPS level 3 password policy (length, character classes, periodic change).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("JIXING_PASSWORD_MIN_LENGTH", 10)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "jixing.accounts.validators.CharacterClassValidator"},
]
JIXING_PASSWORD_MAX_AGE_DAYS = env_int("JIXING_PASSWORD_MAX_AGE_DAYS", 90)
# A2: lockout after N failures for M minutes, plus a per-IP throttle.
JIXING_LOCKOUT_FAILURES = env_int("JIXING_LOCKOUT_FAILURES", 5)
JIXING_LOCKOUT_MINUTES = env_int("JIXING_LOCKOUT_MINUTES", 10)
JIXING_IP_FAILURES_PER_HOUR = env_int("JIXING_IP_FAILURES_PER_HOUR", 50)
# Reverse proxies in front of the app whose X-Forwarded-For entries are trusted (0 = none).
JIXING_TRUSTED_PROXIES = env_int("JIXING_TRUSTED_PROXIES", 1 if PRODUCTION else 0)
# A4: second factor for staff roles (on by default in production).
JIXING_REQUIRE_STAFF_TOTP = env_bool("JIXING_REQUIRE_STAFF_TOTP", default=PRODUCTION)

# A3: idle timeout 30 min, absolute 12 h.
SESSION_COOKIE_AGE = 12 * 60 * 60
JIXING_SESSION_IDLE_SECONDS = env_int("JIXING_SESSION_IDLE_SECONDS", 30 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Our own page for a refused form (jixing/web/templates/403_csrf.html), not Django's English one.
CSRF_FAILURE_VIEW = "jixing.web.views.csrf_failure"
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the cookie-less meta tag instead

# A5: HTTPS-only in production.
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# H1: Content-Security-Policy on every response (core.middleware.ContentSecurityPolicyMiddleware).
JIXING_CSP: dict[str, list[str]] = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = VAR_DIR / "media"
JIXING_UPLOAD_DIR = VAR_DIR / "uploads"

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "jixing_cache",
    }
    if os.environ.get("REDIS_URL") is None
    else {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["REDIS_URL"]}
}

TASKS = {
    "default": {
        "BACKEND": os.environ.get("JIXING_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# JIXING_TASKS=redis: the queue on Redis (django-tasks-rq, enqueued on commit: jixing/core/tasks_rq.py)
# at JIXING_TASKS_REDIS_URL (default REDIS_URL, else redis://127.0.0.1:6379/0); the worker is then
# `manage.py rqworker --job-class django_tasks_rq.Job default` (make serve/worker pick it). Default: database.
JIXING_TASKS = os.environ.get("JIXING_TASKS", "database")
if JIXING_TASKS not in ("database", "redis"):
    raise ImproperlyConfigured("JIXING_TASKS must be 'database' or 'redis'")
if JIXING_TASKS == "redis":
    INSTALLED_APPS.append("django_rq")
    TASKS["default"]["BACKEND"] = "jixing.core.tasks_rq.OnCommitRQBackend"
    RQ_QUEUES = {"default": {
        "URL": os.environ.get("JIXING_TASKS_REDIS_URL") or os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0",
        "DEFAULT_TIMEOUT": env_int("JIXING_TASKS_TIMEOUT", 3600),
    }}

# Uploads (SECURITY.md F1).
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# A job demand's monthly wage range (issue 15): not below the lowest tier of Shandong's monthly
# minimum wage (set by the province; change it here when the standard changes), not above a
# ceiling no real post reaches.
JIXING_WAGE_FLOOR = env_int("JIXING_WAGE_FLOOR", 1700)
JIXING_WAGE_CEILING = env_int("JIXING_WAGE_CEILING", 200_000)
JIXING_IMPORT_MAX_BYTES = env_int("JIXING_IMPORT_MAX_BYTES", 200 * 1024 * 1024)
JIXING_IMPORT_MAX_UNCOMPRESSED_BYTES = env_int("JIXING_IMPORT_MAX_UNCOMPRESSED_BYTES", 1024 * 1024 * 1024)
JIXING_IMPORT_MAX_ROWS = env_int("JIXING_IMPORT_MAX_ROWS", 2_000_000)
# .xlsx is read whole (calamine has no lazy reader): ~0.8 GB per million rows. Bigger files go as CSV.
JIXING_IMPORT_MAX_XLSX_ROWS = env_int("JIXING_IMPORT_MAX_XLSX_ROWS", 500_000)
JIXING_EXPORT_MAX_ROWS = env_int("JIXING_EXPORT_MAX_ROWS", 100_000)
# List exports (jixing/core/exports.py) may hold unmasked personal data: files go after this.
JIXING_EXPORT_KEEP_HOURS = env_int("JIXING_EXPORT_KEEP_HOURS", 24)
JIXING_AUDIT_RETENTION_DAYS = env_int("JIXING_AUDIT_RETENTION_DAYS", 180)

# Notifications (jixing/notify, docs/notifications.md).
JIXING_SITE_URL = os.environ.get("JIXING_SITE_URL", "http://127.0.0.1:8000")
EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "jixing@localhost")
# The SMS provider class (jixing/notify/channels.py); the development one is refused in production.
JIXING_SMS_PROVIDER = os.environ.get("JIXING_SMS_PROVIDER", "jixing.notify.channels.DevSmsProvider")
JIXING_SMS_DAILY_LIMIT = env_int("JIXING_SMS_DAILY_LIMIT", 5)
JIXING_EMAIL_DAILY_LIMIT = env_int("JIXING_EMAIL_DAILY_LIMIT", 50)
# No SMS between these local times; held until the end (HH:MM-HH:MM, empty for none).
JIXING_NOTIFY_QUIET_HOURS = os.environ.get("JIXING_NOTIFY_QUIET_HOURS", "21:00-08:00")
JIXING_NOTIFY_MAX_ATTEMPTS = env_int("JIXING_NOTIFY_MAX_ATTEMPTS", 5)
# More events than this for one person from one bulk operation become one digest.
JIXING_NOTIFY_DIGEST_THRESHOLD = env_int("JIXING_NOTIFY_DIGEST_THRESHOLD", 3)


def _deadline_days(raw: str) -> dict[str, int]:
    """"claim_county:5,filing_accept:10" → days a to-do of that kind may wait before it is overdue."""
    days = {"claim_county": 5, "claim_city": 5, "claim_province": 5, "claim_returned": 10, "claim_payable": 10,
            "project_review": 5, "filing_accept": 10, "case_explain": 7, "case_review": 5}
    for part in filter(None, (p.strip() for p in raw.split(","))):
        name, _, value = part.partition(":")
        if not value.strip().isdigit():
            raise ImproperlyConfigured(f"JIXING_TODO_DEADLINE_DAYS: {part!r} is not kind:days.")
        days[name.strip()] = int(value)
    return days


JIXING_TODO_DEADLINE_DAYS = _deadline_days(os.environ.get("JIXING_TODO_DEADLINE_DAYS", ""))

NINJA_PAGINATION_PER_PAGE = 50
JIXING_API_DOCS = env_bool("JIXING_API_DOCS", default=not PRODUCTION)
# H1: /api/v1/openapi.json answers anonymous callers only outside production.
JIXING_API_SCHEMA_PUBLIC = env_bool("JIXING_API_SCHEMA_PUBLIC", default=not PRODUCTION)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "jixing.core.logging.RedactPersonalDataFilter"},
                "expected_refusal": {"()": "jixing.core.logging.ExpectedRefusalFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["expected_refusal", "redact"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("JIXING_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# SQLite ignores the INCLUDE columns of the covering attendance index (PostgreSQL uses them:
# supervision R01); the key columns still make an ordinary index there.
SILENCED_SYSTEM_CHECKS = ["models.W040"]


# ---------------------------------------------------------------------------------------------
# Production stack (make serve): static files, database pool and replica, scheduler, readiness.
# ---------------------------------------------------------------------------------------------

# Static files: collectstatic writes hashed, compressed copies into var/static; whitenoise
# serves them with far-future cache headers (with DEBUG on, runserver serves the originals).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# The load balancer probes plain HTTP on the node; it must not be redirected to HTTPS.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

# Connection pooling (docs/postgresql.md): psycopg's pool inside each process, on when
# DATABASE_POOL_MAX_SIZE > 0 (make serve sets it). Django requires CONN_MAX_AGE 0 with it.
DATABASE_POOL_MIN_SIZE = env_int("DATABASE_POOL_MIN_SIZE", 1)
DATABASE_POOL_MAX_SIZE = env_int("DATABASE_POOL_MAX_SIZE", 0)
if DATABASE_POOL_MAX_SIZE > 0 and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": DATABASE_POOL_MIN_SIZE,
        "max_size": DATABASE_POOL_MAX_SIZE,
        "timeout": env_int("DATABASE_POOL_TIMEOUT", 10),
    }

# Streaming replica for heavy reads (jixing/core/db_router.py). In tests the alias mirrors the
# test database's name, so on the replica it reads what the primary's test database holds.
if os.environ.get("DATABASE_REPLICA_URL") and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["replica"] = dj_database_url.parse(os.environ["DATABASE_REPLICA_URL"], conn_max_age=0)
    DATABASES["replica"].setdefault("OPTIONS", {})["connect_timeout"] = 2
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["jixing.core.db_router.PrimaryReplicaRouter"]
JIXING_REPLICA_MAX_LAG_SECONDS = env_int("JIXING_REPLICA_MAX_LAG_SECONDS", 30)
JIXING_REPLICA_CHECK_SECONDS = env_int("JIXING_REPLICA_CHECK_SECONDS", 5)
JIXING_REPLICA_FENCE_WAIT_MS = env_int("JIXING_REPLICA_FENCE_WAIT_MS", 200)

# Built-in scheduler (manage.py run_scheduler; jixing/ops/schedule.py). Times are Asia/Shanghai.
# A job runs a management command in the scheduler process, or enqueues a task for the worker.
JIXING_SCHEDULE: dict[str, dict[str, object]] = {
    "heartbeat": {"kind": "interval", "seconds": 60, "task": "jixing.ops.tasks.worker_heartbeat", "keep_days": 2},
    "close_public_notices": {"kind": "daily", "at": "00:30", "command": ["close_public_notices", "--json"]},
    "mark_overdue_recoveries": {"kind": "daily", "at": "00:40", "command": ["mark_overdue_recoveries", "--json"]},
    "run_supervision": {"kind": "daily", "at": "02:00", "command": ["run_supervision", "--json"]},
    # Signed checkpoints of the audit chain's head, and its daily verification (SECURITY.md C2).
    "checkpoint_audit": {"kind": "interval", "seconds": 900, "command": ["checkpoint_audit", "--json"], "keep_days": 7},
    "verify_audit": {"kind": "daily", "at": "03:00", "command": ["verify_audit", "--json"]},
    # Deliveries due again after a failure or quiet hours (jixing/notify).
    "send_notifications": {"kind": "interval", "seconds": 300, "command": ["send_notifications", "--json"], "keep_days": 7},
    # Import jobs left waiting and their encrypted uploads.
    "purge_imports": {"kind": "daily", "at": "04:00", "command": ["purge_imports", "--json"]},
    # List-export files past JIXING_EXPORT_KEEP_HOURS (they may hold unmasked personal data).
    "purge_exports": {"kind": "interval", "seconds": 3600, "command": ["purge_exports", "--json"], "keep_days": 7},
    # "Class starts tomorrow" to enrolled trainees and the institution (once per class and date;
    # after the SMS quiet hours end).
    "remind_class_starts": {"kind": "daily", "at": "09:00", "command": ["remind_class_starts", "--json"]},
    # Import jobs whose worker died mid-run (killed, restarted): failed cleanly, their upload deleted.
    "recover_imports": {"kind": "interval", "seconds": 300, "command": ["purge_imports", "--interrupted-only", "--json"],
                        "keep_days": 2},
    # The weekly spot-check draw (抽查); a county already drawn for the week is skipped, so a
    # daily run draws on Monday and again only for counties that were missed.
    "draw_spot_checks": {"kind": "daily", "at": "07:00", "command": ["draw_spot_checks", "--json"]},
    # Attendance's monthly partitions on PostgreSQL: this month and the next three exist, so no
    # check-in lands in the DEFAULT partition (a no-op on SQLite; jixing/training/partitions.py).
    "attendance_partitions": {"kind": "daily", "at": "01:10", "command": ["attendance_partitions", "--ensure", "--json"]},
    # 揭榜领题 lists whose application deadline (a date) passed yesterday close first thing.
    "close_topic_lists": {"kind": "daily", "at": "00:50", "command": ["close_topic_lists", "--json"]},
    # Key-project milestone tranches the event listener missed, and department training records
    # a later enrollment duplicates: both before the supervision rules (02:00) and the dispatch
    # report (06:00 on the 1st) read them.
    "record_milestone_payments": {"kind": "daily", "at": "01:20", "command": ["record_milestone_payments", "--json"]},
    "reconcile_department_trainings": {"kind": "daily", "at": "01:30",
                                       "command": ["reconcile_department_trainings", "--json"]},
    "dispatch_report": {
        "kind": "monthly", "day": 1, "at": "06:00",
        "command": ["dispatch_report", "--period", "{previous_month}",
                    "--out", "{var}/reports/dispatch-{previous_month}.xlsx", "--json"],
    },
}
# /readyz: a part fails when its last sign of life is older than this (seconds), or the queue deeper.
JIXING_READY_WORKER_MAX_AGE = env_int("JIXING_READY_WORKER_MAX_AGE", 180)
JIXING_READY_SCHEDULER_MAX_AGE = env_int("JIXING_READY_SCHEDULER_MAX_AGE", 120)
JIXING_READY_QUEUE_MAX = env_int("JIXING_READY_QUEUE_MAX", 1000)
