"""The CR de concertation filed in the patient's record as a CDA N1 embedding its PDF/A-1b."""

import base64
import os
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from lxml import etree

from dcc.records.documents_services import document_file_bytes
from dcc.records.enums import DocumentOrigin, GenerationStatus, ValidationStatus
from dcc.records.models import Document
from interop.cda.parsing import parse_cda
from interop.cda.validation import validate_cda
from interop.filing import document_generate
from interop.pdf import preflight
from rcp.concertation_documents import CONCERTATION_CODE, CONCERTATION_SOURCE
from rcp.services.concertations import concertation_create
from tests.directory.factories import ProfessionalFactory
from tests.records.documents_helpers import record_patient

pytestmark = pytest.mark.django_db
CDA = "{urn:hl7-org:v3}"


@pytest.fixture(autouse=True)
def media(request, settings, tmp_path):
    if "celery_queue" in request.fixturenames:
        return  # the worker reads the default storage
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": str(tmp_path)}},
    }


@pytest.fixture
def codes():
    call_command("load_value_sets", stdout=StringIO())


def concertation_for(personas, **traits):
    patient = record_patient(personas, **traits)
    return concertation_create(
        patient=patient,
        requesting_doctor=personas["doctor"].professional,
        consulted=[ProfessionalFactory(surgeon=True)],
        question="Reprise chirurgicale d'une récidive anastomotique ?",
        opinion="Chirurgie de reprise après TEP-scanner.",
        treatment_codes=["387713003"],
        by=personas["doctor"],
    )


def test_a_signed_concertation_becomes_a_valid_n1_cda_with_its_pdf(personas, codes):
    concertation = concertation_for(personas)

    generation = document_generate(source_type=CONCERTATION_SOURCE, source_id=concertation.pk)

    assert generation.status == GenerationStatus.SUCCEEDED, generation.failure_reason
    document = generation.document
    assert (document.type_code, document.origin) == (CONCERTATION_CODE, DocumentOrigin.PRODUCED)
    assert document.validation_status == ValidationStatus.VALID
    assert document.author == personas["doctor"] and document.establishment == personas.hospital
    cda = document_file_bytes(document, "cda")
    result = validate_cda(cda)
    assert result.valid and not result.failures, result.summary_fr()
    _, summary = parse_cda(cda)
    assert summary.patient.ins == concertation.patient.ins_matricule
    body = etree.fromstring(cda).find(f"{CDA}component/{CDA}nonXMLBody/{CDA}text")
    assert base64.b64decode(body.text) == document_file_bytes(document, "pdf")
    assert etree.fromstring(cda).find(f"{CDA}code").get("code") == "11488-4"


@pytest.mark.skipif(
    not preflight.available() and os.environ.get("CI", "").lower() != "true",
    reason="Apache PDFBox Preflight (libpdfbox2-java) n'est pas installé",
)
def test_the_concertation_pdf_is_a_valid_pdfa_1b(personas, codes):
    concertation = concertation_for(personas)

    document = document_generate(source_type=CONCERTATION_SOURCE, source_id=concertation.pk).document

    report = preflight.preflight(document_file_bytes(document, "pdf"))
    assert report.valid, report.output


def test_an_identity_not_qualified_is_filed_without_its_ins(personas, codes):
    concertation = concertation_for(personas, qualified=False, retrieved=True)

    generation = document_generate(source_type=CONCERTATION_SOURCE, source_id=concertation.pk)

    assert generation.status == GenerationStatus.SUCCEEDED, generation.failure_reason
    cda = document_file_bytes(generation.document, "cda")
    assert concertation.patient.ins_matricule.encode() not in cda


def test_signing_a_concertation_queues_its_document_after_commit(personas, codes, django_capture_on_commit_callbacks):
    from interop.tasks import generate_document

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        concertation = concertation_for(personas)

    queued = [
        callback.args
        for callback in callbacks
        if getattr(getattr(getattr(callback, "func", None), "__self__", None), "name", "") == generate_document.name
    ]
    assert queued == [(CONCERTATION_SOURCE, concertation.pk, personas["doctor"].pk)]


def test_the_concertation_page_shows_the_production_and_links_the_document(client, personas, codes):
    concertation = concertation_for(personas)
    url = reverse("rcp:concertation", args=[concertation.pk])
    client.force_login(personas["doctor"])
    page = client.get(url).content.decode()
    assert "En attente" in page and "Aucun document n'a encore été demandé." not in page  # recorded when signed

    document = document_generate(source_type=CONCERTATION_SOURCE, source_id=concertation.pk).document

    page = client.get(url).content.decode()
    assert "Document prêt" in page
    assert reverse("records:document_detail", args=[document.pk]) in page
    assert reverse("records:document_pdf", args=[document.pk]) in page
    assert reverse("records:documents", args=[concertation.patient_id]) in page


