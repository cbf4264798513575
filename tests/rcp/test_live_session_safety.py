"""Issue 15, finding 6: the live session never changes a dossier behind the team's back."""

from __future__ import annotations

import datetime
from pathlib import Path

import lxml.html
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from rcp.enums import DossierStatus, SessionStatus
from rcp.models import Dossier, Session
from rcp.services.agenda import session_open
from tests.rcp.factories import SessionFactory
from tests.rcp.fiche_documents import fiche_world, validate

pytestmark = pytest.mark.django_db
PRIMARY = "//*[contains(concat(' ', normalize-space(@class), ' '), ' btn-primary ')]"


def test_next_shows_a_dossier_without_marking_it_presented_and_the_proposition_does(client, personas):
    world = fiche_world(personas)
    dossier = world["dossier"]
    client.force_login(personas["secretary_3c"])

    client.post(reverse("rcp:session_live_goto", args=[world["session"].pk]), {"dossier": "next"})

    assert Session.objects.get(pk=world["session"].pk).current_dossier_id == dossier.pk
    assert Dossier.objects.get(pk=dossier.pk).status == DossierStatus.REGISTERED
    revision = dossier.fiche.__class__.objects.get(pk=dossier.fiche.pk).revision
    client.post(
        reverse("rcp:session_live_proposition", args=[world["session"].pk]),
        {"revision": revision, "treatment_1": "", "treatment_2": "", "surveillance_only": "on", "proposition": "ok"},
    )
    assert Dossier.objects.get(pk=dossier.pk).status == DossierStatus.PRESENTED


def test_cancelling_the_opening_is_refused_once_a_fiche_is_signed(client, personas):
    world = fiche_world(personas)
    client.force_login(personas["secretary_3c"])
    page = client.get(reverse("rcp:session", args=[world["session"].pk])).content.decode()
    assert "Annuler l&#x27;ouverture" in page or "Annuler l'ouverture" in page
    validate(world, personas)

    page = client.get(reverse("rcp:session", args=[world["session"].pk])).content.decode()
    assert "Annuler l'ouverture" not in page and "Annuler l&#x27;ouverture" not in page
    response = client.post(
        reverse("rcp:session_status", args=[world["session"].pk]), {"action": "replanifier"}, follow=True
    )
    assert "déjà validées" in response.content.decode()
    assert Session.objects.get(pk=world["session"].pk).status == SessionStatus.OPEN


def test_after_opening_the_primary_action_is_to_run_the_session_live(client, personas, world):
    session = world["session"]
    session_open(session=session)
    client.force_login(personas["secretary_3c"])
    html = client.get(reverse("rcp:session", args=[session.pk])).content
    primary = [e.text_content().strip() for e in lxml.html.fromstring(html).xpath(PRIMARY)]
    assert "Conduire la séance en direct" in primary
    assert "Clôturer la séance" not in primary


def test_opening_a_session_weeks_ahead_asks_first(client, personas, world):
    far = timezone.now() + datetime.timedelta(days=18)
    session = SessionFactory(rcp=world["rcp"], starts_at=far, ends_at=far + datetime.timedelta(hours=1))
    client.force_login(personas["secretary_3c"])
    url = reverse("rcp:session_status", args=[session.pk])

    response = client.post(url, {"action": "ouvrir"})

    assert response.status_code == 200
    assert "dans 18 jours" in response.content.decode() or "dans 17 jours" in response.content.decode()
    assert Session.objects.get(pk=session.pk).status == SessionStatus.PLANNED
    client.post(url, {"action": "ouvrir", "confirmer": "oui"})
    assert Session.objects.get(pk=session.pk).status == SessionStatus.OPEN


def test_opening_today_does_not_ask(client, personas, world):
    soon = timezone.now() + datetime.timedelta(hours=2)
    session = SessionFactory(rcp=world["rcp"], starts_at=soon, ends_at=soon + datetime.timedelta(hours=1))
    client.force_login(personas["secretary_3c"])
    client.post(reverse("rcp:session_status", args=[session.pk]), {"action": "ouvrir"})
    assert Session.objects.get(pk=session.pk).status == SessionStatus.OPEN


def test_no_single_key_changes_a_dossier_and_the_shortcuts_can_be_switched_off(client, personas):
    world = fiche_world(personas)
    client.force_login(personas["secretary_3c"])
    client.post(reverse("rcp:session_live_goto", args=[world["session"].pk]), {"dossier": "next"})
    html = client.get(reverse("rcp:session_live", args=[world["session"].pk])).content
    document = lxml.html.fromstring(html)

    toggle = document.get_element_by_id("live-shortcuts-toggle")
    assert toggle.get("type") == "checkbox" and document.xpath("//label[@for='live-shortcuts-toggle']")
    postpone = document.get_element_by_id("live-postpone")
    assert "Reporter" in postpone.get("data-confirm")
    script = (Path(settings.BASE_DIR) / "static/js/rcp-live.js").read_text()
    assert 'event.key === "r"' not in script and "live-postpone" not in script
    assert "localStorage" in script


def test_the_active_dossier_of_the_live_list_has_a_contrasted_style(client, personas):
    world = fiche_world(personas)
    client.force_login(personas["secretary_3c"])
    client.post(reverse("rcp:session_live_goto", args=[world["session"].pk]), {"dossier": "next"})
    html = client.get(reverse("rcp:session_live", args=[world["session"].pk])).content.decode()
    assert 'live-current" aria-current="true"' in html
    css = (Path(settings.BASE_DIR) / "static/css/app.css").read_text()
    assert ".list-group-item.live-current" in css and "#084298" in css


def test_a_postponement_made_by_mistake_is_undone_from_the_live_page(client, personas):
    world = fiche_world(personas)
    dossier = world["dossier"]
    SessionFactory(rcp=world["rcp"], starts_at=timezone.now() + datetime.timedelta(days=14))
    client.force_login(personas["secretary_3c"])
    client.post(reverse("rcp:session_live_goto", args=[world["session"].pk]), {"dossier": "next"})
    client.post(
        reverse("rcp:dossier_status", args=[dossier.pk]),
        {"to": DossierStatus.POSTPONED, "next": reverse("rcp:session_live", args=[world["session"].pk])},
    )
    successor = Dossier.objects.get(previous=dossier)
    page = client.get(reverse("rcp:session_live", args=[world["session"].pk])).content.decode()
    assert 'data-testid="live-undo"' in page and "Annuler le report" in page

    client.post(reverse("rcp:session_live_undo", args=[world["session"].pk]), {"dossier": dossier.pk})

    assert Dossier.objects.get(pk=dossier.pk).status == DossierStatus.REGISTERED
    successor.refresh_from_db()
    assert successor.status == DossierStatus.CANCELLED and successor.previous_id is None
    page = client.get(reverse("rcp:session_live", args=[world["session"].pk])).content.decode()
    assert 'data-testid="live-undo"' not in page
