"""Assertions shared by the view tests."""

from __future__ import annotations

from collections.abc import Iterable

from django.test import Client

from tests.personas import PERSONA_NAMES, Personas


def status_for(client: Client, user, url: str, method: str = "get", data=None) -> int:
    client.logout()
    if user is not None:
        client.force_login(user)
    response = getattr(client, method)(url, data or {})
    return response.status_code


def assert_access(
    client: Client,
    personas: Personas,
    url: str,
    *,
    allowed: Iterable[str],
    method: str = "get",
    data=None,
    ok_status: int = 200,
) -> None:
    """Every persona in ``allowed`` gets ``ok_status``; every other one is refused.

    Refused means: anonymous → redirected to the login page (302); logged in → 403.
    """
    allowed = set(allowed)
    unknown = allowed - set(PERSONA_NAMES)
    assert not unknown, f"unknown personas: {unknown}"
    failures = []
    for name in PERSONA_NAMES:
        status = status_for(client, personas[name], url, method, data)
        expected = ok_status if name in allowed else (302 if name == "anonymous" else 403)
        if status != expected:
            failures.append(f"{name}: {status} (attendu {expected})")
    assert not failures, f"{url}: " + ", ".join(failures)
