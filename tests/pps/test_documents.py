import datetime as dt

import pytest
from lxml import etree

from dcc.records.documents_services import document_file_bytes
from dcc.records.enums import DocumentOrigin, DocumentStatus, GenerationStatus, ValidationStatus
from dcc.records.models import Document, DocumentGeneration
from interop.cda.parsing import parse_cda
from interop.cda.validation import validate_cda
from interop.filing import document_generate
from pps.enums import UpdateReason
from pps.services import pps_new_version
from tests.records.documents_helpers import record_patient, store_frcp, validated_pps

pytestmark = pytest.mark.django_db
NS = {"cda": "urn:hl7-org:v3"}


@pytest.fixture(autouse=True)
def media(request, settings, tmp_path):
    if "celery_queue" in request.fixturenames:
        return  # the worker reads the default storage
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": str(tmp_path)}},
    }


def test_a_validated_pps_becomes_a_valid_cda_and_pdf_in_the_record(personas):
    patient = record_patient(personas)
    store_frcp(patient)
    pps = validated_pps(personas, patient)

    generation = document_generate(source_type="pps.pps", source_id=pps.pk, requested_by_id=personas["doctor"].pk)

    assert generation.status == GenerationStatus.SUCCEEDED, generation.failure_reason
    document = generation.document
    assert document.origin == DocumentOrigin.PRODUCED
    assert document.type_code == "18776-5"
    assert document.validation_status == ValidationStatus.VALID
    cda = document_file_bytes(document, "cda")
    assert validate_cda(cda).valid
    _, summary = parse_cda(cda)
    assert summary.patient.ins == patient.ins_matricule
    assert summary.version == 1
    assert document_file_bytes(document, "pdf").startswith(b"%PDF-")


def test_rerunning_the_generation_creates_no_duplicate(personas):
    patient = record_patient(personas)
    store_frcp(patient)
    pps = validated_pps(personas, patient)

    first = document_generate(source_type="pps.pps", source_id=pps.pk)
    again = document_generate(source_type="pps.pps", source_id=pps.pk)

    assert again.document_id == first.document_id
    assert Document.objects.filter(source_type="pps.pps").count() == 1
    assert DocumentGeneration.objects.count() == 1


def test_a_new_pps_version_replaces_the_previous_document_with_rplc(personas):
    patient = record_patient(personas)
    store_frcp(patient)
    pps = validated_pps(personas, patient)
    first = document_generate(source_type="pps.pps", source_id=pps.pk).document
    new = pps_new_version(pps=pps, by=personas["doctor"], reason=UpdateReason.CALENDRIER)
    new.status, new.validated_at, new.validated_by = "validated", pps.validated_at, personas["doctor"]
    new.save()

    second = document_generate(source_type="pps.pps", source_id=new.pk).document

    first.refresh_from_db()
    assert first.status == DocumentStatus.REPLACED
    assert (second.set_id, second.version, second.replaces_id) == (first.set_id, 2, first.pk)
    xml = document_file_bytes(second, "cda")
    assert b'typeCode="RPLC"' in xml and first.document_id.encode() in xml
    assert validate_cda(xml).valid


def test_without_a_diagnosis_in_the_record_the_failure_is_explained_and_nothing_is_stored(personas):
    patient = record_patient(personas)
    pps = validated_pps(personas, patient)

    generation = document_generate(source_type="pps.pps", source_id=pps.pk)

    assert generation.status == GenerationStatus.FAILED
    assert "Aucune fiche RCP" in generation.failure_reason
    assert not Document.objects.filter(source_type="pps.pps").exists()


def test_an_identity_not_qualified_is_filed_without_its_ins(personas):
    patient = record_patient(personas, qualified=False, retrieved=True)
    store_frcp(patient)
    pps = validated_pps(personas, patient)

    generation = document_generate(source_type="pps.pps", source_id=pps.pk)

    assert generation.status == GenerationStatus.SUCCEEDED, generation.failure_reason
    assert patient.ins_matricule.encode() not in document_file_bytes(generation.document, "cda")


def test_a_ppac_is_never_filed_as_a_pps(personas):
    from pps.models import Pps

    patient = record_patient(personas)
    store_frcp(patient)
    pps = validated_pps(personas, patient)
    Pps.objects.filter(pk=pps.pk).update(programme="ppac")

    generation = document_generate(source_type="pps.pps", source_id=pps.pk)

    assert generation.status == GenerationStatus.FAILED
    assert "est un PPAC" in generation.failure_reason
    assert not Document.objects.filter(source_type="pps.pps").exists()