@pytest.mark.django_db(transaction=True)
def test_the_real_worker_files_the_concertation_document_once(celery_queue, route_to_worker):
    from interop.tasks import generate_document
    from tests.personas import build_personas

    call_command("load_value_sets", stdout=StringIO())
    personas = build_personas()
    route_to_worker(generate_document)
    concertation = concertation_for(personas)  # committed: the task is sent to the worker now

    generation = None
    for _ in range(120):
        from dcc.records.models import DocumentGeneration

        generation = DocumentGeneration.objects.filter(
            source_type=CONCERTATION_SOURCE, source_id=str(concertation.pk), status=GenerationStatus.SUCCEEDED
        ).first()
        if generation is not None:
            break
        import time

        time.sleep(1)
    assert generation is not None, "le worker n'a pas produit le document"
    again = generate_document.apply_async(args=[CONCERTATION_SOURCE, concertation.pk], queue=celery_queue)
    assert again.get(timeout=120) == generation.document_id
    assert Document.objects.filter(source_type=CONCERTATION_SOURCE, source_id=str(concertation.pk)).count() == 1


# --- Recorded with its cause, relaunched when stuck (issue 16, finding 2) ------------------------------------------


def _queued(callbacks):
    from interop.tasks import generate_document

    return [
        callback.args
        for callback in callbacks
        if getattr(getattr(getattr(callback, "func", None), "__self__", None), "name", "") == generate_document.name
    ]


def test_the_pending_generation_is_recorded_in_the_signing_transaction(personas, codes):
    from django.db import transaction

    from dcc.records.models import DocumentGeneration

    with pytest.raises(RuntimeError), transaction.atomic():
        concertation = concertation_for(personas)
        generation = DocumentGeneration.objects.get(source_type=CONCERTATION_SOURCE, source_id=str(concertation.pk))
        assert generation.status == GenerationStatus.PENDING and generation.requested_by == personas["doctor"]
        raise RuntimeError("rollback")  # the signature and its pending generation go together
    assert not DocumentGeneration.objects.filter(source_type=CONCERTATION_SOURCE).exists()


def test_signed_while_the_broker_is_away_it_stays_pending_and_the_beat_queues_it(
    personas, codes, monkeypatch, django_capture_on_commit_callbacks
):
    from dcc.records.models import DocumentGeneration
    from interop import queueing
    from interop.tasks import generate_document

    def refused(*args, **kwargs):
        raise ConnectionRefusedError("broker away")

    monkeypatch.setattr(generate_document, "apply_async", refused)
    with django_capture_on_commit_callbacks(execute=True):
        concertation = concertation_for(personas)
    generation = DocumentGeneration.objects.get(source_type=CONCERTATION_SOURCE, source_id=str(concertation.pk))
    assert generation.status == GenerationStatus.PENDING

    published = []
    monkeypatch.setattr(generate_document, "apply_async", lambda args, **kwargs: published.append(tuple(args)))
    assert queueing.requeue_pending(older_than_seconds=0) == 1
    assert published == [(CONCERTATION_SOURCE, str(concertation.pk), personas["doctor"].pk)]


def test_a_concertation_document_stuck_pending_is_relaunched_once_by_a_doctor(
    client, personas, codes, settings, django_capture_on_commit_callbacks
):
    import datetime

    from django.utils import timezone

    from dcc.records.models import AccessTrail, DocumentGeneration
    from dcc.worker_status import WORKER_DOWN_NOTICE

    concertation = concertation_for(personas)
    generations = DocumentGeneration.objects.filter(source_type=CONCERTATION_SOURCE)
    page_url = reverse("rcp:concertation", args=[concertation.pk])
    relaunch = reverse("rcp:concertation_document_relaunch", args=[concertation.pk])
    client.force_login(personas["doctor"])
    page = client.get(page_url).content.decode()
    assert relaunch not in page and WORKER_DOWN_NOTICE in page  # no worker heartbeat in this test

    stale = settings.DCC_GENERATION_REQUEUE_SECONDS + 1
    generations.update(updated_at=timezone.now() - datetime.timedelta(seconds=stale))
    page = client.get(page_url).content.decode()
    assert relaunch in page and "Relancer la production du document" in page

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert client.post(relaunch).status_code == 302
        assert client.post(relaunch).status_code == 302
    assert _queued(callbacks) == [(CONCERTATION_SOURCE, concertation.pk, personas["doctor"].pk)]
    assert AccessTrail.objects.filter(detail="relance du document", object_id=str(concertation.pk)).count() == 2


def test_the_concertation_relaunch_by_persona(client, personas, codes):
    from tests.helpers import assert_access

    concertation = concertation_for(personas)
    url = reverse("rcp:concertation_document_relaunch", args=[concertation.pk])
    assert_access(client, personas, url, allowed={"doctor"}, method="post", ok_status=302)
