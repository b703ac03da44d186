"""Settings of the panel, all from the environment (12-factor) with defaults for demo mode.

Every variable has an embedded default so `make run` works on a bare machine: SQLite, an on-disk
Celery broker, the bundled simulator as upstream. Production (`DEBUG=0`) refuses to start with
the weak defaults (see `panel/core/config.py`); the README's configuration table lists every variable.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import environ

from panel.core.config import private_file, require_production_secrets
from panel.core.logs import build_logging_config
from panel.core.metrics_access import check_token_setting, parse_networks
from panel.sso.config import load_providers

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
env_file = BASE_DIR / ".env"
if env_file.is_file():
    environ.Env.read_env(str(env_file))

# Demo-mode data: SQLite database, on-disk broker queue, file cache, simulator state.
VAR_DIR = Path(env.str("PANEL_VAR_DIR", default=str(BASE_DIR / "var")))

DEBUG = env.bool("DEBUG", default=True)
# Dev-only defaults; production rejects them (panel/core/checks.py).
INSECURE_SECRET_KEY = "insecure-dev-only-secret-key-change-me"
INSECURE_ENCRYPTION_KEY = "ZGV2LW9ubHktZW5jcnlwdGlvbi1rZXktY2hhbmdlLW0="
SECRET_KEY = env.str("SECRET_KEY", default=INSECURE_SECRET_KEY)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Fernet keys for the token vault, newest first; comma-separated. Kept outside the database.
PANEL_ENCRYPTION_KEYS = env.list("PANEL_ENCRYPTION_KEYS", default=[INSECURE_ENCRYPTION_KEY])

# HMAC keys (panel/core/keyed_hash.py), newest first, comma-separated; kept outside the database.
# The audit chain's hashes: whoever can write the database cannot recompute them without it.
INSECURE_AUDIT_HMAC_KEY = "dev-only-audit-chain-key-change-me-0123456789"
AUDIT_HMAC_KEYS = env.list("AUDIT_HMAC_KEYS", default=[INSECURE_AUDIT_HMAC_KEY])
# Fingerprints of the vault's token secrets (the same secret is not stored twice in a team).
INSECURE_VAULT_FINGERPRINT_KEY = "dev-only-token-fingerprint-key-change-me-0123"
VAULT_FINGERPRINT_KEYS = env.list("VAULT_FINGERPRINT_KEYS", default=[INSECURE_VAULT_FINGERPRINT_KEY])

# Refuse to start in production with a missing, default or weak key (raises ImproperlyConfigured).
if not DEBUG:
    require_production_secrets(
        secret_key=SECRET_KEY,
        encryption_keys=PANEL_ENCRYPTION_KEYS,
        insecure_secret_keys={INSECURE_SECRET_KEY},
        insecure_encryption_keys={INSECURE_ENCRYPTION_KEY},
        hmac_keys={"AUDIT_HMAC_KEYS": AUDIT_HMAC_KEYS, "VAULT_FINGERPRINT_KEYS": VAULT_FINGERPRINT_KEYS},
        insecure_hmac_keys={INSECURE_AUDIT_HMAC_KEY, INSECURE_VAULT_FINGERPRINT_KEY},
    )

# The VPSBG API. Demo mode points it at the bundled simulator.
VPSBG_API_URL = env.str("VPSBG_API_URL", default="https://api.vpsbg.eu/v1")
VPSBG_API_TIMEOUT = env.float("VPSBG_API_TIMEOUT", default=30.0)
# What a page waits for VPSBG's answers, all its reads together (operations keep the timeout above).
VPSBG_PAGE_TIMEOUT = env.float("VPSBG_PAGE_TIMEOUT", default=5.0)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI / Redoc assets served locally (no CDN)
    "django_filters",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "django_celery_beat",
    "panel.core",
    "panel.accounts",
    "panel.sso",
    "panel.vault",
    "panel.audit",
    "panel.operations",
    "panel.bulk",
    "panel.schedules",
    "panel.guardrails",
    "panel.api",
    "panel.web",
]

MIDDLEWARE = [
    "panel.core.middleware.RequestIdMiddleware",
    "panel.core.metrics.RequestMetricsMiddleware",  # core: request counts and latency (/metrics)
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "panel.core.middleware.PanelErrorMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "panel.sso.sessions.ProviderSessionMiddleware",  # sso: session max age, provider-proven MFA
    "panel.accounts.middleware.SecondFactorMiddleware",  # accounts: 2FA gate (after OTPMiddleware)
    "panel.accounts.middleware.CurrentTeamMiddleware",  # accounts: request.team / request.membership
    "panel.accounts.middleware.TimeZoneMiddleware",  # accounts: times in the member's own zone
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    # AxesMiddleware should be the last middleware.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "panel.urls"
WSGI_APPLICATION = "panel.wsgi.application"

TEMPLATES: list[dict[str, Any]] = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "builtins": ["panel.core.templatetags.panel_format"],  # eur, moment: on every page
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "panel.core.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'panel.sqlite3'}")}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=60))
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Demo mode: web, worker and beat share one SQLite file. WAL lets readers run beside the writer;
    # IMMEDIATE transactions plus a busy timeout turn "database is locked" into a short wait.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    if DATABASES["default"]["NAME"] not in ("", ":memory:"):
        private_file(Path(DATABASES["default"]["NAME"]))  # 0600: created by nobody else's umask
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis serves as Celery broker, result backend and cache when set; without it the panel falls back
# to an on-disk broker, no result backend and a per-process (or CACHE_URL) cache.
REDIS_URL = env.str("REDIS_URL", default="")
CACHES = {"default": env.cache_url("CACHE_URL", default=REDIS_URL or "locmemcache://")}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "panel.sso.oidc.ProviderBackend",  # only answers a provider's callback (panel/sso)
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "accounts:login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
if DEBUG:  # whitenoise serves from the finders in DEBUG but warns when STATIC_ROOT is missing
    Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)
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

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="panel@localhost")

# --- Errors: friendly pages, never a stack trace (panel/core/views.py) ---
CSRF_FAILURE_VIEW = "panel.core.views.csrf_failure"

# --- Logging: structlog, JSON in production, console when DEBUG; secrets redacted ---
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO").upper()
LOG_FORMAT = env.str("LOG_FORMAT", default="console" if DEBUG else "json")
LOGGING = build_logging_config(level=LOG_LEVEL, fmt=LOG_FORMAT)
# Incoming X-Request-ID is trusted from this header (set by your proxy); empty = always generate.
REQUEST_ID_HEADER = env.str("REQUEST_ID_HEADER", default="X-Request-ID")

# --- Health (/healthz) ---
HEARTBEAT_INTERVAL = env.int("HEARTBEAT_INTERVAL", default=30)  # seconds between worker heartbeats
HEALTHZ_HEARTBEAT_MAX_AGE = env.int("HEALTHZ_HEARTBEAT_MAX_AGE", default=120)  # stale after this

# --- Monitoring: /metrics for Prometheus, optional error reporting (docs/monitoring.md) ---
# /metrics answers a scraper with `Authorization: Bearer <METRICS_TOKEN>` or from these addresses /
# networks; with neither set it does not exist (404). Never public.
METRICS_TOKEN = check_token_setting(env.str("METRICS_TOKEN", default=""))
METRICS_ALLOWED_IPS = env.list("METRICS_ALLOWED_IPS", default=[])
parse_networks(METRICS_ALLOWED_IPS)  # a bad entry stops the start with a message naming it
# Errors go to Sentry (or a compatible server) when set; secrets and request bodies are scrubbed.
SENTRY_DSN = env.str("SENTRY_DSN", default="")
SENTRY_ENVIRONMENT = env.str("SENTRY_ENVIRONMENT", default="")
if SENTRY_DSN:
    from panel.core.error_reporting import init_error_reporting

    init_error_reporting(SENTRY_DSN, environment=SENTRY_ENVIRONMENT)

# --- Security (production values when DEBUG is off) ---
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
# Set BEHIND_PROXY=1 only when a proxy terminates TLS in front and sets X-Forwarded-Proto itself
# (overwriting what clients send): only then is that header believed, here and by gunicorn
# (panel/core/gunicorn_conf.py). Without a proxy, anyone could claim a plain request was HTTPS.
BEHIND_PROXY = env.bool("BEHIND_PROXY", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
SECURE_REDIRECT_EXEMPT = [r"^healthz(/live)?$", r"^metrics$"]  # probes speak plain HTTP inside the network
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
    }
}

# --- django-axes: lockout after repeated failures ---
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"

OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="VPSBG Panel")

# --- DRF ---
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # One error body for the whole API: {"error": {"code", "message", "fields"}}.
    "EXCEPTION_HANDLER": "panel.core.api_errors.exception_handler",
}
SPECTACULAR_SETTINGS: dict[str, Any] = {
    "TITLE": "VPSBG Panel API",
    "VERSION": "1",
    # One name for the months VPSBG sells a service for, whichever action asks them.
    "ENUM_NAME_OVERRIDES": {"BillingCycleEnum": "panel.actions.inputs.BILLING_CYCLE_CHOICES"},
}

# --- Celery (configured for reliability; see docs/architecture.md) ---
# Without Redis the broker is kombu's filesystem transport: a real worker reads messages from
# folders under var/broker/ (demo mode needs no server). Production sets REDIS_URL.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://localhost/")
CELERY_BROKER_DIR = Path(env.str("CELERY_BROKER_DIR", default=str(VAR_DIR / "broker")))
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=30 * 60)  # hard kill, seconds
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 60  # raises SoftTimeLimitExceeded first
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
        # Looked at every 0.2 s (kombu's default is 1 s): a busy worker checks again only after this
        # pause, so with the default each short operation task waited up to a second for the next.
        "polling_interval": 0.2,
    }
    # And a worker that reserved only one message per thread took the next one only at the next
    # look: with a queue of short operation deliveries, each thread idled up to 0.2 s after each.
    # Four per thread keep the threads fed; the deliveries are short (an operation parks rather than
    # waits), and a message lost with a killed worker is sent again by the dispatcher.
    _PREFETCH = 4
    for _folder in ("queue", "control"):
        (CELERY_BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)
else:
    # An unacknowledged (late-ack) message goes back to the queue after this many seconds: it must
    # exceed the longest task time limit, or a running task would be delivered twice.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_TASK_TIME_LIMIT * 2}
    _PREFETCH = 1  # Redis hands a message over as soon as a thread is free: none held back
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=REDIS_URL or "") or None
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_TASK_ACKS_LATE = True  # ack after the task ran: a worker crash redelivers the message
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = _PREFETCH  # messages reserved per worker thread
# A task that loses the broker finishes: an operation's delivery is a few VPSBG calls and its state
# is in the database (the thread pool of the demo cannot cancel a task anyway; trying stopped it).
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
CELERY_WORKER_HIJACK_ROOT_LOGGER = False  # keep our structlog LOGGING in workers
CELERY_WORKER_SEND_TASK_EVENTS = False
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    # Long VPSBG operations (deploy, reinstall, snapshots...) get their own workers.
    "panel.operations.*": {"queue": "operations"},
}
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "core-heartbeat": {
        "task": "panel.core.tasks.heartbeat",
        "schedule": float(HEARTBEAT_INTERVAL),
        "options": {"expires": float(HEARTBEAT_INTERVAL)},
    },
}
CELERY_TIMEZONE = "UTC"

# --- audit ---
# Days an audit event is kept; `manage.py purge_audit` removes older ones (0 keeps them forever).
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=365)
AUDIT_PURGE_INTERVAL = env.int("AUDIT_PURGE_INTERVAL", default=24 * 60 * 60)  # seconds between purges
CELERY_BEAT_SCHEDULE["audit-purge"] = {
    "task": "panel.audit.tasks.purge_expired_events",
    "schedule": float(AUDIT_PURGE_INTERVAL),
    "options": {"expires": float(AUDIT_PURGE_INTERVAL)},
}
# The chain's head, published outside the database (panel/audit/head.py): a JSON file that
# `verify_audit_chain` compares with (empty: the `audit_chain_head` log line only), and how often.
AUDIT_HEAD_FILE = env.str("AUDIT_HEAD_FILE", default=str(VAR_DIR / "audit" / "head.json"))
AUDIT_HEAD_PUBLISH_INTERVAL = env.int("AUDIT_HEAD_PUBLISH_INTERVAL", default=5 * 60)
CELERY_BEAT_SCHEDULE["audit-publish-head"] = {
    "task": "panel.audit.tasks.publish_chain_head",
    "schedule": float(AUDIT_HEAD_PUBLISH_INTERVAL),
    "options": {"expires": float(AUDIT_HEAD_PUBLISH_INTERVAL)},
}

# --- vault ---
# How often beat checks every VPSBG token with VPSBG (flags revoked / failing ones); seconds.
VAULT_CHECK_INTERVAL = env.int("VAULT_CHECK_INTERVAL", default=30 * 60)
CELERY_BEAT_SCHEDULE["vault-check-tokens"] = {
    "task": "panel.vault.tasks.check_tokens",
    "schedule": float(VAULT_CHECK_INTERVAL),
    "options": {"expires": float(VAULT_CHECK_INTERVAL)},
}

# --- accounts ---
TEMPLATES[0]["OPTIONS"]["context_processors"].append("panel.accounts.context_processors.team")
# Lock a (username, IP) pair after repeated failures, and an IP spraying many usernames; never an
# account alone, so nobody can lock a colleague out from elsewhere .
# axes reads the client address from REMOTE_ADDR: the proxy in front must set it to the client's.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_LOCKOUT_CALLABLE = "panel.accounts.views.signin.locked_out"
OTP_TOTP_THROTTLE_FACTOR = 1  # each wrong code doubles the wait before the next try
OTP_STATIC_THROTTLE_FACTOR = 1
ACCOUNTS_INVITATION_TTL_HOURS = env.int("ACCOUNTS_INVITATION_TTL_HOURS", default=72)
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=60 * 60)  # seconds a reset link works
# Every session ends this long after its sign-in (seconds), however active: a person removed at
# the identity provider keeps no open session longer than this.
SESSION_MAX_AGE = env.int("SESSION_MAX_AGE", default=12 * 60 * 60)
SESSION_COOKIE_AGE = SESSION_MAX_AGE

# --- sso: sign-in with identity providers (OpenID Connect; panel/sso, README "Sign-in with ...") ---
# OIDC_PROVIDERS names them; each has OIDC_<KEY>_ISSUER, _CLIENT_ID, _CLIENT_SECRET (and optional
# _NAME, _SCOPES, _GROUPS_CLAIM, _MFA_AMR, _MFA_ACR), read by panel/sso/config.py.
OIDC_PROVIDERS = load_providers(dict(os.environ), env.list("OIDC_PROVIDERS", default=[]))
OIDC_TIMEOUT = env.float("OIDC_TIMEOUT", default=10.0)  # seconds per request to a provider
OIDC_STATE_SIZE = 32
OIDC_NONCE_SIZE = 32
OIDC_PKCE_CODE_VERIFIER_SIZE = 64
OIDC_MAX_STATES = 10  # sign-ins started in parallel tabs of one browser

# --- api ---
# Requests per minute (or "N/second|minute|hour|day") one panel API token may make.
PANEL_API_THROTTLE_RATE = env.str("PANEL_API_THROTTLE_RATE", default="600/minute")
# Hours an Idempotency-Key is remembered (same key + same body = the stored answer).
PANEL_API_IDEMPOTENCY_HOURS = env.int("PANEL_API_IDEMPOTENCY_HOURS", default=24)
# Seconds a repeated request waits for the first one with its Idempotency-Key to finish (then 409).
PANEL_API_IDEMPOTENCY_WAIT = env.float("PANEL_API_IDEMPOTENCY_WAIT", default=10.0)
SPECTACULAR_SETTINGS.update(
    {
        "DESCRIPTION": (
            "The panel's REST API: the same powers as the browser, under the same rules. Authenticate "
            "with a panel API token (`Authorization: Bearer vpp_...`) created on Team → API tokens."
        ),
        "OAS_VERSION": "3.1.0",
        "SERVE_INCLUDE_SCHEMA": False,
        "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
        "SERVE_AUTHENTICATION": [],
        "SWAGGER_UI_DIST": "SIDECAR",
        "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
        "REDOC_DIST": "SIDECAR",
        "COMPONENT_SPLIT_REQUEST": True,
        "POSTPROCESSING_HOOKS": [
            "drf_spectacular.hooks.postprocess_schema_enums",
            "panel.api.schema.add_result_components",
        ],
    }
)

# --- operations ---
# Long VPSBG actions run on the `operations` queue (panel/operations/runner.py). A delivery never
# sleeps while VPSBG works: it parks the operation and the dispatcher (a thread of the beat
# process, every poll interval, and each worker at its start) sends the next task when it is due.
# Two budgets, and every limit derives from one of them:
# - OPERATIONS_STEP_DEADLINE: how long VPSBG may take over one step (a Windows reinstall);
# - OPERATIONS_LEASE_SECONDS: how long one delivery (a few VPSBG calls, never a wait) may run: the
#   task's soft limit; its hard limit is 30 s later. While it runs, its worker process refreshes
#   its heartbeat every OPERATIONS_KEEPALIVE_SECONDS (up to the hard limit); a heartbeat older than
#   OPERATIONS_STUCK_AFTER (four of those, and more than one VPSBG call may take) means no live
#   delivery, and the sweep resumes the operation. A task sent but never claimed is sent again
#   after OPERATIONS_RESEND_AFTER (past any delivery's hard limit).
OPERATIONS_POLL_SECONDS = env.float("OPERATIONS_POLL_SECONDS", default=5.0)  # between VPSBG state reads
OPERATIONS_STEP_DEADLINE = env.int("OPERATIONS_STEP_DEADLINE", default=60 * 60)  # a step failing after, s
OPERATIONS_MAX_RETRIES = env.int("OPERATIONS_MAX_RETRIES", default=8)  # transient upstream errors per step
OPERATIONS_RETRY_BASE = env.float("OPERATIONS_RETRY_BASE", default=2.0)  # backoff 2, 4, 8... s (cap 60)
OPERATIONS_RETRY_CAP = 60.0
OPERATIONS_MAX_ATTEMPTS = env.int("OPERATIONS_MAX_ATTEMPTS", default=5)  # deliveries before failing
OPERATIONS_LEASE_SECONDS = env.int("OPERATIONS_LEASE_SECONDS", default=120)  # one delivery's time, s
OPERATIONS_TASK_SOFT_TIME_LIMIT = OPERATIONS_LEASE_SECONDS
OPERATIONS_TASK_TIME_LIMIT = OPERATIONS_LEASE_SECONDS + 30
OPERATIONS_KEEPALIVE_SECONDS = env.float("OPERATIONS_KEEPALIVE_SECONDS", default=10.0)
OPERATIONS_STUCK_AFTER = max(4 * OPERATIONS_KEEPALIVE_SECONDS, VPSBG_API_TIMEOUT + 15)  # a dead delivery
OPERATIONS_RESEND_AFTER = OPERATIONS_TASK_TIME_LIMIT + 30  # a sent task no worker took is sent again
OPERATIONS_NOTIFY_EMAIL = env.bool("OPERATIONS_NOTIFY_EMAIL", default=False)  # e-mail the actor the result
# The dispatcher runs in the beat process (panel/operations/beat.py), not as a task: resuming the
# operations of a dead worker must not wait for a worker. Off only where no beat runs it.
OPERATIONS_DISPATCH_IN_BEAT = True
TEMPLATES[0]["OPTIONS"]["context_processors"].append("panel.operations.context_processors.notifications")

# --- bulk actions and schedules ---
# A batch (one action on many servers) starts at most this many servers' operations at a time;
# its parent operation parks between looks like every waiting operation (panel/bulk).
BULK_CONCURRENCY = env.int("BULK_CONCURRENCY", default=5)
BULK_MAX_SERVERS = env.int("BULK_MAX_SERVERS", default=500)  # servers in one batch
# Beat looks for due schedules this often (seconds); a run is never earlier than its time, and at
# most this much later (panel/schedules).
SCHEDULES_TICK_SECONDS = env.int("SCHEDULES_TICK_SECONDS", default=30)
CELERY_BEAT_SCHEDULE["schedules-tick"] = {
    "task": "panel.schedules.tasks.tick",
    "schedule": float(SCHEDULES_TICK_SECONDS),
    "options": {"expires": float(SCHEDULES_TICK_SECONDS), "queue": "default"},
}
# --- guardrails (docs/guardrails.md) ---
GUARDRAILS_APPROVAL_HOURS = env.int("GUARDRAILS_APPROVAL_HOURS", default=24)  # a held request expires after
GUARDRAILS_STEP_UP_SECONDS = env.int("GUARDRAILS_STEP_UP_SECONDS", default=300)  # second factor this recent
CELERY_BEAT_SCHEDULE["guardrails-expire-approvals"] = {
    "task": "panel.guardrails.tasks.expire_approvals",
    "schedule": 300.0,
    "options": {"expires": 300.0, "queue": "default"},
}
TEMPLATES[0]["OPTIONS"]["context_processors"].append("panel.guardrails.context_processors.notices")
