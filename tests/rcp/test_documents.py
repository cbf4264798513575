"""A validated fiche RCP leaves the DCC as FRCP 2025.01 (CDA R2 N3 embedding a PDF/A-1b) filed in the record."""

import os
import time

import pytest
from lxml import etree

from dcc.records.documents_services import document_file_bytes
from dcc.records.enums import DocumentStatus, GenerationStatus, ValidationStatus
from dcc.records.models import Document, DocumentGeneration
from interop.cda.parsing import parse_cda
from interop.cda.validation import validate_cda
from interop.filing import document_generate
from rcp import documents
from rcp.services.agenda import attendance_record
from rcp.services.fiches import fiche_amend
from tests.directory.factories import ProfessionalFactory
from tests.rcp.fiche_documents import fiche_world, validate

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


def _generate(fiche, version: int = 1):
    source = fiche.versions.get(version=version)
    return document_generate(source_type="rcp.ficheversion", source_id=source.pk)


def _xml(document) -> etree._Element:
    return etree.fromstring(document_file_bytes(document, "cda"))


def _pdf_text(fiche, version: int = 1) -> str:
    """The text of the fiche's PDF layout (the HTML WeasyPrint renders), as produced for ``version``."""
    from interop.filing import Chain
    from interop.pdf.layouts import frcp_document
    from interop.pdf.render import render_html

    made = documents.frcp_inputs(fiche.versions.get(version=version), Chain(None, 1, ""))
    html = render_html(frcp_document(made.header, made.content, issuer=made.issuer, participants=made.participants))
    return " ".join(etree.tostring(etree.HTML(html), encoding="unicode", method="text").split())


def test_a_validated_fiche_is_filed_as_a_valid_frcp_with_its_meeting_and_people(personas, settings):
    world = fiche_world(personas)
    gp = ProfessionalFactory(general_practitioner=True, last_name="Generaliste")
    world["patient"].general_practitioner = gp
    world["patient"].save()
    fiche = validate(world, personas)

    generation = _generate(fiche)

    assert generation.status == GenerationStatus.SUCCEEDED, generation.failure_reason
    document = generation.document
    assert (document.type_code, document.status, document.validation_status) == (
        "34794-8",
        DocumentStatus.CURRENT,
        ValidationStatus.VALID,
    )
    assert document.act_date == world["session"].starts_at
    cda = document_file_bytes(document, "cda")
    result = validate_cda(cda)
    assert result.failures == [], result.summary_fr()
    root = etree.fromstring(cda)
    encounter = root.find("cda:componentOf/cda:encompassingEncounter", NS)
    ids = {i.get("root"): i.get("extension") for i in encounter.iterfind("cda:id", NS)}
    rcp, session = world["rcp"], world["session"]
    assert ids == {
        settings.DCC_OID_RRC_ROOT: settings.DCC_RRC_ACRONYM,
        settings.DCC_OID_GESTIONNAIRE_RCP_ROOT: rcp.three_c.code,
        settings.DCC_OID_RCP_ROOT: f"RCP-{rcp.pk}",
        settings.DCC_OID_SESSION_ROOT: f"SEANCE-{session.pk}",
    }
    facility = root.find("cda:componentOf/cda:encompassingEncounter/cda:location/cda:healthCareFacility", NS)
    assert facility.find("cda:id", NS).get("extension") == personas.hospital.finess_geo
    assert facility.findtext("cda:location/cda:name", namespaces=NS) == personas.hospital.name

    def rpps_of(participant):
        return participant.find(".//cda:associatedEntity/cda:id", NS).get("extension")

    participants = {}
    for participant in root.iterfind("cda:participant", NS):
        function = participant.find("cda:functionCode", NS)
        key = function.get("code") or function.findtext("cda:originalText", namespaces=NS)
        participants.setdefault((participant.get("typeCode"), key), []).append(rpps_of(participant))
    doctor = personas["doctor"].professional
    assert participants[("RESP", "PS Coordonnateur de la RCP")] == [world["coordinator"].rpps]
    assert participants[("REFB", "PS Demandeur")] == [doctor.rpps]
    assert participants[("INF", "PCP")] == [gp.rpps]
    assert set(participants[("PRF", "353")]) == {p.rpps for p in _present(fiche)}
    author = root.find("cda:author/cda:assignedAuthor/cda:id", NS).get("extension")
    legal = root.find("cda:legalAuthenticator/cda:assignedEntity/cda:id", NS).get("extension")
    assert author == legal == doctor.rpps
    assert root.find("cda:versionNumber", NS).get("value") == "1"
    assert root.find("cda:relatedDocument", NS) is None
    _, summary = parse_cda(cda)
    assert summary.patient.ins == world["patient"].ins_matricule
    assert document_file_bytes(document, "pdf").startswith(b"%PDF-")
    text = _pdf_text(fiche)
    assert "Proposition de la RCP" in text and "Participants" in text and "Validé le" in text
    assert "Validée hors quorum" not in text


