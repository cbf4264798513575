"""The « Diffusion » block: who sees it, who may act (the ``document_send`` right, checked), trail lines."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dcc.accounts.enums import Profile
from dcc.accounts.models import ProfilePermission
from dcc.accounts.perms import rights_cache_clear
from dcc.records.models import AccessTrail
from interop.outbox.enums import OutboxState
from interop.outbox.models import OutboxMessage
from interop.outbox.services import outbox_transition
from tests.directory.factories import ProfessionalFactory
from tests.helpers import assert_access, status_for
from tests.interop.mss.helpers import enqueue_document
from tests.records.documents_helpers import record_patient, store_frcp

pytestmark = pytest.mark.django_db
SEEING = {"doctor", "medical_secretary", "annonce_nurse"}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    default = {**settings.STORAGES["default"], "OPTIONS": {"location": str(tmp_path)}}
    settings.STORAGES = {**settings.STORAGES, "default": default}


@pytest.fixture
def document(personas):
    return store_frcp(record_patient(personas))


@pytest.fixture
def failed_row(document):
    row = enqueue_document(document, "dr.block@pro.mssante.demo.test", label="Dr BLOCK")
    outbox_transition(message=row, to_state=OutboxState.SENDING)
    outbox_transition(message=row, to_state=OutboxState.FAILED, code="5.1.1", detail="Adresse MSSanté inconnue")
    return row


def test_the_block_is_open_to_the_patients_care_team_only(client, personas, document, failed_row):
    assert_access(client, personas, reverse("mss:diffusion", args=[document.pk]), allowed=SEEING)


def test_the_block_shows_recipients_states_and_history_and_is_traced(client, personas, document, failed_row):
    client.force_login(personas["doctor"])
    response = client.get(reverse("mss:diffusion", args=[document.pk]), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "Dr BLOCK" in html and "Échec définitif" in html and "Adresse MSSanté inconnue" in html
    assert "3 étapes" in html and "Renvoyer" in html
    assert AccessTrail.objects.filter(user=personas["doctor"], detail="diffusion du document").exists()


def test_the_record_page_includes_the_block(client, personas, document, failed_row):
    client.force_login(personas["doctor"])
    html = client.get(reverse("records:document_detail", args=[document.pk])).content.decode()
    assert 'data-testid="diffusion"' in html and "Dr BLOCK" in html


def test_resend_add_and_patient_mailbox_need_the_document_send_right(client, personas, document, failed_row):
    ProfessionalFactory(last_name="Destinataireunique", rpps="10999000009")
    urls = [
        (reverse("mss:diffusion_resend", args=[failed_row.pk]), {}),
        (reverse("mss:diffusion_add", args=[document.pk]), {"query": "Destinataireunique"}),
        (reverse("mss:diffusion_patient", args=[document.pk]), {}),
    ]
    for url, data in urls:
        assert_access(client, personas, url, method="post", data=data, allowed=SEEING, ok_status=302)
    # Rights are data: without document_send, a doctor still sees the block but may not send.
    ProfilePermission.objects.filter(profile=Profile.MEDECIN, permission="document_send").delete()
    rights_cache_clear()
    before = OutboxMessage.objects.count()
    for url, data in urls:
        assert status_for(client, personas["doctor"], url, "post", data) == 403
    assert OutboxMessage.objects.count() == before
    assert status_for(client, personas["doctor"], reverse("mss:diffusion", args=[document.pk])) == 200
    client.force_login(personas["doctor"])
    html = client.get(reverse("mss:diffusion", args=[document.pk])).content.decode()
    assert "Renvoyer" not in html and "Ajouter un destinataire" not in html


def test_resend_creates_a_linked_row_and_a_send_trail(client, personas, document, failed_row):
    client.force_login(personas["doctor"])
    response = client.post(reverse("mss:diffusion_resend", args=[failed_row.pk]), headers={"HX-Request": "true"})
    assert response.status_code == 200
    again = OutboxMessage.objects.get(resent_from=failed_row)
    assert again.created_by == personas["doctor"] and again.state == OutboxState.PENDING
    assert AccessTrail.objects.filter(action="send", detail__startswith="renvoi MSSanté").exists()


def test_add_a_recipient_bad_input_is_a_french_400(client, personas, document):
    client.force_login(personas["doctor"])
    url = reverse("mss:diffusion_add", args=[document.pk])
    response = client.post(url, {"query": "Personneinconnue"}, headers={"HX-Request": "true"})
    assert response.status_code == 400
    assert "Aucun professionnel de l&#x27;annuaire ne correspond" in response.content.decode()
    response = client.post(url, {"query": ""})
    assert response.status_code == 400 and "Indiquez le nom" in response.content.decode()


def test_patient_mailbox_refused_in_french_without_a_qualified_identity(client, personas):
    document = store_frcp(record_patient(personas, qualified=False, retrieved=True))
    client.force_login(personas["doctor"])
    html = client.get(reverse("mss:diffusion", args=[document.pk])).content.decode()
    assert "son identité n'est pas qualifiée" in html
    response = client.post(reverse("mss:diffusion_patient", args=[document.pk]), headers={"HX-Request": "true"})
    assert response.status_code == 400 and "identité qualifiée" in response.content.decode()
    assert not OutboxMessage.objects.exists()


def test_the_block_query_count_does_not_grow_with_sends(client, personas, document, django_assert_max_num_queries):
    for i in range(8):
        enqueue_document(document, f"dr.q{i}@pro.mssante.demo.test")
    client.force_login(personas["doctor"])
    client.get(reverse("mss:diffusion", args=[document.pk]))  # warm the rights cache
    # The document with its patient, the care check, the trail line (in a savepoint here), the sends and their steps.
    with django_assert_max_num_queries(7):
        response = client.get(reverse("mss:diffusion", args=[document.pk]))
    assert response.content.decode().count('data-testid="diffusion-row"') == 8
