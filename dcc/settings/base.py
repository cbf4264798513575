"""Production-safe settings read from the environment. See .env.example for every variable."""

from __future__ import annotations

from pathlib import Path

from celery.schedules import crontab

from dcc.settings.env import database_from_url, env_bool, env_int, env_list, env_str, unconfigured_database

BASE_DIR = Path(__file__).resolve().parent.parent.parent

# Reading the settings starts nothing. With no DATABASE_URL / REDIS_URL the entry points that need the servers
# (`make run`, `python manage.py …`, the pytest bootstrap: see dcc/embedded.py) start the embedded ones and fill
# the variables before the settings are read; anything else gets a database that refuses with a clear message.
DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = env_str("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("DCC_SITE_URL", "http://localhost:8000")
DCC_REGION_NAME = env_str("DCC_REGION_NAME", "Nouvelle-Aquitaine")

INSTALLED_APPS = [
    "dcc.admin_site.DccAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_htmx",
    "dcc.accounts",
    "dcc.directory",
    "dcc.records",
    "dcc.dashboards",
    "identity",
    "rcp",
    "pps",
    "interop",
    "interop.hl7",
    "interop.outbox",
    "interop.launch",
    "interop.imaging",
    "rcp.gp",
    "interop.deliverability",
    "interop.mss",
]

# One field template and Bootstrap widgets for every form: see dcc/form_rendering.py.
FORM_RENDERER = "dcc.form_rendering.DccFormRenderer"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "dcc.accounts.cache_prefetch.CachePrefetchMiddleware",  # one Redis read for the session and the rights
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "dcc.urls"
WSGI_APPLICATION = "dcc.wsgi.application"

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
                "dcc.accounts.context_processors.navigation",
            ],
        },
    }
]

_database_url = env_str("DATABASE_URL")  # not a setting: the debug page would show its password
DATABASES = {"default": database_from_url(_database_url) if _database_url else unconfigured_database()}
DATABASES["default"]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL")


def _next_redis_database(url: str) -> str:
    """The cache lives in the Redis database after the broker's, so clearing it never drops tasks."""
    base, _, number = url.rstrip("/").rpartition("/")
    return f"{base}/{int(number) + 1}" if number.isdigit() else f"{url.rstrip('/')}/1"


CACHES = {
    "default": {
        # An optimisation only: short socket timeouts, then a miss (the database answers) while Redis is away.
        "BACKEND": "dcc.cache.ResilientRedisCache",
        "LOCATION": env_str("DCC_CACHE_URL") or (_next_redis_database(REDIS_URL) if REDIS_URL else ""),
        "KEY_PREFIX": env_str("DCC_CACHE_PREFIX", "dcc"),
        "TIMEOUT": 300,
        "OPTIONS": {
            "SOCKET_TIMEOUT": env_int("DCC_CACHE_SOCKET_TIMEOUT_MS", 250) / 1000,
            "RETRY_SECONDS": env_int("DCC_CACHE_RETRY_SECONDS", 5),
        },
    }
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "account_login"

# django-allauth: accounts are created by administrators, people log in by e-mail.
ACCOUNT_ADAPTER = "dcc.accounts.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PREVENT_ENUMERATION = True
# Failed logins are limited by dcc.accounts.lockout (database: per account, and much higher per address);
# hundreds of hospital users share one NAT address, so the per-address login rate is generous too.
ACCOUNT_RATE_LIMITS = {"login_failed": None, "login": f"{env_int('DCC_LOGIN_ADDRESS_PER_MINUTE', 600)}/m/ip"}
DCC_LOGIN_ACCOUNT_FAILURES = env_int("DCC_LOGIN_ACCOUNT_FAILURES", 5)
DCC_LOGIN_ACCOUNT_LOCK_MINUTES = env_int("DCC_LOGIN_ACCOUNT_LOCK_MINUTES", 15)
DCC_LOGIN_ADDRESS_FAILURES = env_int("DCC_LOGIN_ADDRESS_FAILURES", 100)
DCC_LOGIN_ADDRESS_WINDOW_MINUTES = env_int("DCC_LOGIN_ADDRESS_WINDOW_MINUTES", 5)
# Failed logins are kept this long for an investigation (the trail keeps them too), then purged nightly.
DCC_LOGIN_FAILURE_RETENTION_DAYS = env_int("DCC_LOGIN_FAILURE_RETENTION_DAYS", 90)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "DCC " + DCC_REGION_NAME

SESSION_COOKIE_AGE = env_int("DCC_SESSION_IDLE_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("DCC_SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

SECURE_SSL_REDIRECT = env_bool("DCC_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("DCC_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("DCC_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

from django.utils.csp import CSP  # noqa: E402

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

LANGUAGE_CODE = "fr-fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / ".data" / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/chartjs", BASE_DIR / "node_modules" / "chart.js" / "dist"),
]
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": env_str("DCC_MEDIA_ROOT", str(BASE_DIR / ".data" / "media"))},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_URL = "/media/"

# Outgoing e-mail (notices, account warnings). MSSanté has its own transport in interop/mss.
_EMAIL_BACKEND = env_str("DCC_EMAIL_BACKEND", "smtp")
MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.console.EmailBackend"
        if _EMAIL_BACKEND == "console"
        else "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {}
        if _EMAIL_BACKEND == "console"
        else {
            "host": env_str("EMAIL_HOST", "localhost"),
            "port": env_int("EMAIL_PORT", 25),
            "username": env_str("EMAIL_HOST_USER"),
            "password": env_str("EMAIL_HOST_PASSWORD"),
            "use_tls": env_bool("EMAIL_USE_TLS", False),
            "timeout": env_int("EMAIL_TIMEOUT", 20),
        },
    }
}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "DCC <ne-pas-repondre@dcc.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
ADMINS = [("Administrateurs DCC", email) for email in env_list("DCC_ADMIN_EMAILS")]