def test_validating_a_pps_queues_its_document_after_commit(personas, django_capture_on_commit_callbacks):
    from interop.tasks import generate_document
    from pps.services import pps_validate
    from tests.pps.factories import PpsElementFactory, PpsFactory

    patient = record_patient(personas)
    pps = PpsFactory(patient=patient, author=personas["doctor"], establishment=personas.hospital)
    PpsElementFactory(pps=pps, kind="consultation")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        pps_validate(pps=pps, by=personas["doctor"], no_rcp_reason="Hors RCP (test)")

    queued = [
        cb
        for cb in callbacks
        if getattr(getattr(getattr(cb, "func", None), "__self__", None), "name", "") == generate_document.name
    ]
    assert [cb.args for cb in queued] == [("pps.pps", pps.pk, personas["doctor"].pk)]


@pytest.mark.django_db(transaction=True)
def test_the_real_worker_files_the_pps_document_once_and_the_record_shows_it(celery_queue, client):
    from django.urls import reverse

    from interop.tasks import generate_document
    from tests.personas import build_personas

    personas = build_personas()
    patient = record_patient(personas)
    store_frcp(patient)
    pps = validated_pps(personas, patient)

    document_id = generate_document.apply_async(
        args=["pps.pps", pps.pk, personas["doctor"].pk], queue=celery_queue
    ).get(timeout=120)
    again = generate_document.apply_async(args=["pps.pps", pps.pk], queue=celery_queue).get(timeout=120)

    assert document_id is not None and again == document_id
    assert Document.objects.filter(source_type="pps.pps", source_id=str(pps.pk)).count() == 1
    client.force_login(personas["doctor"])
    page = client.get(reverse("records:documents", args=[patient.pk])).content.decode()
    assert reverse("records:document_detail", args=[document_id]) in page
    assert "Plan personnalisé de soins" in page


def test_a_pps_validated_by_a_nurse_carries_no_doctor_title_and_stays_valid(personas):
    patient = record_patient(personas)
    store_frcp(patient)
    nurse = personas["annonce_nurse"]
    pps = validated_pps(personas, patient, author=nurse, validated_by=nurse)

    generation = document_generate(source_type="pps.pps", source_id=pps.pk)

    assert generation.status == GenerationStatus.SUCCEEDED, generation.failure_reason
    assert b"<suffix>" not in document_file_bytes(generation.document, "cda")


def test_subscribers_hear_of_a_stored_document_after_commit(personas, django_capture_on_commit_callbacks):
    from dcc.records.documents import on_document_ready, remove_document_ready

    heard = []
    on_document_ready("test", heard.append)
    try:
        patient = record_patient(personas)
        store_frcp(patient)
        pps = validated_pps(personas, patient)
        heard.clear()
        with django_capture_on_commit_callbacks(execute=True):
            generation = document_generate(source_type="pps.pps", source_id=pps.pk)
    finally:
        remove_document_ready("test")

    assert [document.pk for document in heard] == [generation.document_id]


def test_a_run_that_died_after_storing_is_completed_without_a_second_document(personas):
    from dcc.records.models import DocumentGeneration

    patient = record_patient(personas)
    store_frcp(patient)
    pps = validated_pps(personas, patient)
    document = document_generate(source_type="pps.pps", source_id=pps.pk).document
    DocumentGeneration.objects.filter(pk=document.generation.pk).update(status=GenerationStatus.RUNNING, document=None)

    generation = document_generate(source_type="pps.pps", source_id=pps.pk)

    assert generation.status == GenerationStatus.SUCCEEDED and generation.document_id == document.pk
    assert Document.objects.filter(source_type="pps.pps").count() == 1


def test_a_failed_generation_is_shown_to_the_author_on_the_record_page(client, personas):
    from django.urls import reverse

    patient = record_patient(personas)
    pps = validated_pps(personas, patient)
    document_generate(source_type="pps.pps", source_id=pps.pk)
    client.force_login(personas["doctor"])

    page = client.get(reverse("records:document_generations", args=[patient.pk])).content.decode()

    assert "Échec" in page and "Aucune fiche RCP" in page
    assert f"PPS n° {pps.pk}" in page and "pps.pps" not in page  # named for the user, not by its table
    assert "every 2s" not in page  # nothing left to poll


