import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from dcc.settings.env import database_from_url, env_bool, env_int


def production_environment() -> dict:
    db = settings.DATABASES["default"]
    return {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "dcc.settings.base",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "dcc.example.fr",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
    }


def test_check_deploy_is_clean_with_production_variables():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=production_environment(),
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = production_environment()
    del env["DJANGO_SECRET_KEY"]
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], env=env, capture_output=True, text=True, cwd=settings.BASE_DIR
    )

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY est obligatoire" in result.stderr


def test_production_defaults_are_safe():
    env = production_environment()
    code = (
        "from django.conf import settings as s;"
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT,"
        " s.SECURE_HSTS_SECONDS > 0, s.LANGUAGE_CODE, s.TIME_ZONE)"
    )
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env=env, capture_output=True, text=True, cwd=settings.BASE_DIR,
    )  # fmt: skip

    assert result.stdout.split() == ["False", "True", "True", "True", "True", "fr-fr", "Europe/Paris"]


def test_database_url_parsing():
    config = database_from_url("postgres://dcc:s%40cret@db.example:6543/dcc_prod?sslmode=require")

    assert config["NAME"] == "dcc_prod"
    assert config["USER"] == "dcc"
    assert config["PASSWORD"] == "s@cret"
    assert config["HOST"] == "db.example"
    assert config["PORT"] == "6543"
    assert config["OPTIONS"] == {"sslmode": "require"}


def test_a_sqlite_url_is_refused():
    with pytest.raises(ImproperlyConfigured, match="postgres://"):
        database_from_url("sqlite:///db.sqlite3")


def test_malformed_environment_values_get_french_messages(monkeypatch):
    monkeypatch.setenv("DCC_FLAG", "peut-être")
    monkeypatch.setenv("DCC_NUMBER", "trente")

    with pytest.raises(ImproperlyConfigured, match="doit valoir true ou false"):
        env_bool("DCC_FLAG")
    with pytest.raises(ImproperlyConfigured, match="doit être un nombre entier"):
        env_int("DCC_NUMBER", 30)


def test_security_headers_are_sent(client, db):
    response = client.get("/compte/login/")

    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
