"""Settings for the CRM back office.

Everything that differs between machines comes from the environment (or a
``.env`` file beside ``manage.py``) through django-environ's typed getters.
``.env.example`` documents every variable. See
https://docs.djangoproject.com/en/5.2/ref/settings/
"""

import datetime
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from core.observability import init_sentry, logging_config

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# The key shipped in .env.example and used for local development. A process
# started with DEBUG=False refuses to run with it (see the check below).
EXAMPLE_SECRET_KEY = "dev-only-insecure-key-change-me-0123456789-abcdefghijklmnopqrstuvwxyz"

# --- Core -------------------------------------------------------------------
# Secure by default: DEBUG is off unless the environment turns it on (`make run`,
# .env.example and crm_project/test_settings.py do, for development and tests).
DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default=EXAMPLE_SECRET_KEY)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

if not DEBUG and (SECRET_KEY == EXAMPLE_SECRET_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured(
        "DEBUG is off but SECRET_KEY is the example key or shorter than 50 characters. "
        "Set a long random SECRET_KEY in the environment (production), or DEBUG=True for development "
        "(`make run` does; or copy .env.example to .env)."
    )

INSTALLED_APPS = [
    # django.contrib.admin with the site whose index is the start page (today.site).
    "today.apps.CRMAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # django-axes, under a section name staff understand (core/apps.py).
    "core.apps.LoginLockoutsConfig",
    "csp",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # Our apps, in their layer order (README "Architecture"): each may use the
    # ones before it, never one after it. Hooks and reminder sources register
    # in this order.
    "accounts",
    "core",
    "leads",
    "scheduling",
    "reminders",
    "trials",
    "intake",
    "import_service",
    "analytics",
    "api",
    "today",
]

MIDDLEWARE = [
    # /healthz and /readyz, answered before the host check and the HTTPS redirect.
    "core.health.HealthCheckMiddleware",
    # A request id and one log line per request (crm.request).
    "core.observability.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.middleware.RejectNulCharactersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After sessions (it reads the session's language), before CommonMiddleware
    # (which may redirect and should do so in the chosen language).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication: a staff member's own language (User.language) wins
    # over the cookie and the browser's (accounts/middleware.py).
    "accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last: turns a locked-out login into the lockout page (django-axes).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "crm_project.urls"
WSGI_APPLICATION = "crm_project.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

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
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------
# https://django-environ.readthedocs.io/en/latest/types.html#environ-env-db-url
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process, the worker and beat share one SQLite file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))

# --- Auth -------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"

# Login throttling (django-axes, https://django-axes.readthedocs.io/): after
# LOGIN_FAILURE_LIMIT failed logins for one username, or from one address,
# further attempts are refused for LOGIN_LOCKOUT_MINUTES (each new failure
# meanwhile restarts the wait); a successful login clears the count. Managers
# unlock in admin (Staff → "Unlock login"; Axes → Access attempts).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "core.http.client_ip_address"
AXES_USERNAME_CALLABLE = "accounts.lockout.lockout_username"
# Addresses never locked out (the centre's own office behind one NAT address), comma-separated.
AXES_IP_WHITELIST = env.list("LOGIN_NEVER_LOCK_IPS", default=[]) or None
AXES_NEVER_LOCKOUT_WHITELIST = bool(AXES_IP_WHITELIST)
AXES_VERBOSE = False

# --- Time and language --------------------------------------------------------
# https://docs.djangoproject.com/en/5.2/topics/i18n/translation/#how-django-discovers-language-preference
# LocaleMiddleware picks the language from the language cookie, then the browser's
# Accept-Language; LANGUAGE_CODE (the centre's default) is the fallback. For a
# signed-in staff member their own User.language wins (accounts.middleware). Uzbek is
# written in Latin script, oʻ/gʻ with U+02BB as in Django's own name for it.
LANGUAGES = [
    ("uz", "Oʻzbekcha"),
    ("ru", "Русский"),
    ("en", "English"),
]
LANGUAGE_CODE = env.str("CRM_DEFAULT_LANGUAGE", default="uz")
if LANGUAGE_CODE not in dict(LANGUAGES):
    raise ImproperlyConfigured(
        f"CRM_DEFAULT_LANGUAGE is {LANGUAGE_CODE!r}; use one of: {', '.join(code for code, _ in LANGUAGES)}."
    )
