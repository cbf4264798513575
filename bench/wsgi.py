"""WSGI entry point of the load benchmark's server (``gunicorn bench.wsgi``): the DCC plus the minimal view."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

application = get_wsgi_application()