def test_a_retried_failure_succeeds_once_the_cause_is_fixed(personas):
    patient = record_patient(personas)
    pps = validated_pps(personas, patient)
    assert document_generate(source_type="pps.pps", source_id=pps.pk).status == GenerationStatus.FAILED
    store_frcp(patient)

    generation = document_generate(source_type="pps.pps", source_id=pps.pk)

    assert generation.status == GenerationStatus.SUCCEEDED
    assert generation.attempts == 2


# --- The diagnosis of the fiche RCP the PPS follows ------------------------------------------------


def _linked_pps(personas, patient, **fiche_fields):
    from tests.pps.fiches import validated_fiche

    fiche = validated_fiche(patient, establishment=personas.hospital, by=personas["doctor"], **fiche_fields)
    return validated_pps(personas, patient, rcp_fiche=fiche, no_rcp_reason=""), fiche


def test_the_pps_document_takes_the_diagnosis_and_rcp_date_from_the_linked_fiche(personas):
    patient = record_patient(personas)
    store_frcp(patient)  # a breast FRCP in the record (C50.4): the linked fiche wins
    pps, _ = _linked_pps(
        personas, patient, topography_code="C18.7", morphology_code="8140/3", diagnosis_date=dt.date(2026, 9, 1),
        discovery_mode="depistage", discovery_date=dt.date(2026, 8, 20), laterality_code="7771000",
        tnm_t="T3", tnm_n="N1", tnm_m="M0", tnm_stage="III",
    )  # fmt: skip

    generation = document_generate(source_type="pps.pps", source_id=pps.pk)

    assert generation.status == GenerationStatus.SUCCEEDED, generation.failure_reason
    xml = document_file_bytes(generation.document, "cda")
    result = validate_cda(xml)
    assert result.valid and not result.failures, result.summary_fr()
    root = etree.fromstring(xml)
    values = root.findall(".//cda:observation/cda:value[@codeSystem='2.16.840.1.113883.6.43.1']", NS)
    assert [value.get("code") for value in values] == ["8140/3"]
    sites = {site.get("code") for site in root.iterfind(".//cda:targetSiteCode", NS)}
    assert "C18.7" in sites and "C50.4" not in sites
    assert b"20260901" in xml and b"20261120" in xml and b"20260820" in xml
    screening = [
        obs.find("cda:value", NS).get("value")
        for obs in root.iterfind(".//cda:observation", NS)
        if obs.find("cda:code", NS) is not None and obs.find("cda:code", NS).get("code") == "63921-1"
    ]
    assert screening == ["true"]
    laterality = root.find(".//cda:targetSiteCode/cda:qualifier/cda:value", NS)
    assert laterality is not None and laterality.get("code") == "7771000"
    tnm = {
        obs.find("cda:code", NS).get("code"): obs.find("cda:value", NS).get("code")
        for obs in root.iterfind(".//cda:observation", NS)
        if obs.find("cda:code", NS) is not None and obs.find("cda:value", NS) is not None
    }
    assert (tnm.get("21905-5"), tnm.get("21906-3"), tnm.get("21907-1")) == ("T3", "N1", "M0")


def test_a_linked_fiche_without_a_coded_diagnosis_falls_back_to_the_record(personas):
    patient = record_patient(personas)
    store_frcp(patient)
    pps, _ = _linked_pps(personas, patient, topography_code="", morphology_code="")

    generation = document_generate(source_type="pps.pps", source_id=pps.pk)

    assert generation.status == GenerationStatus.SUCCEEDED, generation.failure_reason
    xml = document_file_bytes(generation.document, "cda")
    assert b'code="C50.4"' in xml and b"20261120" in xml
    assert validate_cda(xml).valid


def test_a_linked_fiche_needs_no_frcp_in_the_record(personas):
    patient = record_patient(personas)
    pps, _ = _linked_pps(personas, patient)

    generation = document_generate(source_type="pps.pps", source_id=pps.pk)

    assert generation.status == GenerationStatus.SUCCEEDED, generation.failure_reason


# --- Stuck « En attente » (issue 16, finding 2) ------------------------------------------------------------------


