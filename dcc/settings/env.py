"""Typed readers for environment variables (the only way settings read the environment)."""

from __future__ import annotations

import os
from urllib.parse import unquote, urlparse

from django.core.exceptions import ImproperlyConfigured


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on", "oui"}:
        return True
    if value.lower() in {"0", "false", "no", "off", "non"}:
        return False
    raise ImproperlyConfigured(f"{name} doit valoir true ou false, pas {value!r}.")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} doit être un nombre entier, pas {value!r}.") from exc


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


# The database of settings read with no DATABASE_URL (`collectstatic` at image build, a script that forgot it):
# importing works, the first query raises a French message saying how to get a database (dcc/unconfigured_db/).
def unconfigured_database() -> dict:
    return {"ENGINE": "dcc.unconfigured_db", "NAME": "", "OPTIONS": {}}


def database_from_url(url: str) -> dict:
    """A Django DATABASES entry from ``postgres://user:password@host:port/name?sslmode=…``."""
    parsed = urlparse(url)
    if parsed.scheme not in {"postgres", "postgresql"}:
        raise ImproperlyConfigured(f"DATABASE_URL doit être une URL postgres://, pas {parsed.scheme!r}.")
    options = dict(part.split("=", 1) for part in parsed.query.split("&") if "=" in part)
    return {
        "ENGINE": "dcc.postgresql",  # Django's, with a cheaper health check (dcc/postgresql/base.py)
        "NAME": unquote(parsed.path.lstrip("/")) or "dcc",
        "USER": unquote(parsed.username or ""),
        "PASSWORD": unquote(parsed.password or ""),
        "HOST": parsed.hostname or "",
        "PORT": str(parsed.port or ""),
        "OPTIONS": options,
    }
