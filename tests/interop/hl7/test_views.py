"""The interop monitoring pages: who may see them, what they show, replay and vigilance decisions."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dcc.records.models import AccessTrail
from identity.models import LocalIdentifier
from interop.hl7.enums import VigilanceStatus
from interop.hl7.models import Message, VigilanceItem
from interop.hl7.processing import process
from interop.hl7.services import partner_register
from tests.directory.factories import EstablishmentFactory
from tests.helpers import assert_access
from tests.identity.factories import PatientFactory
from tests.interop.hl7.conftest import adt

pytestmark = pytest.mark.django_db


@pytest.fixture
def traffic(db):
    establishment = EstablishmentFactory(oid="1.2.250.1.999.1.1")
    partner, _ = partner_register(application="GAM", facility="CHTEST", establishment=establishment)
    for index in range(6):
        process(adt("A28", control_id=f"V-{index}", ipp=f"IPP-V{index}", birth_name=f"NOM{index}").encode())
    process(adt("A28", control_id="V-ERR", birth_date="2099XX01").encode())
    process(adt("A28", control_id="V-UNK").replace("|GAM|CHTEST|", "|AUTRE|X|").encode())
    holder = PatientFactory(qualified=True, first_given_name="MARIE", given_names="MARIE")
    process(adt("A28", control_id="V-VIG", ipp="IPP-VIG", ins=holder.ins_matricule).encode())
    return partner


def test_pages_are_for_the_regional_admin_only(client, personas, traffic):
    message = Message.objects.get(control_id="V-ERR")
    for url in (reverse("hl7:monitoring"), reverse("hl7:vigilance"), reverse("hl7:message", args=[message.pk])):
        assert_access(client, personas, url, allowed={"admin"})


def test_monitoring_shows_traffic_errors_and_queue(client, personas, traffic, django_assert_max_num_queries):
    client.force_login(personas["admin"])
    with django_assert_max_num_queries(20):
        response = client.get(reverse("hl7:monitoring"))
    html = response.content.decode()
    assert "Messages par partenaire et par jour" in html and "<svg" in html
    assert "GAM@CHTEST" in html and "AUTRE@X (inconnu)" in html
    assert "Partenaire inconnu" in html and "PID-7" in html
    assert response.context["pending_vigilance"] == 1
    today = response.context["traffic"]["series"][-1]
    assert today["in"] == 9 and today["errors"] == 3


def test_the_vigilance_queue_is_listed_traced_and_decided(client, personas, traffic, django_assert_max_num_queries):
    client.force_login(personas["admin"])
    with django_assert_max_num_queries(20):
        response = client.get(reverse("hl7:vigilance"))
    item = VigilanceItem.objects.get()
    assert "est déjà porté par" in response.content.decode() and item.patient.birth_name in response.content.decode()
    assert AccessTrail.objects.filter(patient_id=item.patient_id, detail="file d'identitovigilance").exists()
    url = reverse("hl7:vigilance_decision", args=[item.pk])
    assert client.post(url, {"status": "resolved", "note": ""}).status_code == 302
    item.refresh_from_db()
    assert item.status == VigilanceStatus.PENDING
    client.post(url, {"status": "dismissed", "note": "Homonyme vérifié avec l'établissement"})
    item.refresh_from_db()
    assert item.status == VigilanceStatus.DISMISSED and item.decided_by == personas["admin"]


def test_replay_of_a_stored_message_after_declaring_its_partner(client, personas, traffic):
    client.force_login(personas["admin"])
    unknown = Message.objects.get(control_id="V-UNK")
    partner_register(application="AUTRE", facility="X", establishment=traffic.establishment)
    response = client.post(reverse("hl7:replay", args=[unknown.pk]))
    replay = Message.objects.get(replayed_from=unknown)
    assert response.status_code == 302 and replay.ack_code == "AA" and replay.replayed_by == personas["admin"]
    assert LocalIdentifier.objects.filter(value="IPP001", establishment=traffic.establishment).exists()
    # An accepted message is never replayed (it would be applied twice).
    client.post(reverse("hl7:replay", args=[unknown.pk]))
    assert Message.objects.filter(replayed_from=unknown).count() == 1
    accepted = Message.objects.get(control_id="V-0")
    client.post(reverse("hl7:replay", args=[accepted.pk]))
    assert not Message.objects.filter(replayed_from=accepted).exists()


def test_a_message_page_shows_raw_text_and_ack(client, personas, traffic):
    client.force_login(personas["admin"])
    message = Message.objects.get(control_id="V-ERR")
    html = client.get(reverse("hl7:message", args=[message.pk])).content.decode()
    assert "MSA|AE|V-ERR" in html and "Rejouer ce message" in html
