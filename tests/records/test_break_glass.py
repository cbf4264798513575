from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from dcc.records import access
from dcc.records.enums import CareRelationshipKind, TrailAction
from dcc.records.models import AccessTrail, BreakGlassGrant
from dcc.records.services import BreakGlassRefused, break_glass_open, care_relationship_add
from dcc.records.tasks import send_break_glass_alert
from identity.selectors import visible_patients
from tests.helpers import assert_access
from tests.identity.factories import PatientFactory

pytestmark = pytest.mark.django_db

REASON = "Patient admis aux urgences, équipe habituelle injoignable"


def test_bris_de_glace_opens_the_record_then_expires(personas, settings):
    settings.DCC_BREAK_GLASS_HOURS = 4
    patient = PatientFactory()
    other = personas["doctor_other_3c"]
    assert not access.can_view_patient(other, patient)

    grant = break_glass_open(user=other, patient=patient, reason=REASON)

    assert grant.expires_at - grant.opened_at == timedelta(hours=4)
    assert access.can_view_patient(other, patient)
    assert list(visible_patients(other, include_break_glass=True)) == [patient]
    assert not visible_patients(other).exists()
    assert not access.can_view_patient(personas["doctor"], patient)  # the grant is personal
    assert BreakGlassGrant.objects.active(now=grant.expires_at - timedelta(seconds=1)).exists()
    assert not BreakGlassGrant.objects.active(now=grant.expires_at).exists()

    BreakGlassGrant.objects.filter(pk=grant.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    assert not access.can_view_patient(other, patient)
    assert not visible_patients(other, include_break_glass=True).exists()


def test_bris_de_glace_writes_a_trail_line_with_the_reason(personas, rf):
    patient = PatientFactory()
    request = rf.post("/", REMOTE_ADDR="10.9.8.7")
    request.session = {"dcc_connection_method": "otp"}

    grant = break_glass_open(user=personas["gp"], patient=patient, reason=f"  {REASON}  ", request=request)

    line = AccessTrail.objects.get(action=TrailAction.BREAK_GLASS)
    assert (line.user_id, line.patient_id, line.object_id) == (personas["gp"].pk, patient.pk, str(grant.pk))
    assert (line.detail, line.connection_method, line.ip_address) == (REASON, "otp", "10.9.8.7")


@pytest.mark.parametrize("reason", ["", "   ", "urgence"])
def test_a_missing_or_short_reason_is_refused_and_nothing_is_written(personas, reason):
    patient = PatientFactory()

    with pytest.raises(BreakGlassRefused, match="motif"):
        break_glass_open(user=personas["doctor_other_3c"], patient=patient, reason=reason)

    assert not BreakGlassGrant.objects.exists()
    assert not AccessTrail.objects.filter(action=TrailAction.BREAK_GLASS).exists()


@pytest.mark.parametrize("name", ["registry", "admin", "medical_secretary", "no_profile"])
def test_profiles_without_the_right_cannot_break_the_glass(personas, name):
    with pytest.raises(BreakGlassRefused, match="profil"):
        break_glass_open(user=personas[name], patient=PatientFactory(), reason=REASON)


def test_the_grant_and_its_trail_line_commit_or_roll_back_together(personas):
    patient = PatientFactory()

    with pytest.raises(RuntimeError), transaction.atomic():
        break_glass_open(user=personas["doctor_other_3c"], patient=patient, reason=REASON)
        raise RuntimeError("the caller fails after the grant")

    assert not BreakGlassGrant.objects.exists()
    assert not AccessTrail.objects.exists()


def test_the_alert_is_queued_on_commit_and_mails_the_admins_once(personas, django_capture_on_commit_callbacks):
    patient = PatientFactory()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        grant = break_glass_open(user=personas["doctor_other_3c"], patient=patient, reason=REASON)
    assert len(callbacks) == 1

    assert send_break_glass_alert.apply(args=[grant.pk]).get() == 1
    assert send_break_glass_alert.apply(args=[grant.pk]).get() == 0  # idempotent

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["admin@test.dcc"]
    assert "bris de glace" in message.subject
    assert REASON in message.body
    assert reverse("records:patient_access_log", args=[patient.pk]) in message.body


def test_break_glass_page_access(client, personas):
    patient = PatientFactory()

    assert_access(
        client,
        personas,
        reverse("records:break_glass", args=[patient.pk]),
        allowed={"doctor", "doctor_other_3c", "gp"},
    )


def test_a_doctor_of_another_3c_breaks_the_glass_through_the_page(client, personas):
    patient = PatientFactory()
    client.force_login(personas["doctor_other_3c"])
    url = reverse("records:break_glass", args=[patient.pk])

    refused = client.post(url, {"reason": "vite"})
    assert "Le motif doit compter au moins 15 caractères." in refused.content.decode()
    assert not BreakGlassGrant.objects.exists()

    response = client.post(url, {"reason": REASON, "next": "https://evil.example/"}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("home")
    assert "Accès exceptionnel ouvert" in response.content.decode()
    assert access.can_view_patient(personas["doctor_other_3c"], patient)


def test_someone_already_in_the_care_team_is_sent_on(client, personas):
    patient = PatientFactory()
    care_relationship_add(patient=patient, kind=CareRelationshipKind.REQUESTING_DOCTOR, user=personas["doctor"])
    client.force_login(personas["doctor"])

    response = client.get(reverse("records:break_glass", args=[patient.pk]) + "?next=/annuaire/")

    assert response.status_code == 302
    assert response["Location"] == "/annuaire/"
    assert not BreakGlassGrant.objects.exists()
