"""Drill: the cache's Redis stalls (SIGSTOP) for 20 s while people save fiches, log in and read pages.

Finding 1 of issue 16: the terms-of-use and rights checks read the cache on every request, with no timeout,
so a stalled Redis made every logged-in page a 500 (or hang). The cache is an optimisation: pages must keep
working from the database, nothing may be half-written, and the cache must serve again soon after SIGCONT.
"""

from __future__ import annotations

import logging
import time

import pytest
from django.core.cache import cache
from django.urls import reverse

from dcc.records.models import AccessTrail
from rcp.models import Fiche
from tests.identity.factories import PatientFactory
from tests.platform.own_services import own_redis, paused
from tests.rcp.conftest import rcp_reference_data, world  # noqa: F401
from tests.rcp.factories import register_dossier

pytestmark = [pytest.mark.django_db, pytest.mark.integration, pytest.mark.timeout(180)]

STALL_SECONDS = 20
# Longest acceptable answer while Redis is stalled (the socket timeout is 0.25 s, then the breaker skips Redis).
SLOW_REQUEST_SECONDS = 3.0


@pytest.fixture
def stalling_cache(settings):
    with own_redis() as (url, process):
        settings.CACHES = {
            "default": {
                **settings.CACHES["default"],
                "LOCATION": f"{url}/0",
                "KEY_PREFIX": "drill",
                "OPTIONS": {"SOCKET_TIMEOUT": 0.25, "RETRY_SECONDS": 5},  # production's, not the tests' longer one
            },
        }
        yield process


def _save(client, dossier, summary: str):
    fiche = Fiche.objects.get(pk=dossier.fiche.pk)
    return client.post(
        reverse("rcp:fiche", args=[dossier.pk]),
        {"revision": fiche.revision, "case_summary": summary, "nature": "ORG-117"},
    )


def test_pages_saves_and_logins_survive_a_stalled_cache(client, personas, world, stalling_cache, caplog):  # noqa: F811
    doctor = personas["doctor"]
    doctor.set_password("Un-mot-de-passe-2026!")
    doctor.save()
    dossier = register_dossier(world["session"], doctor, patient=PatientFactory())
    client.force_login(doctor)
    pages = [reverse("home"), reverse("rcp:dossier", args=[dossier.pk]), reverse("rcp:fiche", args=[dossier.pk])]
    for url in pages:
        assert client.get(url).status_code == 200
    assert _save(client, dossier, "Avant la panne").status_code in (200, 302)
    revision_before = Fiche.objects.get(pk=dossier.fiche.pk).revision
    trail_before = AccessTrail.objects.count()

    statuses, slowest, saves = [], 0.0, 0
    with caplog.at_level(logging.WARNING, logger="dcc.cache"), paused(stalling_cache):
        deadline = time.monotonic() + STALL_SECONDS
        while time.monotonic() < deadline:
            for url in pages:
                started = time.monotonic()
                statuses.append(client.get(url).status_code)
                slowest = max(slowest, time.monotonic() - started)
            started = time.monotonic()
            response = _save(client, dossier, f"Pendant la panne {saves}")
            slowest = max(slowest, time.monotonic() - started)
            statuses.append(response.status_code)
            saves += response.status_code in (200, 302)
            # A login during the stall (password checked, rate limits skipped rather than failing).
            other = client.__class__()
            started = time.monotonic()
            statuses.append(
                other.post(
                    reverse("account_login"), {"login": doctor.email, "password": "Un-mot-de-passe-2026!"}
                ).status_code
            )
            slowest = max(slowest, time.monotonic() - started)

    assert 500 not in statuses and all(status in (200, 302) for status in statuses), statuses
    assert slowest < SLOW_REQUEST_SECONDS, f"une requête a pris {slowest:.1f} s pendant la panne"
    # Every save is whole: one revision per accepted save, and its trail line.
    fiche = Fiche.objects.get(pk=dossier.fiche.pk)
    assert fiche.revision == revision_before + saves and saves > 0
    assert fiche.case_summary == f"Pendant la panne {saves - 1}"
    assert AccessTrail.objects.count() > trail_before
    # Logged once when the outage starts, not once per request.
    outage_logs = [record for record in caplog.records if "indisponible" in record.getMessage()]
    assert len(outage_logs) == 1

    # Within seconds of SIGCONT the cache serves again.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        cache.set("drill-probe", "ok")
        if cache.get("drill-probe") == "ok":
            break
        time.sleep(0.5)
    assert cache.get("drill-probe") == "ok"
    assert client.get(pages[1]).status_code == 200