# Celery: JSON only, tasks acknowledged after they ran (they are idempotent), results in Redis.
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BEAT_SCHEDULE = {
    "cleanup-sessions": {"task": "dcc.tasks.clear_expired_sessions", "schedule": crontab(hour=3, minute=17)},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("DCC_LOG_LEVEL", "INFO")},
    # WeasyPrint logs every rendering step at INFO (seven lines a PDF): only its warnings are worth reading.
    "loggers": {"django.db.backends": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"}},
}

if not SECRET_KEY:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY est obligatoire en production (ou utilisez DJANGO_SETTINGS_MODULE=dcc.settings.dev)."
    )

# --- identity ---
# INSi teleservice. Empty URL: INSi calls are refused with a message; `make run` starts the local
# stand-in (identity/insi/standin.py) and points DCC_INSI_URL to it. Production: the real service
# URL, the organisation certificate and key (TLS client authentication) and the CA bundle.
INSI_URL = env_str("DCC_INSI_URL", "")
INSI_CERT_FILE = env_str("DCC_INSI_CERT_FILE", "")
INSI_KEY_FILE = env_str("DCC_INSI_KEY_FILE", "")
INSI_CA_BUNDLE = env_str("DCC_INSI_CA_BUNDLE", "")
INSI_TIMEOUT = env_int("DCC_INSI_TIMEOUT", 10)
INSI_EMITTER = env_str("DCC_INSI_EMITTER", "DCC")
INSI_IDAM = env_str("DCC_INSI_IDAM", "DCC-IDAM-DEMO")
INSI_LPS_VERSION = env_str("DCC_INSI_LPS_VERSION", "1.0")
INSI_INSTANCE = env_str("DCC_INSI_INSTANCE", "dcc-demo")
INSI_STANDIN_PORT = env_int("DCC_INSI_STANDIN_PORT", 8089)
# --- rcp ---
# Sessions of the coming months are generated from the recurrences every night (idempotent).
CELERY_BEAT_SCHEDULE["rcp-generate-sessions"] = {
    "task": "rcp.tasks.generate_sessions",
    "schedule": crontab(hour=2, minute=41),
}
# --- rights (accounts, records) ---
AUTHENTICATION_BACKENDS = [
    "dcc.accounts.backends.DccModelBackend",
    "dcc.accounts.backends.DccAuthenticationBackend",
]
MIDDLEWARE += ["dcc.accounts.middleware.SecurityMiddleware"]  # after authentication and allauth
# Refusals (403, 404 on a real route, 429 at login) traced, coalesced: one line per refusal and window,
# at most DCC_TRAIL_REFUSAL_MAX_LINES per person or address and window.
MIDDLEWARE += ["dcc.records.refusals.RefusalTrailMiddleware"]
# Permissions-Policy on every response, Cache-Control: no-store on logged-in pages (outermost: sees them all).
MIDDLEWARE.insert(0, "dcc.headers.HeadersMiddleware")
DCC_TEXT_MAX_LENGTH = env_int("DCC_TEXT_MAX_LENGTH", 10_000)  # free text of forms (dcc/bounds.py)
DCC_TRAIL_REFUSAL_WINDOW_SECONDS = env_int("DCC_TRAIL_REFUSAL_WINDOW_SECONDS", 300)
DCC_TRAIL_REFUSAL_MAX_LINES = env_int("DCC_TRAIL_REFUSAL_MAX_LINES", 30)
AUTH_PASSWORD_VALIDATORS += [{"NAME": "dcc.accounts.validators.CharacterClassesValidator"}]
# Absolute session lifetime, whatever the activity (the idle expiry is DCC_SESSION_IDLE_MINUTES).
DCC_SESSION_MAX_HOURS = env_int("DCC_SESSION_MAX_HOURS", 10)
# One-time codes mandatory for the profiles that read patient records, after a grace period at first login.
DCC_MFA_REQUIRED = env_bool("DCC_MFA_REQUIRED", True)
DCC_MFA_GRACE_DAYS = env_int("DCC_MFA_GRACE_DAYS", 7)
DCC_BREAK_GLASS_HOURS = env_int("DCC_BREAK_GLASS_HOURS", 4)
DCC_IMPERSONATION_MINUTES = env_int("DCC_IMPERSONATION_MINUTES", 60)
DCC_ACCOUNT_UNUSED_DAYS = env_int("DCC_ACCOUNT_UNUSED_DAYS", 180)
DCC_ACCOUNT_WARNING_DAYS = env_int("DCC_ACCOUNT_WARNING_DAYS", 14)
CELERY_BEAT_SCHEDULE["accounts-unused"] = {
    "task": "accounts.deactivate_unused_accounts",
    "schedule": crontab(hour=2, minute=41),
}
CELERY_BEAT_SCHEDULE["accounts-purge-login-failures"] = {
    "task": "accounts.purge_login_failures",
    "schedule": crontab(hour=2, minute=53),
}
# Pro Santé Connect (OpenID Connect). Issuer: https://auth.esw.esante.gouv.fr/auth/realms/esante-wallet (BAS:
# https://auth.bas.psc.esante.gouv.fr/auth/realms/esante-wallet); credentials from the ANS "Portail industriels".
DCC_PSC_ENABLED = env_bool("DCC_PSC_ENABLED", False)
DCC_PSC_ISSUER = env_str("DCC_PSC_ISSUER", "https://auth.esw.esante.gouv.fr/auth/realms/esante-wallet")
DCC_PSC_CLIENT_ID = env_str("DCC_PSC_CLIENT_ID")
DCC_PSC_CLIENT_SECRET = env_str("DCC_PSC_CLIENT_SECRET")
DCC_PSC_REDIRECT_URI = env_str("DCC_PSC_REDIRECT_URI")  # default: built from the request
DCC_PSC_STATE_MAX_SECONDS = env_int("DCC_PSC_STATE_MAX_SECONDS", 600)
if DCC_PSC_ENABLED:  # logging out (a form) redirects to PSC's end-session endpoint
    from urllib.parse import urlsplit as _urlsplit

    _psc = _urlsplit(DCC_PSC_ISSUER)
    SECURE_CSP["form-action"] = [*SECURE_CSP["form-action"], f"{_psc.scheme}://{_psc.netloc}"]

