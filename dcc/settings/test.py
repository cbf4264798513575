"""Test settings: the real PostgreSQL and Redis (embedded unless DATABASE_URL / REDIS_URL)."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-insecure-key")
os.environ.setdefault("DCC_SECURE_COOKIES", "false")
os.environ.setdefault("DCC_SSL_REDIRECT", "false")
os.environ.setdefault("DCC_HSTS_SECONDS", "0")
os.environ.setdefault("DCC_CACHE_PREFIX", f"dcc-test-{os.getpid()}")

from dcc.settings.base import *  # noqa: F403
from dcc.settings.base import DATABASES, STATIC_ROOT, STORAGES

# Transactional tests reset the database with TRUNCATE: the trail's trigger lets this session do it (and only
# sessions that ask; see dcc/records/migrations/0006_trail_truncate_blocked.py).
DATABASES["default"]["OPTIONS"] = {
    **DATABASES["default"]["OPTIONS"],
    "options": (DATABASES["default"]["OPTIONS"].get("options", "") + " -c dcc.allow_trail_truncate=on").strip(),
}

# Fast hashing in tests; production uses Argon2.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
CELERY_TASK_ALWAYS_EAGER = False
# Seeding the demo in tests files only the FRCP its PPS need (each document takes about a second).
DCC_DEMO_FICHE_DOCUMENTS = 0

# Serve static files from the finders (no collectstatic needed) and keep whitenoise's root present
# on a fresh clone, where `.data/staticfiles` does not exist yet.
WHITENOISE_USE_FINDERS = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