# Our own catalogues first; then the supplement that completes Django's Uzbek
# admin/auth/core catalogues (locale_django/README.md), then the one for the
# third-party apps staff see, django-axes (locale_apps/README.md). The first path
# wins. The supplements are separate trees so that `makemessages` (which writes
# into the first path) never touches them, nor takes them for a language.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_django", BASE_DIR / "locale_apps"]
# Dates dd.mm.yyyy and 24-hour times in every language, weeks from Monday,
# thousands separated by a no-break space (crm_project/formats/).
FORMAT_MODULE_PATH = ["crm_project.formats"]
# Numbers on display are grouped ("1 250 000"). Form fields are not localized
# unless a field asks for it (localize=True), so inputs keep plain digits.
USE_THOUSAND_SEPARATOR = True
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Tashkent")
USE_I18N = True
USE_TZ = True

# --- Static files -------------------------------------------------------------
STATIC_URL = "static/"
# Where `collectstatic` (the release step) writes and WhiteNoise serves from.
STATIC_ROOT = BASE_DIR / env.str("STATIC_ROOT", default="staticfiles")  # relative to the project unless absolute
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_BACKEND",
            default="django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}
MEDIA_ROOT = BASE_DIR / env.str("MEDIA_ROOT", default="var/media")  # relative to the project
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- Email --------------------------------------------------------------------
# https://django-environ.readthedocs.io/en/latest/types.html#environ-env-email-url
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="crm@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security (production values whenever DEBUG is off) ----------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# --- Content-Security-Policy (django-csp, https://django-csp.readthedocs.io/) ----
# Only our own origin, and nothing inline: every page (admin, dashboard, start
# pages) loads its scripts and styles as static files, so an injected <script>
# or style attribute does not run. Browser tests fail on any violation
# (tests/browser/conftest.py). CSP_REPORT_URI collects violations from browsers.
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
        **({"report-uri": [env.str("CSP_REPORT_URI")]} if env.str("CSP_REPORT_URI", default="") else {}),
    }
}

# --- Celery -------------------------------------------------------------------
# https://docs.celeryq.dev/en/stable/userguide/configuration.html
# The default broker is kombu's filesystem transport, so `make run` needs no
# broker server; point CELERY_BROKER_URL at redis://127.0.0.1:6379/0 in production.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
CELERY_BROKER_DIR = BASE_DIR / env.str("CELERY_BROKER_DIR", default="var/celery-broker")
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR),
        "data_folder_out": str(CELERY_BROKER_DIR),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
    }
else:
    # Reminders never use long countdowns (see reminders/); this only bounds
    # how long an unacknowledged task waits before redelivery.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": 3600,
        # An unreachable broker host must not hang a request (see core/tasks.py).
        "socket_connect_timeout": 3,
    }
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=None)
CELERY_TASK_IGNORE_RESULT = CELERY_RESULT_BACKEND is None
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
# A task is acknowledged when it has finished, so a worker killed mid-task (or
# a child process lost) gets it delivered again; every task is idempotent.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# One message at a time per process: a long task never sits on short ones it reserved.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Named queues: "default" for short work (intake processing, reminders, safety
# nets), "long" for what may run for minutes (lead imports, rollups, occupancy),
# so one big import never delays a webhook's lead. README "Scaling out".
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "import_service.tasks.import_run_task": {"queue": "long"},
    "import_service.tasks.import_preview_task": {"queue": "long"},
    # Today's rollup every minute is one day (~0.2 s at a million leads): short work,
    # kept out of the queue where an import can hold it up for minutes.
    "analytics.rollup_today": {"queue": "default"},
    "analytics.*": {"queue": "long"},
    "scheduling.refresh_room_occupancy": {"queue": "long"},
}
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
# Beat's own bookkeeping (last run times); per machine. Exactly one beat runs:
# see crm_project/celery.py (a PostgreSQL advisory lock refuses a second one).
CELERY_BEAT_SCHEDULE_FILENAME = env.str(
    "CELERY_BEAT_SCHEDULE_FILENAME", default=str(BASE_DIR / "var" / "celerybeat-schedule")
)
# The beat schedule lives in one place: crm_project/celery.py (BEAT_SCHEDULE).

