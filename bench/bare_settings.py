"""A bare Django project, ``startproject``'s middleware and one view: the issue's « Django itself » reference.

Served by ``bench/load.py`` with the DCC's gunicorn settings (``bench/bare_gunicorn_conf.py``) in the same run as
the DCC, so the mixed workload's figure can be compared with what Django alone serves on the same machine.
No database: an anonymous request without a cookie touches none.
"""

from django.http import HttpResponse
from django.urls import path

SECRET_KEY = "bench-bare-django-not-a-secret"  # noqa: S105 - a local benchmark server, no data
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
ROOT_URLCONF = "bench.bare_settings"
DATABASES: dict = {}
USE_TZ = True


def minimal(request):
    return HttpResponse("ok")


urlpatterns = [path("bench/minimal/", minimal)]