def _present(fiche):
    from dcc.directory.models import Professional

    return Professional.objects.filter(pk__in=[p["professional_id"] for p in fiche.participants])


def test_without_quorum_the_pdf_and_the_cda_say_so_with_the_reason(personas):
    world = fiche_world(personas, quorum=False)
    fiche = validate(world, personas, off_quorum_reason="Chirurgien joint par téléphone")

    document = _generate(fiche).document

    root = _xml(document)
    quorum = [
        obs.find("cda:value", NS).get("code")
        for obs in root.iterfind(".//cda:organizer/cda:component/cda:observation", NS)
        if obs.find("cda:code", NS).get("code") == "ORG-125"
    ]
    assert quorum == ["ORG-133"]
    body = root.find("cda:component/cda:structuredBody", NS)
    narrative = " ".join(etree.tostring(body, encoding="unicode", method="text").split())
    assert narrative.count("Validée hors quorum — motif : Chirurgien joint par téléphone") == 1
    assert validate_cda(document_file_bytes(document, "cda")).failures == []
    text = _pdf_text(fiche)
    assert text.count("Validée hors quorum — motif : Chirurgien joint par téléphone") == 1  # said once, plainly


def test_a_participant_unknown_to_the_rpps_is_printed_but_left_out_of_the_cda(personas):
    from rcp.enums import AttendanceMode

    world = fiche_world(personas)
    guest = ProfessionalFactory(first_name="Invitée", last_name="Sansrpps", rpps=None, specialty_id="G15_10/SM45")
    entries = {p.pk: AttendanceMode.ROOM for p in (personas["doctor"].professional, world["coordinator"], guest)}
    attendance_record(session=world["session"], entries=entries)
    fiche = validate(world, personas)

    document = _generate(fiche).document

    assert "SANSRPPS" in _pdf_text(fiche)
    performers = [p for p in _xml(document).iterfind("cda:participant", NS) if p.get("typeCode") == "PRF"]
    identified = {p.rpps for p in _present(fiche) if p.rpps}
    assert guest.pk in {p.pk for p in _present(fiche)} and len(identified) == len(_present(fiche)) - 1
    assert {p.find(".//cda:associatedEntity/cda:id", NS).get("extension") for p in performers} == identified
    assert b"SANSRPPS" not in document_file_bytes(document, "cda").upper().split(b"<COMPONENT>")[0]
    assert validate_cda(document_file_bytes(document, "cda")).failures == []


def test_the_document_carries_the_signed_snapshot_not_later_edits(personas):
    world = fiche_world(personas)
    fiche = validate(world, personas)
    fiche.case_summary = "Modifié après signature sans amendement"
    fiche.save()

    document = _generate(fiche).document

    text = etree.tostring(_xml(document), encoding="unicode")
    assert "Adénocarcinome du sigmoïde" in text
    assert "Modifié après signature" not in text