# --- documents ---
# Producers of the record's documents, by source type ("app_label.model"): modules offering
# source_info(source_id) and produce(source_id, chain) (see interop/filing.py).
# Home page work lists (dcc.accounts.work): one provider per app, called with (user, main profile).
DCC_WORK_LISTS = ("rcp.work.work_lists", "pps.work.work_lists")
DCC_DOCUMENT_PRODUCERS = {
    "pps.pps": "pps.documents",
    "pps.ppac": "pps.ppac_documents",
    "rcp.ficheversion": "rcp.documents",
    "rcp.concertation": "rcp.concertation_documents",
}
# A generation still pending after this many seconds is queued again by beat (broker down when it was asked).
DCC_GENERATION_REQUEUE_SECONDS = env_int("DCC_GENERATION_REQUEUE_SECONDS", 120)
CELERY_BEAT_SCHEDULE["interop-requeue-pending-generations"] = {
    "task": "interop.requeue_pending_generations",
    "schedule": 60.0,
}
# The worker's heartbeat (dcc/worker_status.py): written by the worker taking this beat task from the documents
# queue; pages waiting for a document say the service does not answer when it is older than the STALE delay.
DCC_WORKER_HEARTBEAT_SECONDS = env_int("DCC_WORKER_HEARTBEAT_SECONDS", 30)
DCC_WORKER_HEARTBEAT_STALE_SECONDS = env_int("DCC_WORKER_HEARTBEAT_STALE_SECONDS", 90)
CELERY_BEAT_SCHEDULE["worker-heartbeat"] = {
    "task": "dcc.tasks.worker_heartbeat",
    "schedule": float(DCC_WORKER_HEARTBEAT_SECONDS),
    "options": {"expires": float(DCC_WORKER_HEARTBEAT_SECONDS)},
}
# Publishing never hangs a request: short broker socket timeouts. An unacknowledged task (worker killed) is
# delivered again after the visibility timeout (tasks are acknowledged late and idempotent).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_timeout": 5,
    "socket_connect_timeout": 2,
    # Publishing connects once more at most (the worker's own reconnection follows broker_connection_retry).
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
    "visibility_timeout": env_int("DCC_CELERY_VISIBILITY_TIMEOUT", 1800),
}
# Demo seed: how many recent validated fiches get their FRCP during the seed (the others go to the worker).
DCC_DEMO_FICHE_DOCUMENTS = env_int("DCC_DEMO_FICHE_DOCUMENTS", 40)
# Uploads: files above this size are refused before being read (Django spools big uploads to disk).
DCC_DOCUMENT_MAX_UPLOAD_BYTES = env_int("DCC_DOCUMENT_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)

# --- CDA identifier roots ---
# The region's OID branch for the identifiers the DCC issues in CDA headers. Defaults: the roots of the
# official ANS FRCP examples; a production region sets its own.
DCC_OID_RRC_ROOT = env_str("DCC_OID_RRC_ROOT", "1.2.250.1.161.1.20.1.1")
DCC_OID_GESTIONNAIRE_RCP_ROOT = env_str("DCC_OID_GESTIONNAIRE_RCP_ROOT", "1.2.250.1.161.1.20.2.1")
DCC_OID_RCP_ROOT = env_str("DCC_OID_RCP_ROOT", "1.2.250.1.161.1.20.3.1")
DCC_OID_SESSION_ROOT = env_str("DCC_OID_SESSION_ROOT", "1.2.250.1.213.1.1.9")
# The DCC's own patient number (a local identifier of the DCC's system), for a CDA whose patient has neither a
# qualified INS nor an IPP of an establishment with an OID (interop.model_inputs.patient_identity).
DCC_OID_PATIENT_ROOT = env_str("DCC_OID_PATIENT_ROOT", "1.2.250.1.161.1.20.4.1")
# The regional cancer network's acronym: identifier under DCC_OID_RRC_ROOT and first part of the FRCP's RCP label.
DCC_RRC_ACRONYM = env_str("DCC_RRC_ACRONYM", "ONCONA")

# HL7 v2 over MLLP (interop/hl7): the listener `python -m interop.hl7.listener` (started by `make run`).
DCC_MLLP_HOST = env_str("DCC_MLLP_HOST", "127.0.0.1")
DCC_MLLP_PORT = env_int("DCC_MLLP_PORT", 2575)
DCC_MLLP_MAX_BYTES = env_int("DCC_MLLP_MAX_BYTES", 16 * 1024 * 1024)
DCC_MLLP_WORKERS = env_int("DCC_MLLP_WORKERS", 4)
DCC_MLLP_PROCESSES = env_int("DCC_MLLP_PROCESSES", 1)
DCC_MLLP_IDLE_TIMEOUT = env_int("DCC_MLLP_IDLE_TIMEOUT", 120)
DCC_MLLP_TLS_CERT = env_str("DCC_MLLP_TLS_CERT", "")
DCC_MLLP_TLS_KEY = env_str("DCC_MLLP_TLS_KEY", "")
DCC_MLLP_TLS_CLIENT_CA = env_str("DCC_MLLP_TLS_CLIENT_CA", "")
DCC_MLLP_SEND_TIMEOUT = env_int("DCC_MLLP_SEND_TIMEOUT", 30)
# make run: the demo's test receiver (python -m interop.hl7.demo_receiver), to which seed_demo subscribes the CHU.
DCC_HL7_DEMO_RECEIVER_PORT = env_int("DCC_HL7_DEMO_RECEIVER_PORT", 2576)
# --- outbox (interop/outbox) ---
# Channels are data: name → module exposing deliver(message) (see interop/outbox/channels.py).
DCC_OUTBOX_CHANNELS = {"mss": "interop.mss.channel", "hl7": "interop.hl7.channel"}
# Seconds before attempt n+1 after n transient failures (the last value repeats), and when to give up.
DCC_OUTBOX_RETRY_DELAYS = [
    int(d) for d in env_list("DCC_OUTBOX_RETRY_DELAYS", ["30", "60", "300", "900", "1800", "3600"])
]
DCC_OUTBOX_MAX_ATTEMPTS = env_int("DCC_OUTBOX_MAX_ATTEMPTS", 12)
# A row left "envoi en cours" longer than this (worker crash) is taken again, after checking it did not leave.
DCC_OUTBOX_SENDING_LEASE_SECONDS = env_int("DCC_OUTBOX_SENDING_LEASE_SECONDS", 300)
# The beat task re-queues rows due for longer than this and never picked up.
DCC_OUTBOX_REQUEUE_GRACE_SECONDS = env_int("DCC_OUTBOX_REQUEUE_GRACE_SECONDS", 60)
# A row re-queued and still untried is queued again only after this long (the broker may have lost the task).
DCC_OUTBOX_REQUEUE_AGAIN_SECONDS = env_int("DCC_OUTBOX_REQUEUE_AGAIN_SECONDS", 900)
DCC_OUTBOX_MESSAGE_ID_DOMAIN = env_str("DCC_OUTBOX_MESSAGE_ID_DOMAIN", "dcc.localhost")
CELERY_BEAT_SCHEDULE["outbox-requeue"] = {"task": "outbox.requeue", "schedule": 60.0}
# --- interop: contextual launch (docs/launch.md) and imaging (docs/imaging.md) ---
DCC_LAUNCH_AUDIENCE = env_str("DCC_LAUNCH_AUDIENCE", "urn:dcc:appel-contextuel")
DCC_LAUNCH_MAX_LIFETIME_SECONDS = 60
# Accepted launches (nonce, who, which patient, outcome) are kept this long, then purged nightly: a nonce only
# matters while its token lives (one minute); the access trail keeps the accesses themselves.
DCC_LAUNCH_RETENTION_DAYS = env_int("DCC_LAUNCH_RETENTION_DAYS", 365)
CELERY_BEAT_SCHEDULE["launch-purge"] = {"task": "launch.purge_launches", "schedule": crontab(hour=3, minute=7)}
DCC_LAUNCH_CLOCK_SKEW_SECONDS = env_int("DCC_LAUNCH_CLOCK_SKEW_SECONDS", 5)
DCC_LAUNCH_TARGETS = {"patient": "identity:detail", "demande_avis": "rcp:dossier_new"}
DCC_IMAGING_TIMEOUT_SECONDS = env_int("DCC_IMAGING_TIMEOUT_SECONDS", 2)
DCC_IMAGING_CACHE_SECONDS = env_int("DCC_IMAGING_CACHE_SECONDS", 120)
DCC_IMAGING_CALLING_AE = env_str("DCC_IMAGING_CALLING_AE", "DCC")
DCC_IMAGING_STANDIN_PORT = env_int("DCC_IMAGING_STANDIN_PORT", 11112)
# make run: the stand-in's HTTP port (QIDO-RS and the demo viewer page the demo PACS's viewer links open).
DCC_IMAGING_STANDIN_WEB_PORT = env_int("DCC_IMAGING_STANDIN_WEB_PORT", 8043)
DCC_IMAGING_STANDIN_STUDIES = env_str(
    "DCC_IMAGING_STANDIN_STUDIES", str(BASE_DIR / ".data" / "imaging" / "standin-studies.json")
)
# Dashboards (dcc/dashboards, docs/dashboards.md): optional figure providers of the apps that register them,
# section → dotted path of a callable taking the dashboards' keyword filters. "notifications": GP notices and
# MSSanté deliverability. The registry export's pseudonyms are keyed with DCC_REGISTRY_PSEUDONYM_KEY (derived from
# the secret key when empty; set it to keep pseudonyms stable across a key rotation).
DCC_DASHBOARD_PROVIDERS: dict[str, str] = {}
DCC_EXPORT_SYNC_MAX_ROWS = env_int("DCC_EXPORT_SYNC_MAX_ROWS", 5000)
# GP loop (rcp.gp): the largest file a notified GP may attach to his contribution to the RCP.
DCC_GP_CONTRIBUTION_MAX_BYTES = env_int("DCC_GP_CONTRIBUTION_MAX_BYTES", 10 * 1024 * 1024)

# --- MSSanté (interop/mss) ---
# SMTP submission (STARTTLS) and IMAP (STARTTLS) of the DCC's application mailbox, authenticated by its
# client certificate (IGC-Santé "Organisation" in production). Empty host: sends wait in "échec temporaire".
# `make run` starts the local operator (python -m interop.mss.operator) and points these to it.
DCC_MSS_SMTP_HOST = env_str("DCC_MSS_SMTP_HOST", "")
DCC_MSS_SMTP_PORT = env_int("DCC_MSS_SMTP_PORT", 587)
DCC_MSS_IMAP_HOST = env_str("DCC_MSS_IMAP_HOST", "")
DCC_MSS_IMAP_PORT = env_int("DCC_MSS_IMAP_PORT", 143)
DCC_MSS_ADDRESS = env_str("DCC_MSS_ADDRESS", "")  # the DCC's application mailbox (sender, DSN/MDN inbox)
DCC_MSS_SENDER_NAME = env_str("DCC_MSS_SENDER_NAME", "DCC régional")
DCC_MSS_USERNAME = env_str("DCC_MSS_USERNAME", "")  # IMAP login (default: the address)
DCC_MSS_PASSWORD = env_str("DCC_MSS_PASSWORD", "")
DCC_MSS_CERT_FILE = env_str("DCC_MSS_CERT_FILE", "")
DCC_MSS_KEY_FILE = env_str("DCC_MSS_KEY_FILE", "")
DCC_MSS_CA_BUNDLE = env_str("DCC_MSS_CA_BUNDLE", "")
DCC_MSS_TIMEOUT = env_int("DCC_MSS_TIMEOUT", 30)
# X-MSS-NIL: the product's reference at convergence.esante.gouv.fr, on every message.
DCC_MSS_NIL = env_str("DCC_MSS_NIL", "DCC-REGIONAL-DEMO")
# Ask for a read acknowledgement (MDN, Disposition-Notification-To) on every message.
DCC_MSS_REQUEST_MDN = env_bool("DCC_MSS_REQUEST_MDN", True)
# Documents whose message would exceed this size are refused in French before sending.
DCC_MSS_MAX_MESSAGE_BYTES = env_int("DCC_MSS_MAX_MESSAGE_BYTES", 10 * 1024 * 1024)
DCC_MSS_SOURCE_OID = env_str("DCC_MSS_SOURCE_OID", "1.2.250.1.213.1.1.9.99")  # XDS sourceId of the DCC
DCC_MSS_PATIENT_DOMAIN = env_str("DCC_MSS_PATIENT_DOMAIN", "patient.mssante.fr")
# Copy every send to the DCC's own mailbox (envelope only): proves, after a crash, that a send went out.
DCC_MSS_SELF_COPY = env_bool("DCC_MSS_SELF_COPY", True)
DCC_MSS_POLL_SECONDS = env_int("DCC_MSS_POLL_SECONDS", 30)
CELERY_BEAT_SCHEDULE["mss-poll"] = {"task": "mss.poll", "schedule": float(DCC_MSS_POLL_SECONDS)}
# Who takes part in a document's source, by source type (module offering parties(source_id)): the recipient
# rules of interop/mss read it without importing the apps above interop.
DCC_DOCUMENT_PARTIES = {
    "rcp.ficheversion": "rcp.diffusion",
    "pps.pps": "pps.diffusion",
    "pps.ppac": "pps.diffusion",
}
DCC_REGISTRY_PSEUDONYM_KEY = env_str("DCC_REGISTRY_PSEUDONYM_KEY", "")
CELERY_BEAT_SCHEDULE["dashboards-refresh-summaries"] = {
    "task": "dashboards.refresh_summaries",
    "schedule": crontab(minute=23),
}
# The RCP summary table (dcc/dashboards/summary.py): incremental every five minutes (and after the writes), rebuilt
# nightly.
CELERY_BEAT_SCHEDULE["dashboards-refresh-facts"] = {"task": "dashboards.refresh_facts", "schedule": 300.0}
CELERY_BEAT_SCHEDULE["dashboards-rebuild-facts"] = {
    "task": "dashboards.refresh_facts",
    "schedule": crontab(hour=2, minute=41),
    "kwargs": {"full": True},
}
# --- throughput (issue 17) ---
# Sessions read from Redis, durable in PostgreSQL, written there at most once a minute when unchanged
# (dcc/accounts/session_store.py): the idle expiry no longer costs a database UPDATE on every request.
SESSION_ENGINE = env_str("DCC_SESSION_ENGINE", "dcc.accounts.session_store")
DCC_SESSION_DB_REFRESH_SECONDS = env_int("DCC_SESSION_DB_REFRESH_SECONDS", 60)
DCC_SESSION_CACHE_REFRESH_SECONDS = env_int("DCC_SESSION_CACHE_REFRESH_SECONDS", 30)
# Per-request memo of access answers (dcc/records/request_memo.py).
MIDDLEWARE += ["dcc.records.request_memo.RequestMemoMiddleware"]

# Stored documents: the local filesystem (embedded default) or an S3-compatible object store (MinIO in
# docker-compose.yml, any S3 service). Both are declared when configured, so `manage.py storage_migrate`
# can copy the files from one to the other (SHA-256 checked) before DCC_STORAGE_BACKEND is switched.
DCC_STORAGE_BACKEND = env_str("DCC_STORAGE_BACKEND", "local")
STORAGES["local"] = dict(STORAGES["default"])
if env_str("DCC_S3_BUCKET"):
    STORAGES["s3"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("DCC_S3_BUCKET"),
            "endpoint_url": env_str("DCC_S3_ENDPOINT_URL") or None,
            "access_key": env_str("DCC_S3_ACCESS_KEY") or None,
            "secret_key": env_str("DCC_S3_SECRET_KEY") or None,
            "region_name": env_str("DCC_S3_REGION", "us-east-1"),
            "addressing_style": "path",
            "signature_version": "s3v4",
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
if DCC_STORAGE_BACKEND not in STORAGES or DCC_STORAGE_BACKEND == "staticfiles":
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        f"DCC_STORAGE_BACKEND={DCC_STORAGE_BACKEND!r} : choisissez local, ou s3 avec DCC_S3_BUCKET renseigné."
    )
STORAGES["default"] = STORAGES[DCC_STORAGE_BACKEND]

# Celery queues per kind of work, so a burst of exports never delays a fiche's document (docker-compose.yml runs
# `worker` on celery,documents,sends,interop and `worker-exports` on exports; `make run`'s worker takes them all).
# Patterns are matched in order; a task without a route goes to the default queue "celery" (housekeeping).
DCC_CELERY_QUEUES = ("celery", "documents", "sends", "interop", "exports")
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES = {
    "interop.generate_document": {"queue": "documents"},
    "dcc.tasks.worker_heartbeat": {"queue": "documents"},
    "*export*": {"queue": "exports"},
    "dashboards.refresh_*": {"queue": "exports"},
    "outbox.*": {"queue": "interop"},
    "interop.*": {"queue": "interop"},
    "identity.*": {"queue": "interop"},
    "*.send_*": {"queue": "sends"},
}
# Parameters bound by the server and statements prepared on their second run on a connection: a page's
# queries are planned once per connection instead of once per request (planning the dossier page's
# 13-join query cost 5 ms of its 6; see docs/platform.md).
DATABASES["default"]["OPTIONS"]["server_side_binding"] = True
DATABASES["default"]["OPTIONS"]["prepare_threshold"] = env_int("DCC_DB_PREPARE_THRESHOLD", 2)
# How many prepared statements a connection keeps (psycopg's default, 100, is fewer than the pages run).
DCC_DB_PREPARED_MAX = env_int("DCC_DB_PREPARED_MAX", 500)
# Behind PgBouncer in transaction mode: no server-side cursors, no prepared statements kept across transactions.
if env_bool("DCC_DB_PGBOUNCER", False):
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    DATABASES["default"]["OPTIONS"]["prepare_threshold"] = None
