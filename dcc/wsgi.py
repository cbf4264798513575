"""WSGI entry point (gunicorn dcc.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dcc.settings.base")

application = get_wsgi_application()