def test_an_amendment_becomes_version_2_replacing_version_1(personas):
    world = fiche_world(personas)
    fiche = validate(world, personas)
    first = _generate(fiche).document
    data = {**fiche.content(), "proposition": "Chimiothérapie néoadjuvante ajoutée"}
    fiche = fiche_amend(
        fiche=fiche, data=data, reason="Relecture", expected_revision=fiche.revision, by=personas["doctor"]
    )

    second = _generate(fiche, version=2).document

    first.refresh_from_db()
    assert first.status == DocumentStatus.REPLACED
    assert (second.set_id, second.version, second.replaces_id) == (first.set_id, 2, first.pk)
    root = _xml(second)
    assert root.find("cda:setId", NS).get("root") == first.set_id
    assert root.find("cda:versionNumber", NS).get("value") == "2"
    related = root.find("cda:relatedDocument", NS)
    assert related.get("typeCode") == "RPLC"
    assert related.find("cda:parentDocument/cda:id", NS).get("root") == first.document_id
    assert validate_cda(document_file_bytes(second, "cda")).failures == []
    assert "version 2" in second.title
    inscription = "cda:inFulfillmentOf/cda:order/cda:id"
    assert root.find(inscription, NS).get("root") == _xml(first).find(inscription, NS).get("root")


def _amend(fiche, personas):
    return fiche_amend(
        fiche=fiche, data=fiche.content(), reason="Relecture", expected_revision=fiche.revision, by=personas["doctor"]
    )


def test_version_2_waits_for_version_1_still_on_its_way_then_takes_its_place(personas):
    from interop.filing import PreviousVersionPending

    world = fiche_world(personas)
    fiche = _amend(validate(world, personas), personas)  # both versions requested, neither produced yet
    second = fiche.versions.get(version=2)

    with pytest.raises(PreviousVersionPending):
        _generate(fiche, version=2)
    waiting = DocumentGeneration.objects.get(source_type="rcp.ficheversion", source_id=str(second.pk))
    assert waiting.status == GenerationStatus.PENDING
    assert waiting.transitions.order_by("-pk").first().note == "En attente du document de la version précédente"
    assert not Document.objects.filter(source_type="rcp.ficheversion").exists()

    first = _generate(fiche).document
    latest = _generate(fiche, version=2).document

    assert (latest.set_id, latest.version, latest.replaces_id) == (first.set_id, 2, first.pk)


def test_the_task_gives_up_waiting_with_a_french_reason_and_can_be_relaunched(personas):
    from dcc.records.documents_services import generation_request
    from interop.tasks import generate_document

    world = fiche_world(personas)
    fiche = _amend(validate(world, personas), personas)
    second = fiche.versions.get(version=2)

    generate_document.apply(args=["rcp.ficheversion", second.pk])  # eager: every retry runs at once

    generation = DocumentGeneration.objects.get(source_type="rcp.ficheversion", source_id=str(second.pk))
    assert generation.status == GenerationStatus.FAILED
    assert "version précédente est toujours en cours de production" in generation.failure_reason
    first = _generate(fiche).document
    generation_request(source_type="rcp.ficheversion", source_id=second.pk, patient=world["patient"])
    generate_document.apply(args=["rcp.ficheversion", second.pk])
    latest = Document.objects.get(source_type="rcp.ficheversion", source_id=str(second.pk))
    assert (latest.set_id, latest.version) == (first.set_id, 2)


def test_the_pps_producer_finds_the_filed_frcp(personas):
    from pps.documents import diagnosis_from_record

    world = fiche_world(personas)
    _generate(validate(world, personas))

    diagnosis, _ = diagnosis_from_record(world["patient"])

    assert (diagnosis.topography_code, diagnosis.morphology_code) == ("C18.7", "8140/3")


def test_an_identity_without_a_qualified_ins_is_filed_without_its_ins(personas):
    world = fiche_world(
        personas, qualified=False, retrieved=True
    )  # an INS, but a « récupérée » identity: it may not travel
    fiche = validate(world, personas)

    generation = _generate(fiche)

    assert generation.status == GenerationStatus.SUCCEEDED, generation.failure_reason
    cda = document_file_bytes(generation.document, "cda")
    assert world["patient"].ins_matricule.encode() not in cda
    _, summary = parse_cda(cda)
    assert summary.patient.ins == ""


