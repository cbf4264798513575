"""Test settings: the real PostgreSQL and Redis (embedded unless DATABASE_URL / REDIS_URL)."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-insecure-key")
os.environ.setdefault("DCC_SECURE_COOKIES", "false")
os.environ.setdefault("DCC_SSL_REDIRECT", "false")
os.environ.setdefault("DCC_HSTS_SECONDS", "0")
os.environ.setdefault("DCC_CACHE_PREFIX", f"dcc-test-{os.getpid()}")
# The machine's Redis is shared by every xdist worker and Celery worker of a loaded 2-core CI: a call slower than
# production's 250 ms would open the cache's breaker for five seconds and change the pages' query counts. The
# tests of the breaker and the Redis drill set production's timeout themselves.
os.environ.setdefault("DCC_CACHE_SOCKET_TIMEOUT_MS", "3000")

from dcc.settings.base import *  # noqa: F403
from dcc.settings.base import CACHES, DATABASES, STATIC_ROOT, STORAGES

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

# Under pytest-xdist every worker empties the cache between tests (FLUSHDB): each worker gets a Redis database of
# its own (its Celery worker inherits PYTEST_XDIST_WORKER and lands on the same one).
_XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if _XDIST_WORKER.startswith("gw"):
    _base, _, _number = CACHES["default"]["LOCATION"].rstrip("/").rpartition("/")
    if _number.isdigit():
        CACHES["default"]["LOCATION"] = f"{_base}/{(int(_number) + int(_XDIST_WORKER[2:])) % 16}"