def _pending_pps(personas, django_capture_on_commit_callbacks):
    from pps.services import pps_validate
    from tests.pps.factories import PpsElementFactory, PpsFactory

    patient = record_patient(personas)
    store_frcp(patient)
    pps = PpsFactory(patient=patient, author=personas["doctor"], establishment=personas.hospital)
    PpsElementFactory(pps=pps, kind="consultation")
    with django_capture_on_commit_callbacks(execute=False):
        pps_validate(pps=pps, by=personas["doctor"], no_rcp_reason="Hors RCP (test)")
    return pps


def _queued(callbacks):
    from interop.tasks import generate_document

    return [
        cb.args
        for cb in callbacks
        if getattr(getattr(getattr(cb, "func", None), "__self__", None), "name", "") == generate_document.name
    ]


def test_a_pps_document_stuck_pending_can_be_relaunched_once_from_its_page(
    client, personas, settings, django_capture_on_commit_callbacks
):
    import datetime as dt_

    from django.urls import reverse
    from django.utils import timezone

    from dcc.records.models import AccessTrail
    from dcc.worker_status import heartbeat_write

    pps = _pending_pps(personas, django_capture_on_commit_callbacks)
    generations = DocumentGeneration.objects.filter(source_type="pps.pps", source_id=str(pps.pk))
    client.force_login(personas["doctor"])
    fragment = reverse("pps:document_status", args=[pps.pk])
    heartbeat_write()
    assert "Relancer la production" not in client.get(fragment).content.decode()

    stale = settings.DCC_GENERATION_REQUEUE_SECONDS + 1
    generations.update(updated_at=timezone.now() - dt_.timedelta(seconds=stale))
    for url in (fragment, reverse("pps:detail", args=[pps.pk])):
        page = client.get(url).content.decode()
        assert "En attente" in page and "Relancer la production du document" in page
        assert reverse("pps:document_relaunch", args=[pps.pk]) in page

    relaunch = reverse("pps:document_relaunch", args=[pps.pk])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(relaunch)
        client.post(relaunch)
    assert response.status_code == 302 and response.url == reverse("pps:detail", args=[pps.pk])
    assert _queued(callbacks) == [("pps.pps", pps.pk, personas["doctor"].pk)]
    assert generations.get().status == GenerationStatus.PENDING
    assert AccessTrail.objects.filter(detail="Relance de la production du document", object_id=str(pps.pk)).count() == 2


def test_a_failed_ppac_document_can_be_relaunched_and_returns_to_the_ppac_page(
    client, personas, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    from pps.models import Programme

    patient = record_patient(personas)
    ppac = validated_pps(personas, patient, programme=Programme.PPAC)
    DocumentGeneration.objects.create(
        source_type="pps.ppac", source_id=str(ppac.pk), patient=patient, status=GenerationStatus.FAILED
    )
    client.force_login(personas["doctor"])
    assert (
        "Relancer la production du document"
        in client.get(reverse("pps:document_status", args=[ppac.pk])).content.decode()
    )

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("pps:document_relaunch", args=[ppac.pk]))
    assert response.url == reverse("pps:ppac:detail", args=[ppac.pk])
    assert _queued(callbacks) == [("pps.ppac", ppac.pk, personas["doctor"].pk)]


def test_the_pps_relaunch_by_persona(client, personas):
    from django.urls import reverse

    from tests.helpers import assert_access
    from tests.pps.views.test_access import HOSPITAL_CARE

    pps = validated_pps(personas, record_patient(personas))
    assert_access(
        client,
        personas,
        reverse("pps:document_relaunch", args=[pps.pk]),
        allowed=HOSPITAL_CARE,
        method="post",
        ok_status=302,
    )


def test_the_pps_page_says_when_the_worker_does_not_answer(client, personas, django_capture_on_commit_callbacks):
    from django.urls import reverse

    from dcc.worker_status import WORKER_DOWN_NOTICE, heartbeat_write

    pps = _pending_pps(personas, django_capture_on_commit_callbacks)
    client.force_login(personas["doctor"])
    fragment = reverse("pps:document_status", args=[pps.pk])

    assert WORKER_DOWN_NOTICE in client.get(fragment).content.decode()  # no heartbeat ever written
    heartbeat_write()
    assert WORKER_DOWN_NOTICE not in client.get(fragment).content.decode()