def test_a_signer_without_rpps_fails_with_a_french_reason(personas):
    world = fiche_world(personas)
    fiche = validate(world, personas)
    pro = personas["doctor"].professional
    pro.rpps = None
    pro.save()

    generation = _generate(fiche)

    assert generation.status == GenerationStatus.FAILED
    assert "RPPS" in generation.failure_reason and "signé" in generation.failure_reason


def test_a_code_outside_its_value_set_fails_with_a_french_reason(personas):
    world = fiche_world(personas)
    fiche = validate(world, personas)
    version = fiche.versions.get()
    version.content = {**version.content, "morphology_code": "9999/9"}
    version.save()

    generation = _generate(fiche)

    assert generation.status == GenerationStatus.FAILED
    assert "9999/9" in generation.failure_reason and "n'appartient pas" in generation.failure_reason


def test_rerunning_is_a_no_op(personas):
    world = fiche_world(personas)
    fiche = validate(world, personas)

    first = _generate(fiche)
    again = _generate(fiche)

    assert again.document_id == first.document_id
    assert Document.objects.filter(source_type="rcp.ficheversion").count() == 1
    assert DocumentGeneration.objects.filter(source_type="rcp.ficheversion").count() == 1


def test_source_info_names_the_patient_and_the_previous_version(personas):
    world = fiche_world(personas)
    fiche = validate(world, personas)
    fiche = fiche_amend(
        fiche=fiche, data=fiche.content(), reason="Relecture", expected_revision=fiche.revision, by=personas["doctor"]
    )
    first, second = fiche.versions.order_by("version")

    assert documents.source_info(first.pk).previous_source_id is None
    info = documents.source_info(second.pk)
    assert (info.patient, info.previous_source_id) == (world["patient"], str(first.pk))


# --- Queueing, the real worker, the PDF/A --------------------------------------------------------------------


def _queued(callbacks) -> list[tuple]:
    from interop.tasks import generate_document

    return [
        cb.args
        for cb in callbacks
        if getattr(getattr(getattr(cb, "func", None), "__self__", None), "name", "") == generate_document.name
    ]


def test_validation_and_amendment_queue_their_document_after_commit(personas, django_capture_on_commit_callbacks):
    world = fiche_world(personas)
    doctor = personas["doctor"]

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        fiche = validate(world, personas)
    first = fiche.versions.get()
    assert _queued(callbacks) == [("rcp.ficheversion", first.pk, doctor.pk)]
    generation = DocumentGeneration.objects.get(source_type="rcp.ficheversion", source_id=str(first.pk))
    assert generation.status == GenerationStatus.PENDING

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        fiche = fiche_amend(
            fiche=fiche, data=fiche.content(), reason="Relecture", expected_revision=fiche.revision, by=doctor
        )
    assert _queued(callbacks) == [("rcp.ficheversion", fiche.versions.get(version=2).pk, doctor.pk)]


@pytest.mark.django_db(transaction=True)
def test_the_real_worker_files_the_validated_fiche_once(celery_queue, route_to_worker):
    from interop.tasks import generate_document
    from tests.personas import build_personas

    route_to_worker(generate_document)
    personas = build_personas()
    world = fiche_world(personas)
    version = validate(world, personas).versions.get()  # committed: queued to the worker

    generation = DocumentGeneration.objects.get(source_type="rcp.ficheversion", source_id=str(version.pk))
    deadline = time.monotonic() + 120
    while generation.status not in (GenerationStatus.SUCCEEDED, GenerationStatus.FAILED):
        assert time.monotonic() < deadline, "le document n'a pas été produit à temps"
        time.sleep(0.5)
        generation.refresh_from_db()
    assert generation.status == GenerationStatus.SUCCEEDED, generation.failure_reason
    again = generate_document.apply_async(args=["rcp.ficheversion", version.pk], queue=celery_queue).get(timeout=120)
    assert again == generation.document_id
    assert Document.objects.filter(source_type="rcp.ficheversion").count() == 1


