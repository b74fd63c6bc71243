"""Settings for exitprog, read from the environment.

Development defaults are safe on a laptop; with DJANGO_DEBUG=false (the default in Docker)
the strict production settings apply: a real secret key, secure cookies, HSTS and so on.
"""

import os
from pathlib import Path
from typing import Any

import dj_database_url
from celery.schedules import crontab
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from .env import env_bool, env_int, env_list, env_secret, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = env_secret(
    "DJANGO_SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production" if DEBUG else None
)
# The key of the client pseudonym (cases.identity.identity_pseudonym): the national
# statistics recognise one person across municipalities by it. Changing it changes every
# pseudonym, so it is set once per installation and kept like SECRET_KEY.
EXITPROG_PSEUDONYM_KEY = env_secret(
    "EXITPROG_PSEUDONYM_KEY", "dev-only-insecure-pseudonym-key" if DEBUG else None
)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "exitprog.apps.ExitprogAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "guardian",
    "axes",
    "pgtrigger",
    "pghistory",
    "accounts",
    "agencies",
    "cases",
    "records",
    "notifications",
    "reminders",
    "youth",
    "referrals",
    "reports",
    "audit",
    "outbox",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "exitprog.middleware.LanguageMiddleware",
    # Before anything reads request.POST or the headers (the 400 it may send is translated).
    "exitprog.middleware.RequestInputMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Sees the response after every middleware below has done with it.
    "exitprog.middleware.NoStoreMiddleware",
    "audit.middleware.RequestContextMiddleware",
    # The history of changes (exitprog.triggers.tracked) records the request's user and path;
    # changes made outside a request (Celery, commands) carry none: the system made them.
    "pghistory.middleware.HistoryMiddleware",
    "accounts.middleware.PasswordChangeRequiredMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "exitprog.urls"
WSGI_APPLICATION = "exitprog.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dashboard.context_processors.navigation",
                "notifications.context_processors.unread_notifications",
            ],
            # The project's own filters (exitprog is no app of its own: its AppConfig is the
            # admin's): `{% load amounts %}`, `{% load session_timeout %}`.
            "libraries": {
                "amounts": "exitprog.templatetags.amounts",
                "session_timeout": "exitprog.templatetags.session_timeout",
            },
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/exitprog"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
# PostgreSQL's JIT compiled the caseload's statements (planned dear at 50,000 cases, cheap to
# run) on every request, a cost greater than running them: off for the app's connections
# (bench/caseload.py prints what it would cost).
DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Password-reset links go out by e-mail (the admin sends them; it never sets a password).
MAILERS = {
    "default": (
        {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
        if DEBUG
        else {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": env_str("DJANGO_EMAIL_HOST", "localhost"),
                "port": env_int("DJANGO_EMAIL_PORT", 25),
            },
        }
    )
}
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "exitprog@localhost")
# Where the app is reached: the one link a notification e-mail carries points here.
EXITPROG_SITE_URL = env_str("EXITPROG_SITE_URL", "http://localhost:8000")
PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600  # the e-mail says "within a few days"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# django-guardian: no anonymous user object; object permissions live in direct FK tables.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

# django-axes: lock an account/address pair after repeated failed logins.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_VERBOSE = False
# Behind a reverse proxy the client's address is in X-Forwarded-For; trust that many proxies.
AXES_IPWARE_PROXY_COUNT = env_int("DJANGO_TRUSTED_PROXY_COUNT", 0)
if AXES_IPWARE_PROXY_COUNT:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]

LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_ROOT = Path(env_str("DJANGO_MEDIA_ROOT", str(BASE_DIR / ".local" / "media")))
# WhiteNoise serves static files; in development it finds them in the apps directly.
WHITENOISE_USE_FINDERS = DEBUG
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
    # Generated PDF reports (reports/storage.py): a private local folder, REPORT_ROOT, by
    # default; an S3-compatible object store when EXITPROG_REPORT_S3_BUCKET is set, so web
    # and workers need no shared disk.
    "reports": {"BACKEND": "reports.storage.ReportFileStorage"},
}
if os.environ.get("EXITPROG_REPORT_S3_BUCKET"):
    STORAGES["reports"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["EXITPROG_REPORT_S3_BUCKET"],
            # Any S3-compatible service (MinIO, Ceph, a Swedish cloud): its address.
            "endpoint_url": os.environ.get("EXITPROG_REPORT_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("EXITPROG_REPORT_S3_REGION") or None,
            # Unset: boto3's own chain (AWS_* variables, an instance role).
            "access_key": env_secret("EXITPROG_REPORT_S3_ACCESS_KEY", "") or None,
            "secret_key": env_secret("EXITPROG_REPORT_S3_SECRET_KEY", "") or None,
            "location": env_str("EXITPROG_REPORT_S3_PREFIX", "reports"),
            # Private objects, fetched by the app and served through its checked view only.
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": True,
        },
    }

