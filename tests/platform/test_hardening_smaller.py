"""Issue 16, finding 9: no-store on patient pages, Permissions-Policy, plausible values, French XML errors, a
French 414 from gunicorn."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from identity.models import Patient
from interop.cda.parsing import UnsafeDocumentError, parse_cda
from rcp.models import Fiche
from tests.identity.factories import PatientFactory
from tests.platform.own_services import free_port
from tests.rcp.conftest import rcp_reference_data, world  # noqa: F401
from tests.rcp.factories import register_dossier

PATIENT = {
    "birth_name": "Plausible", "first_given_name": "Anne", "given_names": "Anne", "sex": "F",
    "birth_date": "1954-03-12", "birth_place_code": "86194",
}  # fmt: skip


@pytest.mark.django_db
def test_patient_pages_are_not_stored_and_every_page_has_a_permissions_policy(client, personas, world):  # noqa: F811
    dossier = register_dossier(world["session"], personas["doctor"], patient=PatientFactory())
    anonymous = client.get(reverse("account_login"))
    assert "camera=()" in anonymous["Permissions-Policy"]
    client.force_login(personas["doctor"])
    for url in (reverse("rcp:dossier", args=[dossier.pk]), reverse("identity:detail", args=[dossier.patient_id])):
        response = client.get(url)
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
        assert "geolocation=()" in response["Permissions-Policy"]


@pytest.mark.django_db
def test_a_birth_in_1800_is_refused_in_french(client, personas):
    client.force_login(personas["medical_secretary"])
    response = client.post(reverse("identity:create"), {**PATIENT, "birth_date": "1800-01-01"})
    assert "postérieure au 01/01/1900" in response.content.decode() and not Patient.objects.exists()


@pytest.mark.django_db
def test_a_fiche_with_a_diagnosis_in_2099_or_a_huge_text_is_refused(client, personas, world):  # noqa: F811
    dossier = register_dossier(world["session"], personas["doctor"], patient=PatientFactory())
    client.force_login(personas["doctor"])
    url = reverse("rcp:fiche", args=[dossier.pk])
    base = {"revision": 1, "nature": "ORG-117"}

    response = client.post(url, {**base, "diagnosis_date": "2099-01-01"})
    assert "ne peut pas être dans le futur" in response.content.decode()
    response = client.post(url, {**base, "case_summary": "x" * 100_000})
    assert "trop long" in response.content.decode()

    assert Fiche.objects.get(pk=dossier.fiche.pk).revision == 1


def test_libxml2_errors_reach_the_user_in_french():
    with pytest.raises(UnsafeDocumentError) as refusal:
        parse_cda(b"<ClinicalDocument><title></ClinicalDocument>")
    message = str(refusal.value)
    assert "balise fermante ne correspond pas" in message and "ligne 1" in message
    assert "mismatch" not in message.lower()


@pytest.mark.integration
def test_gunicorn_answers_a_10000_character_url_with_a_french_414():
    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "dcc.settings.test"}
    gunicorn = Path(sys.executable).parent / "gunicorn"
    process = subprocess.Popen(
        [str(gunicorn), "-c", "python:dcc.gunicorn_conf", "dcc.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=settings.BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                sock = socket.create_connection(("127.0.0.1", port), timeout=5)
                break
            except OSError:
                assert time.monotonic() < deadline and process.poll() is None, "gunicorn n'a pas démarré"
                time.sleep(0.2)
        with sock:
            # The master warms the application up (dcc/warmup.py) before its worker answers: seconds when loaded.
            sock.settimeout(120)
            sock.sendall(b"GET /" + b"a" * 10_000 + b" HTTP/1.1\r\nHost: localhost\r\n\r\n")
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
        head, _, body = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 414")
        assert b"charset=utf-8" in head
        assert "Adresse trop longue" in body.decode()
    finally:
        process.terminate()
        process.wait(timeout=15)
