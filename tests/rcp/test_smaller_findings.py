"""Issue 15, finding 8: the smaller things a user trips over."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from dcc.records.enums import TrailAction
from dcc.records.models import AccessTrail
from dcc.records.trail import trail_record
from rcp.models import Fiche
from tests.helpers import assert_access
from tests.identity.factories import PatientFactory
from tests.rcp.factories import register_dossier

pytestmark = pytest.mark.django_db


def test_a_tnm_typed_without_its_letters_reads_as_a_tnm():
    fiche = Fiche(tnm_kind="c", tnm_t="3", tnm_n="1", tnm_m="0")
    assert fiche.tnm_display == "cT3 N1 M0"
    assert Fiche(tnm_kind="p", tnm_t="T2a", tnm_n="n0", tnm_m="M1").tnm_display == "pT2a N0 M1"


def test_a_new_fiche_is_not_ticked_complete_and_the_fields_needed_to_validate_are_marked(client, personas, world):
    call_command("load_value_sets", stdout=StringIO())
    dossier = register_dossier(world["session"], personas["doctor"], patient=PatientFactory())
    assert dossier.fiche.dossier_complete is False
    client.force_login(personas["doctor"])

    page = client.get(reverse("rcp:fiche", args=[dossier.pk])).content.decode()

    assert 'name="dossier_complete" id="id_dossier_complete" checked' not in page
    assert 'data-testid="required-legend"' in page
    for label in ("Date du diagnostic", "Résumé du cas", "Question posée"):
        assert f'{label} <span class="text-danger" aria-hidden="true">*</span>' in page, label
    assert 'Antécédents et comorbidités <span class="text-danger"' not in page


def test_the_access_trail_names_objects_readably(client, personas, world):
    patient = PatientFactory()
    dossier = register_dossier(world["session"], personas["doctor"], patient=patient)
    trail_record(user=personas["doctor"], action=TrailAction.READ, patient=patient, obj=dossier.fiche)
    line = AccessTrail.objects.filter(object_type="rcp.Fiche").latest("at")
    assert line.object_label == f"Fiche RCP n° {dossier.fiche.pk}"
    client.force_login(personas["secretary_3c"])
    page = client.get(reverse("records:patient_access_log", args=[patient.pk])).content.decode()
    assert f"Fiche RCP n° {dossier.fiche.pk}" in page and "rcp.Fiche" not in page


def test_the_menu_collapses_below_1200_px_so_logging_out_stays_reachable():
    from django.template import Context, Template

    header = Template("{% load navigation_bar %}{% main_navigation %}").render(Context({}))
    assert "navbar-expand-xl" in header and "navbar-expand-md" not in header


def test_the_ppac_calendar_month_column_is_wide_enough():
    css = (Path(settings.BASE_DIR) / "static/css/pps.css").read_text()
    assert ".pps-calendar thead th:first-child" in css


def test_the_admin_manages_users_profiles_and_scopes_in_french(client, personas):
    from dcc.accounts.enums import AccountEventKind, Profile
    from dcc.accounts.models import AccountEvent, ProfileGrant

    target = personas["medical_secretary"]
    assert_access(client, personas, reverse("users:list"), allowed={"admin"})
    assert_access(client, personas, reverse("users:detail", args=[target.pk]), allowed={"admin"})
    client.force_login(personas["admin"])
    page = client.get(reverse("users:list") + "?q=" + target.email.split("@")[0]).content.decode()
    assert target.email in page and "Secrétaire médicale" in page

    response = client.post(
        reverse("users:detail", args=[target.pk]),
        {"profile": Profile.ANNONCE_PPS, "establishments": [personas.hospital.pk]},
    )
    assert response.status_code == 302
    grant = ProfileGrant.objects.get(user=target, profile=Profile.ANNONCE_PPS)
    assert list(grant.establishments.all()) == [personas.hospital]
    assert AccountEvent.objects.filter(user=target, kind=AccountEventKind.GRANT_CHANGED).exists()

    refused = client.post(reverse("users:detail", args=[target.pk]), {"profile": Profile.SECRETAIRE_3C})
    assert refused.status_code == 400 and "périmètre" in refused.content.decode()

    client.post(reverse("users:grant_withdraw", args=[target.pk, grant.pk]))
    grant.refresh_from_db()
    assert grant.is_active is False
    client.post(reverse("users:active", args=[target.pk]), {"active": "non"})
    target.refresh_from_db()
    assert target.is_active is False
    page = client.get(reverse("users:detail", args=[target.pk])).content.decode()
    assert "Profils et périmètres" in page and "Réactiver le compte" in page


def test_every_stylesheet_of_the_app_has_balanced_braces():
    """An unclosed rule silently swallowed every later rule of app.css (impersonation banner, live list…)."""
    for path in (Path(settings.BASE_DIR) / "static" / "css").glob("*.css"):
        text = path.read_text()
        assert text.count("{") == text.count("}"), path.name