def test_the_filed_pdf_is_pdfa_1b(personas):
    from interop.pdf import preflight

    if not preflight.available() and os.environ.get("CI", "").lower() != "true":
        pytest.skip("Apache PDFBox Preflight (libpdfbox2-java) n'est pas installé")
    world = fiche_world(personas, quorum=False)
    document = _generate(validate(world, personas, off_quorum_reason="Urgence thérapeutique")).document

    report = preflight.preflight(document_file_bytes(document, "pdf"))

    assert report.valid, report.output


# --- Views ------------------------------------------------------------------------------------------------------

CARE = {"secretary_3c", "doctor", "medical_secretary", "annonce_nurse"}
# The rights table: the medical secretary holds fiche_edit too (issue 16, finding 10).
FICHE_EDITORS = {"secretary_3c", "doctor", "medical_secretary"}


def test_document_fragment_and_relaunch_by_persona(client, personas):
    from django.urls import reverse

    from tests.helpers import assert_access

    world = fiche_world(personas)
    validate(world, personas)
    dossier = world["dossier"]

    assert_access(client, personas, reverse("rcp:fiche_documents", args=[dossier.pk]), allowed=CARE)
    assert_access(
        client,
        personas,
        reverse("rcp:fiche_documents_regenerate", args=[dossier.pk]),
        allowed=FICHE_EDITORS,
        method="post",
        ok_status=302,
    )


def test_the_dossier_page_shows_the_ready_document_with_its_links(client, personas, django_assert_max_num_queries):
    from django.urls import reverse

    world = fiche_world(personas)
    fiche = validate(world, personas)
    document = _generate(fiche).document
    client.force_login(personas["medical_secretary"])

    with django_assert_max_num_queries(30):
        page = client.get(reverse("rcp:dossier", args=[world["dossier"].pk])).content.decode()

    assert "Document prêt" in page
    assert reverse("records:document_detail", args=[document.pk]) in page
    assert reverse("records:document_pdf", args=[document.pk]) in page
    assert reverse("records:documents", args=[world["patient"].pk]) in page
    assert "Relancer la production" not in page
    assert 'hx-trigger="every 2s"' not in page  # nothing left to wait for


