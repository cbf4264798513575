"""`make run`: production behaviour (DEBUG off, French error pages) over plain HTTP on localhost."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "demo-insecure-key-local-only")
os.environ.setdefault("DCC_SECURE_COOKIES", "false")
os.environ.setdefault("DCC_SSL_REDIRECT", "false")
os.environ.setdefault("DCC_HSTS_SECONDS", "0")
os.environ.setdefault("DCC_EMAIL_BACKEND", "console")

from dcc.settings.base import *  # noqa: F403
