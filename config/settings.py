"""One settings module for every environment; values come from the environment (or `.env`).

With nothing set, the project runs on SQLite and Celery's filesystem transport under `var/`,
so `make run` needs no server. Production sets DATABASE_URL, CELERY_BROKER_URL, SECRET_KEY,
ALLOWED_HOSTS (see README.md and .env.example).
"""

from datetime import timedelta
from pathlib import Path

import environ
import xstatic.pkg.bootstrap
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    env.read_env(BASE_DIR / ".env")


def required(name: str, value):
    """Production refuses to start without a value, naming the variable that is missing."""
    if not value:
        raise ImproperlyConfigured(f"{name} must be set in the environment when DEBUG is off.")
    return value


DEBUG = env.bool("DEBUG", default=False)

# Only a development server may run on a key written in the code.
SECRET_KEY = env("SECRET_KEY", default="") or ("dev-only-insecure-key" if DEBUG else "")
required("SECRET_KEY", SECRET_KEY)

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
required("ALLOWED_HOSTS", ALLOWED_HOSTS)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "csp",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "template_partials",
    "django_celery_beat",
    "accounts",
    "students",
    "timeline",
    "deadlines",
    "handover",
    "followups",
    "retention",
    "refunds",
    "reports",
    "demo",
    "benchmarks",
    "intake",
]

MIDDLEWARE = [
    "config.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "config.middleware.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "accounts.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "config.middleware.PrivatePagesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, so it sees the outcome of every login attempt.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "accounts.context_processors.navigation",
            ],
        },
    },
]

# Database: SQLite needs no server; PostgreSQL in CI and production.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    VAR_DIR.mkdir(exist_ok=True)
    # Web, worker and beat write at once: take the write lock when a transaction starts, not midway.
    DATABASES["default"].setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"
elif DATABASES["default"]["ENGINE"].endswith(("postgresql", "postgis")):
    # JIT off: on this workload it only adds compile time (a second on the president's student list
    # at 100 campuses; issue 13). `?options=-c jit=on` in the URL wins.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    if "jit" not in _options.get("options", ""):
        _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()
    # Prepared statements allowed, for the statements that ask (config.prepared: the navigation's
    # counts); Django's own cursors bind in the client and are never prepared.
    _options.setdefault("prepare_threshold", 5)
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Accounts and sign-in
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "full_name", "email")},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.passwords.NotTheCurrentPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lockout: a campus office shares one address, so a lock is per user name *and* address;
# five failures lock that pair for fifteen minutes, a success clears the count.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "config.network.client_ip"
AXES_VERBOSE = False

# The proxies in front of the app, each appending to X-Forwarded-For (config/network.py reads it).
# 0: clients connect directly and the header is ignored. With 1 or more, the app must be reachable
# only through the proxy (docker-compose.yml publishes it on 127.0.0.1 alone; see README.md).
PROXY_COUNT = env.int("PROXY_COUNT", default=0)
if env("AXES_PROXY_COUNT", default=None) is not None:
    raise ImproperlyConfigured("AXES_PROXY_COUNT is now PROXY_COUNT: rename it in the environment.")

# Request bodies: documents and refund scans are at most 20 MB (students/services.py
# DOCUMENT_MAX_BYTES), plus a little for the form around them; a larger body answers 413 before
# Django reads it (config/middleware.py). The proxy must let this much through (README.md).
REQUEST_BODY_MAX_BYTES = env.int("REQUEST_BODY_MAX_MB", default=21) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # 2.5 MB of form fields, files not counted; more answers 400
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000  # an admin page of rows with their checkboxes fits
DATA_UPLOAD_MAX_NUMBER_FILES = 20
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # larger uploads go to a temporary file, not memory

# Sessions and cookies: secure unless we are on a development server.
SECURE_DEFAULT = not DEBUG
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=SECURE_DEFAULT)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=SECURE_DEFAULT)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 10)  # a working day
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=SECURE_DEFAULT)
# X-Forwarded-Proto is gunicorn's to trust, only from the addresses in FORWARDED_ALLOW_IPS (the
# proxy); it then sets the request's scheme. Django's SECURE_PROXY_SSL_HEADER would believe any peer.
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365 if SECURE_DEFAULT else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=SECURE_DEFAULT)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=SECURE_DEFAULT)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Every script and style is a file of our own (static/, Bootstrap, htmx): nothing inline, no eval.
# htmx's own indicator <style> is switched off in base.html; its rules live in static/css/app.css.
# img-src allows data: for the small SVG icons inside Bootstrap's CSS (select arrows, check marks).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# Language and time: Simplified Chinese first, English second; campuses keep Beijing time.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# Static files come from Python packages and static/, served by WhiteNoise.
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static", ("bootstrap", xstatic.pkg.bootstrap.BASE_DIR)]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Email: printed to the console in development, SMTP (EMAIL_URL) in production.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="casework@localhost")
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)  # seconds; a hung mail server must not stall delivery
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# The site's own address, for the links in messages sent outside it (email, WeCom).
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# WeCom (企业微信) application messages: the company's corp id, the application's agent id and secret.
# Empty WECOM_CORP_ID: WeCom is off and nobody is offered it.
WECOM_CORP_ID = env("WECOM_CORP_ID", default="")
WECOM_AGENT_ID = env.int("WECOM_AGENT_ID", default=0)
WECOM_SECRET = env("WECOM_SECRET", default="")
WECOM_API_URL = env("WECOM_API_URL", default="https://qyapi.weixin.qq.com").rstrip("/")
WECOM_TIMEOUT = env.int("WECOM_TIMEOUT", default=10)  # seconds; a silent API counts as a failed attempt