# --- Domain -------------------------------------------------------------------
DEFAULT_PHONE_REGION = env.str("DEFAULT_PHONE_REGION", default="UZ")

# --- Cache ----------------------------------------------------------------------
# https://django-environ.readthedocs.io/en/latest/types.html#environ-env-cache-url
# The landing-form throttle counts requests here. locmem is per process: with
# several web processes in production use redis://127.0.0.1:6379/2.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}

# --- Intake (live lead channels, intake/) -------------------------------------
# A channel whose secret is unset is disabled and answers 404. See README "Intake".
INTAKE_LANDING_KEYS = env.list("INTAKE_LANDING_KEYS", default=[])
INTAKE_ALLOWED_ORIGINS = env.list("INTAKE_ALLOWED_ORIGINS", default=[])
INTAKE_LANDING_RATE = env.str("INTAKE_LANDING_RATE", default="30/m")
INTAKE_HONEYPOT_FIELD = env.str("INTAKE_HONEYPOT_FIELD", default="website")
# Where the client address comes from (intake throttle, login lockout): REMOTE_ADDR,
# or HTTP_X_REAL_IP behind our nginx (deploy/nginx.conf sets it). INTAKE_CLIENT_IP_HEADER
# is its old name.
CLIENT_IP_HEADER = env.str("CLIENT_IP_HEADER", default=env.str("INTAKE_CLIENT_IP_HEADER", default="REMOTE_ADDR"))
INTAKE_MAX_BODY_BYTES = env.int("INTAKE_MAX_BODY_BYTES", default=64 * 1024)
INTAKE_AUTO_ASSIGN = env.bool("INTAKE_AUTO_ASSIGN", default=True)
# The beat safety net re-queues events still pending this long (their task was lost).
INTAKE_REQUEUE_AFTER_SECONDS = env.int("INTAKE_REQUEUE_AFTER_SECONDS", default=60)
TELEGRAM_BOT_TOKEN = env.str("TELEGRAM_BOT_TOKEN", default="")
TELEGRAM_WEBHOOK_SECRET = env.str("TELEGRAM_WEBHOOK_SECRET", default="")
TELEGRAM_API_URL = env.str("TELEGRAM_API_URL", default="https://api.telegram.org")
META_APP_SECRET = env.str("META_APP_SECRET", default="")
META_VERIFY_TOKEN = env.str("META_VERIFY_TOKEN", default="")
META_PAGE_ACCESS_TOKEN = env.str("META_PAGE_ACCESS_TOKEN", default="")
META_GRAPH_URL = env.str("META_GRAPH_URL", default="https://graph.facebook.com/v21.0")
WHATSAPP_APP_SECRET = env.str("WHATSAPP_APP_SECRET", default="") or META_APP_SECRET
WHATSAPP_VERIFY_TOKEN = env.str("WHATSAPP_VERIFY_TOKEN", default="")
CALL_TRACKING_SECRET = env.str("CALL_TRACKING_SECRET", default="")

# --- Lead import (import_service/) ----------------------------------------------
# See README "Lead import". Uploads above the row threshold run in the Celery worker.
IMPORT_MAX_FILE_MB = env.int("IMPORT_MAX_FILE_MB", default=50)
IMPORT_XLSX_MAX_UNCOMPRESSED_MB = env.int("IMPORT_XLSX_MAX_UNCOMPRESSED_MB", default=500)
IMPORT_BACKGROUND_ROW_THRESHOLD = env.int("IMPORT_BACKGROUND_ROW_THRESHOLD", default=5000)
# Admin/API uploads with more rows than this (estimated) are previewed in the worker,
# the page showing progress; so are files over IMPORT_PREVIEW_BACKGROUND_KB whose row
# count cannot be estimated, and workbooks over it (not opened in the request at all:
# openpyxl's load alone takes seconds). README "Lead import".
IMPORT_PREVIEW_BACKGROUND_ROW_THRESHOLD = env.int("IMPORT_PREVIEW_BACKGROUND_ROW_THRESHOLD", default=20000)
IMPORT_PREVIEW_BACKGROUND_KB = env.int("IMPORT_PREVIEW_BACKGROUND_KB", default=1024)
# Path to a Google service-account JSON key; share the sheets with its e-mail address.
GOOGLE_SERVICE_ACCOUNT_FILE = env.str("GOOGLE_SERVICE_ACCOUNT_FILE", default="")

