"""Developer settings: DEBUG on, plain HTTP on localhost, e-mails printed to the console."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "dev-insecure-key-never-in-production")
os.environ.setdefault("DCC_SECURE_COOKIES", "false")
os.environ.setdefault("DCC_SSL_REDIRECT", "false")
os.environ.setdefault("DCC_HSTS_SECONDS", "0")
os.environ.setdefault("DJANGO_DEBUG", "true")
os.environ.setdefault("DCC_EMAIL_BACKEND", "console")

from dcc.settings.base import *  # noqa: F403
from dcc.settings.base import STATIC_ROOT

# Serve static files from the finders (no collectstatic needed) and keep whitenoise's root present
# on a fresh clone, where `.data/staticfiles` does not exist yet.
WHITENOISE_USE_FINDERS = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
