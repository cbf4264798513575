"""Re-saving the RCP forms as rendered keeps their dates (issue 15, finding 1: dates erased on every edit)."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from rcp.models import Fiche, Session
from tests.form_submit import browser_form_data
from tests.identity.factories import PatientFactory
from tests.rcp.factories import register_dossier


@pytest.fixture
def codes():
    call_command("load_value_sets", stdout=StringIO())


@pytest.mark.django_db
def test_saving_a_fiche_as_rendered_keeps_its_dates(client, personas, world, codes):
    doctor = personas["doctor"]
    dossier = register_dossier(world["session"], doctor, patient=PatientFactory())
    Fiche.objects.filter(pk=dossier.fiche.pk).update(
        diagnosis_date=datetime.date(2026, 11, 21), discovery_date=datetime.date(2026, 10, 2)
    )
    client.force_login(doctor)
    url = reverse("rcp:fiche", args=[dossier.pk])
    page = client.get(url)
    assert 'value="2026-11-21"' in page.content.decode()
    data = browser_form_data(page.content, containing="diagnosis_date")
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    fiche = Fiche.objects.get(pk=dossier.fiche.pk)
    assert fiche.revision == 2
    assert fiche.diagnosis_date == datetime.date(2026, 11, 21)
    assert fiche.discovery_date == datetime.date(2026, 10, 2)


@pytest.mark.django_db
def test_moving_a_session_without_changing_anything_keeps_its_date_and_time(client, personas, world):
    session = world["session"]
    before = Session.objects.get(pk=session.pk)
    client.force_login(personas["secretary_3c"])
    url = reverse("rcp:session_move", args=[session.pk])
    page = client.get(url)
    local = timezone.localtime(before.starts_at)
    assert f'value="{local:%Y-%m-%d}"' in page.content.decode()
    data = browser_form_data(page.content, containing="date")
    assert data["date"] == f"{local:%Y-%m-%d}" and data["time"] == f"{local:%H:%M}"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    after = Session.objects.get(pk=session.pk)
    assert after.starts_at == before.starts_at and after.ends_at == before.ends_at


@pytest.mark.django_db
def test_the_recurrence_form_offers_its_start_date(client, personas, world):
    client.force_login(personas["secretary_3c"])
    page = client.get(reverse("rcp:recurrence_add", args=[world["rcp"].pk]))
    data = browser_form_data(page.content, containing="start_date")
    assert data["start_date"] == timezone.localdate().isoformat()