# Celery: the filesystem transport needs no server; Redis in CI and production.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")
CELERY_FILESYSTEM_DIR = VAR_DIR / "celery"
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_FILESYSTEM_DIR / "queue"),
        "data_folder_out": str(CELERY_FILESYSTEM_DIR / "queue"),
        "processed_folder": str(CELERY_FILESYSTEM_DIR / "processed"),
        "control_folder": str(CELERY_FILESYSTEM_DIR / "control"),
        "store_processed": False,
    }
    for folder in CELERY_BROKER_TRANSPORT_OPTIONS.values():
        if isinstance(folder, str):
            Path(folder).mkdir(parents=True, exist_ok=True)
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=None)
CELERY_TASK_IGNORE_RESULT = CELERY_RESULT_BACKEND is None
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", default="celery")
CELERY_TASK_ACKS_LATE = True  # a worker that dies mid-task leaves it for another; tasks are idempotent
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A contract import not finished this long after it was uploaded lost its worker: its page marks it
# failed and asks for the file again (a file of at most 5,000 rows takes a minute or two).
CONTRACT_IMPORT_TIMEOUT = timedelta(minutes=env.int("CONTRACT_IMPORT_TIMEOUT_MINUTES", default=15))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

SITE_TITLE = _("Learning management casework")

# The cache: the intake API's rate limit counts in it. One process (tests, `make run`) may keep it in
# memory; with several web processes or containers it must be shared: CACHE_URL=redis://host:6379/1.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
# The calls a key of the intake API may make a minute (intake/services.py rate_wait).
INTAKE_RATE_LIMIT = env.int("INTAKE_RATE_LIMIT", default=60)

# The access log (who opened which student file, document, scan or phone number) keeps this many days.
ACCESS_LOG_DAYS = env.int("ACCESS_LOG_DAYS", default=365 * 3)

CELERY_BEAT_SCHEDULE = {
    # A sweep not started within the minute is dropped: the next one does its work.
    "deadlines-sweep": {"task": "deadlines.sweep", "schedule": 60.0, "options": {"expires": 55}},
    "deadlines-deliver": {"task": "deadlines.deliver", "schedule": 60.0, "options": {"expires": 55}},
    # Each person's morning digest, made within minutes of their campus's opening (deadlines.digest).
    "deadlines-digests": {"task": "deadlines.digests", "schedule": 300.0, "options": {"expires": 290}},
    "sessions-clear": {"task": "accounts.sessions_clear", "schedule": crontab(hour=3, minute=15)},
    "access-log-purge": {"task": "timeline.access_log_purge", "schedule": crontab(hour=3, minute=30)},
    "contract-imports-expire": {"task": "students.contract_imports_expire", "schedule": 300.0},
    "weekend-timetables": {"task": "handover.weekend_timetables_open", "schedule": crontab(hour=7, minute=0)},
    "growth-records": {"task": "followups.growth_records_open", "schedule": crontab(hour=7, minute=5)},
    "renewals": {"task": "followups.renewals_open", "schedule": crontab(hour=7, minute=10)},
    # The company's figures per campus and day (reports.figures): the two months the reports compare
    # by default every hour, the two years a year's report compares every night.
    "report-figures-recent": {
        "task": "reports.figures_refresh",
        "schedule": crontab(minute=20),
        "kwargs": {"days": 62},
        "options": {"expires": 3000},
    },
    "report-figures-year": {
        "task": "reports.figures_refresh",
        "schedule": crontab(hour=2, minute=45),
        "kwargs": {"days": 732},
    },
    # Uploads kept for a form's re-render live a day (config/drafts.py).
    "upload-drafts-clean": {"task": "config.drafts_clean", "schedule": crontab(minute=40)},
    # The exports the worker built live a day (timeline/export_jobs.py).
    "export-jobs-clean": {"task": "timeline.export_jobs_clean", "schedule": crontab(minute=50)},
}
# config is no app for autodiscover_tasks: its tasks' modules are named here.
CELERY_IMPORTS = ["config.drafts", "config.export_worker"]