# --- Reminders and trials (reminders/, trials/) --------------------------------
# See README "Trials and reminders". Minutes/hours are wall-clock durations.
REMINDER_FIRST_CONTACT_MINUTES = env.int("REMINDER_FIRST_CONTACT_MINUTES", default=15)
REMINDER_REPEAT_MINUTES = env.int("REMINDER_REPEAT_MINUTES", default=30)
TRIAL_PRE_REMINDER_HOURS = env.float("TRIAL_PRE_REMINDER_HOURS", default=2)
TRIAL_POST_REMINDER_MINUTES = env.int("TRIAL_POST_REMINDER_MINUTES", default=3)
REMINDER_MAX_ATTEMPTS = env.int("REMINDER_MAX_ATTEMPTS", default=5)
REMINDER_RETRY_BASE_SECONDS = env.int("REMINDER_RETRY_BASE_SECONDS", default=60)
REMINDER_RETRY_MAX_SECONDS = env.int("REMINDER_RETRY_MAX_SECONDS", default=3600)
# A delivery left "sending" this long (its worker died) is claimed again.
REMINDER_CLAIM_TIMEOUT_SECONDS = env.int("REMINDER_CLAIM_TIMEOUT_SECONDS", default=300)
# Links in reminder messages point here.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

# --- SMS through Eskiz (core/eskiz.py, reminders/sms.py) -------------------------
# See README "Trials and reminders" → SMS. The channel is off until ESKIZ_EMAIL,
# ESKIZ_PASSWORD and ESKIZ_FROM are set (a system check says so). ESKIZ_FROM is the
# sender name Eskiz registered for the account ("4546" is Eskiz's test sender).
ESKIZ_API_URL = env.str("ESKIZ_API_URL", default="https://notify.eskiz.uz")
ESKIZ_EMAIL = env.str("ESKIZ_EMAIL", default="")
ESKIZ_PASSWORD = env.str("ESKIZ_PASSWORD", default="")
ESKIZ_FROM = env.str("ESKIZ_FROM", default="")
# Delivery reports are posted to /sms/eskiz/<ESKIZ_CALLBACK_SECRET>/; without a
# secret the callback answers 404 and no callback_url is sent to Eskiz.
ESKIZ_CALLBACK_SECRET = env.str("ESKIZ_CALLBACK_SECRET", default="")
ESKIZ_CALLBACK_URL = env.str(
    "ESKIZ_CALLBACK_URL",
    default=f"{SITE_URL.rstrip('/')}/sms/eskiz/{ESKIZ_CALLBACK_SECRET}/" if ESKIZ_CALLBACK_SECRET else "",
)
# At most this many SMS per local day; the rest are skipped with the reason.
SMS_DAILY_LIMIT = env.int("SMS_DAILY_LIMIT", default=500)
# Also send the lead an SMS when they have a Telegram chat (else SMS only without one).
SMS_BOTH_CHANNELS = env.bool("SMS_BOTH_CHANNELS", default=False)