# Sessions end after a period without activity (the expiry moves on every request).
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_TIMEOUT_SECONDS", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# Content-Security-Policy: only the app's own files; no inline scripts or styles anywhere.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 63072000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_MAX_TASKS_PER_CHILD = 100
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
# Every job is an outbox row first (outbox.services): one publish is tried after the commit,
# with these seconds for connecting and for each socket operation and no retry, so a broker
# that is down or hung costs a request well under a second; the relay sends the rest.
OUTBOX_PUBLISH_TIMEOUT = float(env_str("EXITPROG_OUTBOX_PUBLISH_TIMEOUT", "0.3"))
OUTBOX_RELAY_SECONDS = env_int("EXITPROG_OUTBOX_RELAY_SECONDS", 15)
OUTBOX_BATCH = 500
# Every periodic job, in one place (see exitprog/celery.py for what each does).
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    # Every 15 minutes (at :00, :15, :30, :45): end police shares whose consent was revoked or
    # expired, remove their grants and log it (access itself ends at once, see access.policy).
    "sweep-police-shares": {
        "task": "cases.tasks.sweep_police_shares",
        "schedule": crontab(minute="*/15"),
    },
    # On the 1st of every month at 03:00: the case follow-up reports (per each municipality's
    # cadence), the caseload reports and the police summaries of the month just ended. Sent
    # again on the 2nd and 3rd: beat cannot send while Redis is away, and a tick it missed
    # is caught up then (each report is made once however often it runs).
    "make-periodic-reports": {
        "task": "reports.tasks.make_periodic_reports",
        "schedule": crontab(minute="0", hour="3", day_of_month="1-3"),
    },
    # Every minute (EXITPROG_REPORT_SWEEP_SECONDS): send again the renders whose worker is
    # gone (its advisory lock is no longer held) and the retries whose message was lost.
    "resend-stale-reports": {
        "task": "reports.tasks.resend_stale_reports",
        "schedule": float(env_int("EXITPROG_REPORT_SWEEP_SECONDS", 60)),
    },
    # Every OUTBOX_RELAY_SECONDS: send the jobs the broker did not take at their commit.
    "relay-outbox": {
        "task": "outbox.tasks.relay_outbox",
        "schedule": float(OUTBOX_RELAY_SECONDS),
    },
    # Daily at 04:10: forget the outbox messages sent over a week ago.
    "purge-sent-outbox": {
        "task": "outbox.tasks.purge_sent_outbox",
        "schedule": crontab(minute="10", hour="4"),
    },
    # Daily at 06:30, and again at 12:30 (a tick lost while Redis was away is caught up):
    # notify of the tasks due today or overdue. Each task is notified once per due date.
    "notify-tasks-due": {
        "task": "reminders.tasks.notify_tasks_due",
        "schedule": crontab(minute="30", hour="6,12"),
    },
    # Daily at 00:20, 00:40, 06:20 and 06:40 (a tick lost while Redis was away is caught up): a
    # young client's 18th birthday clears the young flag; their caseworkers are notified.
    "notify-clients-turned-adult": {
        "task": "cases.tasks.notify_clients_turned_adult",
        "schedule": crontab(minute="20,40", hour="0,6"),
    },
    # Daily at 06:50 and 12:50: notify the caseworkers of each open case of a young client
    # with no report of concern three days after it opened (once per case).
    "notify-reports-of-concern-missing": {
        "task": "youth.tasks.notify_reports_of_concern_missing",
        "schedule": crontab(minute="50", hour="6,12"),
    },
    # Daily at 06:35 and 12:35: notify the caseworkers of the reviews overdue (once per case
    # and review date).
    "notify-reviews-overdue": {
        "task": "cases.tasks.notify_reviews_overdue",
        "schedule": crontab(minute="35", hour="6,12"),
    },
    # Daily at 06:40 and 12:40: notify of the follow-ups due (once per follow-up and date).
    "notify-follow-ups-due": {
        "task": "cases.tasks.notify_follow_ups_due",
        "schedule": crontab(minute="40", hour="6,12"),
    },
    # Daily at 06:45 and 12:45: notify of the police shares whose consent expires within two
    # weeks (once per share and expiry date).
    "notify-police-shares-expiring": {
        "task": "cases.tasks.notify_police_shares_expiring",
        "schedule": crontab(minute="45", hour="6,12"),
    },
    # Every 10 minutes (at :00, :10, ... :50): queue again the notification e-mails that failed
    # (fewer than NOTIFICATION_EMAIL_ATTEMPTS times) or whose job was lost.
    "resend-notification-emails": {
        "task": "notifications.tasks.resend_notification_emails",
        "schedule": crontab(minute="*/10"),
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
    # django-axes logs every login at INFO, WeasyPrint every rendering step: their warnings
    # are what matters.
    "loggers": {
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Exit-program settings.
EXITPROG_DUE_SOON_DAYS = env_int("EXITPROG_DUE_SOON_DAYS", 14)
# A notification e-mail that failed this many times is tried no more (the admin shows it).
NOTIFICATION_EMAIL_ATTEMPTS = 5

# Generated PDF reports: a private folder under the media volume that web and worker share,
# never served directly (every download goes through a view that checks and logs it).
REPORT_ROOT = Path(env_str("EXITPROG_REPORT_ROOT", str(MEDIA_ROOT / "reports")))
# Seconds before the first retry of a failed render (doubled for each further try).
REPORT_RETRY_SECONDS = env_int("EXITPROG_REPORT_RETRY_SECONDS", 30)
# A report still waiting after this long, or still rendering after the second, is resent.
REPORT_RESEND_AFTER_SECONDS = env_int("EXITPROG_REPORT_RESEND_AFTER_SECONDS", 300)
# A render whose worker is gone (its lock is free) is resent within the minute; one that holds
# its lock this long is taken for hung and resent too.
REPORT_STUCK_AFTER_SECONDS = env_int("EXITPROG_REPORT_STUCK_AFTER_SECONDS", 1800)
# A retry still not started this long after it was due lost its message: it is resent.
REPORT_RETRY_GRACE_SECONDS = env_int("EXITPROG_REPORT_RETRY_GRACE_SECONDS", 60)
REPORT_RESEND_BATCH = 500
