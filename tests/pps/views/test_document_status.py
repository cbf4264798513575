"""The document of a validated PPS or PPAC on its page: queued, ready (links), failed (reason); who may poll it."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from dcc.records.models import AccessTrail
from interop.filing import document_generate
from pps import services
from pps.models import Pps
from pps.ppac_services import ppac_create, ppac_validate
from tests.helpers import assert_access
from tests.pps.factories import breast_follow_up_template
from tests.pps.views.test_access import HOSPITAL_CARE
from tests.records.documents_helpers import record_patient, store_frcp, validated_pps

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": str(tmp_path)}},
    }


@pytest.fixture
def ppac(personas):
    nurse = personas["annonce_nurse"]
    patient = record_patient(personas)
    ppac = ppac_create(
        patient=patient, by=nurse, follow_up_start=datetime.date(2027, 1, 4), template=breast_follow_up_template()
    )
    return ppac_validate(ppac=ppac, by=nurse)


def test_only_the_patients_care_team_polls_the_document(client, personas, ppac):
    assert_access(client, personas, reverse("pps:document_status", args=[ppac.pk]), allowed=HOSPITAL_CARE)


def test_a_draft_has_no_document_to_poll(client, personas):
    draft = services.pps_create(patient=record_patient(personas), by=personas["annonce_nurse"])
    client.force_login(personas["annonce_nurse"])

    assert client.get(reverse("pps:document_status", args=[draft.pk])).status_code == 404
    page = client.get(reverse("pps:detail", args=[draft.pk])).content.decode()
    assert "Document du dossier" not in page


def test_just_validated_the_page_polls_until_the_document_is_ready(client, personas, ppac):
    nurse = personas["annonce_nurse"]
    client.force_login(nurse)
    url = reverse("pps:document_status", args=[ppac.pk])

    waiting = client.get(reverse("pps:ppac:detail", args=[ppac.pk])).content.decode()
    assert "La production du document (PDF et CDA) va commencer." in waiting and f'hx-get="{url}"' in waiting

    document = document_generate(source_type="pps.ppac", source_id=ppac.pk).document
    ready = client.get(url).content.decode()

    assert "Document prêt" in ready and "every 2s" not in ready
    assert reverse("records:document_detail", args=[document.pk]) in ready
    assert reverse("records:document_pdf", args=[document.pk]) in ready
    assert AccessTrail.objects.filter(user=nurse, detail="Suivi de production du document").count() == 1


def test_a_failed_pps_document_shows_its_reason_on_the_pps_page(client, personas):
    patient = record_patient(personas)
    pps = validated_pps(personas, patient)  # no fiche RCP linked and none in the record: no diagnosis
    document_generate(source_type="pps.pps", source_id=pps.pk)
    client.force_login(personas["doctor"])

    page = client.get(reverse("pps:detail", args=[pps.pk])).content.decode()

    assert "Échec" in page and "Aucune fiche RCP" in page and "every 2s" not in page


def test_an_old_validation_without_production_does_not_poll(client, personas):
    patient = record_patient(personas)
    store_frcp(patient)
    pps = validated_pps(personas, patient)
    Pps.objects.filter(pk=pps.pk).update(validated_at=timezone.now() - datetime.timedelta(days=2))
    client.force_login(personas["doctor"])

    page = client.get(reverse("pps:detail", args=[pps.pk])).content.decode()

    assert "Aucune production de document n'est enregistrée pour cette version." in page
    assert "every 2s" not in page


def test_the_ppac_page_with_its_document_keeps_a_query_budget(client, personas, ppac, django_assert_max_num_queries):
    document_generate(source_type="pps.ppac", source_id=ppac.pk)
    client.force_login(personas["annonce_nurse"])

    with django_assert_max_num_queries(30):
        assert client.get(reverse("pps:ppac:detail", args=[ppac.pk])).status_code == 200
    with django_assert_max_num_queries(15):
        assert client.get(reverse("pps:document_status", args=[ppac.pk])).status_code == 200