# --- REST API v1 (api/) ---------------------------------------------------------
# https://www.django-rest-framework.org/api-guide/settings/ and
# https://drf-spectacular.readthedocs.io/en/latest/settings.html. See README "REST API".
API_TOKEN_DEFAULT_EXPIRY_DAYS = env.int("API_TOKEN_DEFAULT_EXPIRY_DAYS", default=365)
API_TOKEN_MAX_EXPIRY_DAYS = env.int("API_TOKEN_MAX_EXPIRY_DAYS", default=3650)
# Requests per token (or per signed-in user): reads, writes, and file uploads (imports, ad spend).
API_THROTTLE_READ_RATE = env.str("API_THROTTLE_READ_RATE", default="600/min")
API_THROTTLE_WRITE_RATE = env.str("API_THROTTLE_WRITE_RATE", default="120/min")
API_THROTTLE_UPLOAD_RATE = env.str("API_THROTTLE_UPLOAD_RATE", default="20/hour")
API_PAGE_SIZE = env.int("API_PAGE_SIZE", default=50)
API_MAX_PAGE_SIZE = env.int("API_MAX_PAGE_SIZE", default=200)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.BearerTokenAuthentication",
        "api.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.StaffApiAccess"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.TokenRateThrottle"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.PagePagination",
    "PAGE_SIZE": API_PAGE_SIZE,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "api.exceptions.exception_handler",
    "DEFAULT_VERSIONING_CLASS": None,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DATETIME_FORMAT": "iso-8601",
    "COERCE_DECIMAL_TO_STRING": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Education centre CRM API",
    "DESCRIPTION": "REST API v1 of the CRM back office: the admin's rules for the course site, the mobile app "
    "and partners. Authenticate with `Authorization: Bearer <token>` (tokens are made in admin or with "
    "`manage.py create_api_token`).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "LeadSourceEnum": "leads.models.LeadSource",
        "LeadStatusEnum": "leads.models.LeadStatus",
        "TrialStatusEnum": "trials.models.TrialStatus",
        "EnrollmentStatusEnum": "scheduling.models.EnrollmentStatus",
        "FollowUpStatusEnum": "reminders.models.LeadReminderStatus",
        "DeliveryStatusEnum": "reminders.models.DeliveryStatus",
        "DeliveryChannelEnum": "reminders.models.Channel",
        "IntakeStatusEnum": "intake.models.IntakeStatus",
        "IntakeChannelEnum": "intake.models.IntakeChannel",
        "ImportStatusEnum": "import_service.models.ImportStatus",
        "TrialReminderStatusEnum": "trials.models.ReminderState",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.postprocess_errors_and_examples",
    ],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # The order the docs list the resources in.
    "TAGS": [
        {"name": "leads", "description": "Leads, their status, salesperson, history and inquiries."},
        {"name": "follow-ups", "description": "Contact deadlines of the salespeople."},
        {"name": "trials", "description": "Trial lessons: book, reschedule, attendance, result, cancel."},
        {"name": "groups", "description": "Groups with their load; lessons and free places."},
        {"name": "courses"},
        {"name": "rooms"},
        {"name": "room occupancy"},
        {"name": "enrolments", "description": "Students in groups."},
        {"name": "deliveries", "description": "Reminder messages (email, Telegram) and what became of them."},
        {"name": "analytics", "description": "The daily rollups (read)."},
        {"name": "marketing spend", "description": "Ad spend per day and channel (managers)."},
        {"name": "lead imports", "description": "Upload, preview and confirm lead lists (managers)."},
        {"name": "intake", "description": "The raw stream of webhooks and form posts (managers)."},
        {"name": "me", "description": "The caller."},
    ],
}

# --- Logging and errors -----------------------------------------------------------
# LOG_FORMAT=json: one JSON object per line (request id, user id, path, status,
# duration; task name, id, outcome) for a log collector. See core/observability.py.
LOG_FORMAT = env.str("LOG_FORMAT", default="plain")
LOGGING = logging_config(log_format=LOG_FORMAT, level=env.str("LOG_LEVEL", default="INFO"))
# In JSON mode the worker keeps Django's logging instead of installing its own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = LOG_FORMAT != "json"

# Sentry only when SENTRY_DSN is set; no personal data is sent (send_default_pii off).
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    init_sentry(
        dsn=SENTRY_DSN,
        environment=env.str("SENTRY_ENVIRONMENT", default=""),
        release=env.str("SENTRY_RELEASE", default=""),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
    )