def test_a_failed_document_shows_its_reason_and_can_be_relaunched_once(
    client, personas, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    from dcc.records.models import AccessTrail

    world = fiche_world(personas)
    fiche = validate(world, personas)
    pro = personas["doctor"].professional
    pro.specialty_id = None  # the directory changed after signing: the signer can no longer be named
    pro.save()
    _generate(fiche)
    dossier = world["dossier"]
    client.force_login(personas["doctor"])

    page = client.get(reverse("rcp:fiche_documents", args=[dossier.pk])).content.decode()
    assert "Échec" in page and "spécialité" in page and "Relancer la production" in page
    assert AccessTrail.objects.filter(patient_id=world["patient"].pk, detail__contains="suivi de production").exists()

    url = reverse("rcp:fiche_documents_regenerate", args=[dossier.pk])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert client.post(url).status_code == 302
        client.post(url)  # pending now: not queued twice
    assert _queued(callbacks) == [("rcp.ficheversion", fiche.versions.get().pk, personas["doctor"].pk)]
    page = client.get(reverse("rcp:fiche_documents", args=[dossier.pk])).content.decode()
    assert "En attente" in page and 'hx-trigger="every 2s"' in page


# --- Demo ------------------------------------------------------------------------------------------------------


def test_the_demo_files_the_pps_patients_fiches_now_and_queues_the_others(personas, django_capture_on_commit_callbacks):
    from rcp.demo import file_fiche_documents

    world = fiche_world(personas)
    validate(world, personas)
    other = fiche_world(personas)
    other_version = validate(other, personas).versions.get()
    DocumentGeneration.objects.all().delete()  # as the demo's bulk-created fiches: never requested
    lines = []

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        file_fiche_documents(lines.append, patients=[world["patient"]], now=0)

    filed = Document.objects.get(source_type="rcp.ficheversion")
    assert filed.patient == world["patient"] and filed.type_code == "34794-8"
    assert ("rcp.ficheversion", other_version.pk, personas["doctor"].pk) in _queued(callbacks)
    assert lines == ["Fiches RCP : 1 document(s) FRCP produit(s), 0 en échec, 1 confié(s) au worker"]
    file_fiche_documents(lines.append, patients=[world["patient"]], now=0)  # idempotent
    assert Document.objects.filter(source_type="rcp.ficheversion").count() == 1


# --- Stuck « En attente » (issue 16, finding 2) ------------------------------------------------------------------


def _stick(generation_filter, *, seconds: int = 600) -> None:
    """Make pending generations look forgotten: last touched ``seconds`` ago (broker away when they were asked)."""
    import datetime

    from django.utils import timezone

    generation_filter.update(updated_at=timezone.now() - datetime.timedelta(seconds=seconds))


def test_a_generation_stuck_pending_offers_the_relaunch_which_queues_once_and_is_traced(
    client, personas, django_capture_on_commit_callbacks, settings
):
    from django.urls import reverse

    from dcc.records.models import AccessTrail, DocumentTransition
    from dcc.worker_status import heartbeat_write

    heartbeat_write()
    world = fiche_world(personas)
    fiche = validate(world, personas)
    dossier = world["dossier"]
    generations = DocumentGeneration.objects.filter(source_type="rcp.ficheversion")
    client.force_login(personas["doctor"])
    fragment = reverse("rcp:fiche_documents", args=[dossier.pk])

    page = client.get(fragment).content.decode()
    assert "En attente" in page and "Relancer la production" not in page  # just asked: the worker has time
    assert 'data-testid="worker-down"' not in page

    _stick(generations, seconds=settings.DCC_GENERATION_REQUEUE_SECONDS + 1)
    page = client.get(fragment).content.decode()
    assert "En attente" in page and "Relancer la production" in page

    url = reverse("rcp:fiche_documents_regenerate", args=[dossier.pk])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert client.post(url).status_code == 302
        assert client.post(url).status_code == 302  # fresh again: not queued twice
    assert _queued(callbacks) == [("rcp.ficheversion", fiche.versions.get().pk, personas["doctor"].pk)]
    generation = generations.get()
    assert generation.status == GenerationStatus.PENDING
    assert DocumentTransition.objects.filter(generation=generation, note="Relancée (restée en attente)").count() == 1
    assert AccessTrail.objects.filter(patient_id=world["patient"].pk, detail="relance du document").count() == 2
    assert "Relancer la production" not in client.get(fragment).content.decode()


def test_a_running_generation_is_never_relaunched(client, personas, django_capture_on_commit_callbacks):
    from django.urls import reverse

    world = fiche_world(personas)
    validate(world, personas)
    generations = DocumentGeneration.objects.filter(source_type="rcp.ficheversion")
    generations.update(status=GenerationStatus.RUNNING)
    _stick(generations)
    client.force_login(personas["doctor"])

    assert (
        "Relancer la production"
        not in client.get(reverse("rcp:fiche_documents", args=[world["dossier"].pk])).content.decode()
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(reverse("rcp:fiche_documents_regenerate", args=[world["dossier"].pk]))
    assert _queued(callbacks) == []


def test_the_fiche_fragment_says_when_the_worker_does_not_answer(client, personas, settings):
    from django.urls import reverse

    from dcc.worker_status import heartbeat_write

    world = fiche_world(personas)
    validate(world, personas)
    client.force_login(personas["doctor"])
    fragment = reverse("rcp:fiche_documents", args=[world["dossier"].pk])
    notice = "Le service de production des documents ne répond pas : le document sera produit dès son retour."

    heartbeat_write(time.time() - settings.DCC_WORKER_HEARTBEAT_STALE_SECONDS - 5)
    page = client.get(fragment).content.decode()
    assert notice in page and 'role="status"' in page

    heartbeat_write()
    assert notice not in client.get(fragment).content.decode()
