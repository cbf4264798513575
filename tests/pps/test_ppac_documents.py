"""The PPAC document: a patient-friendly PDF/A-1b in a valid CDA N1, filed on validation, replaced by each version."""

import datetime
import os

import pytest

from dcc.records.documents_services import document_file_bytes
from dcc.records.enums import DocumentOrigin, DocumentStatus, GenerationStatus, ValidationStatus
from interop.cda.parsing import parse_cda
from interop.cda.validation import validate_cda
from interop.filing import Chain, document_generate
from interop.pdf import preflight
from interop.pdf.render import render_html
from pps import ppac_documents
from pps.documents import signed_header
from pps.enums import UpdateReason
from pps.models import AdviceSection
from pps.ppac_selectors import ppac_detail
from pps.ppac_services import ppac_advice_update, ppac_create, ppac_new_version, ppac_validate
from pps.services import pps_contact_add
from tests.directory.factories import ProfessionalFactory
from tests.pps.factories import breast_follow_up_template
from tests.records.documents_helpers import record_patient

pytestmark = pytest.mark.django_db
START = datetime.date(2027, 1, 4)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": str(tmp_path)}},
    }


@pytest.fixture
def nurse(personas):
    return personas["annonce_nurse"]


def validated_ppac(personas, nurse, patient=None):
    patient = patient or record_patient(personas)
    ppac = ppac_create(patient=patient, by=nurse, follow_up_start=START, template=breast_follow_up_template())
    pps_contact_add(
        pps=ppac, professional=ProfessionalFactory(first_name="Inès", last_name="COORDINATION", phone="0549000000"),
        role="Infirmière de coordination", by=nurse, establishment=personas.hospital,
    )  # fmt: skip
    ppac_advice_update(ppac=ppac, by=nurse, texts={AdviceSection.NUTRITION: "Cinq fruits et légumes par jour."})
    return ppac_validate(ppac=ppac, by=nurse)


def test_a_validated_ppac_is_filed_as_a_valid_cda_n1_with_its_pdf(personas, nurse):
    ppac = validated_ppac(personas, nurse)

    generation = document_generate(source_type="pps.ppac", source_id=ppac.pk, requested_by_id=nurse.pk)

    assert generation.status == GenerationStatus.SUCCEEDED, generation.failure_reason
    document = generation.document
    assert (document.type_code, document.title, document.origin) == ("18776-5", "PPAC", DocumentOrigin.PRODUCED)
    assert document.validation_status == ValidationStatus.VALID
    cda = document_file_bytes(document, "cda")
    result = validate_cda(cda)
    assert result.valid and not result.failures, result.summary_fr()
    assert b"<nonXMLBody>" in cda and "<title>Programme personnalisé de l'après-cancer</title>".encode() in cda
    _, summary = parse_cda(cda)
    assert summary.patient.ins == ppac.patient.ins_matricule and summary.version == 1
    assert document_file_bytes(document, "pdf").startswith(b"%PDF-")


@pytest.mark.skipif(
    not preflight.available() and os.environ.get("CI", "").lower() != "true",
    reason="Apache PDFBox Preflight (libpdfbox2-java) n'est pas installé",
)
def test_the_ppac_pdf_is_valid_pdfa_1b(personas, nurse):
    ppac = validated_ppac(personas, nurse)

    document = document_generate(source_type="pps.ppac", source_id=ppac.pk).document

    report = preflight.preflight(document_file_bytes(document, "pdf"))
    assert report.valid, report.output


def test_the_pdf_speaks_to_the_patient_year_by_year_with_who_does_what(personas, nurse):
    ppac = ppac_detail(validated_ppac(personas, nurse).pk)
    signed = signed_header(ppac, Chain(set_id=None, version=1, replaced_document_id=""), title="PPAC", document="Le")

    layout = ppac_documents.layout(ppac, signed)
    html = render_html(layout)

    titles = [section.title for section in layout.sections]
    assert titles[0] == "Votre suivi après le cancer"
    assert "Qui fait quoi" in titles and "Vos contacts" in titles and "Nutrition" in titles
    years = [title for title in titles if title.startswith("Votre calendrier de suivi")]
    assert years == [f"Votre calendrier de suivi — {year}" for year in range(2027, 2033)]
    assert "Suivi à partir du 04/01/2027" in html
    assert "Mammographie bilatérale — Médecin traitant" in html
    assert "Examen clinique — En alternance : équipe hospitalière et médecin traitant" in html
    assert "Infirmière de coordination" in html and "tél. 0549000000" in html
    assert "Cinq fruits et légumes par jour." in html


def test_a_new_ppac_version_replaces_the_previous_document_with_rplc(personas, nurse):
    ppac = validated_ppac(personas, nurse)
    first = document_generate(source_type="pps.ppac", source_id=ppac.pk).document
    new = ppac_new_version(ppac=ppac, by=nurse, reason=UpdateReason.REAJUSTEMENT_PROGRAMME)
    ppac_validate(ppac=new, by=nurse)

    second = document_generate(source_type="pps.ppac", source_id=new.pk).document

    first.refresh_from_db()
    assert first.status == DocumentStatus.REPLACED
    assert (second.set_id, second.version, second.replaces_id) == (first.set_id, 2, first.pk)
    assert second.title == "PPAC — version 2"
    xml = document_file_bytes(second, "cda")
    assert b'typeCode="RPLC"' in xml and first.document_id.encode() in xml
    result = validate_cda(xml)
    assert result.valid and not result.failures, result.summary_fr()


def test_validating_a_ppac_queues_its_document_after_commit(personas, nurse, django_capture_on_commit_callbacks):
    from interop.tasks import generate_document

    patient = record_patient(personas)
    ppac = ppac_create(patient=patient, by=nurse, follow_up_start=START, template=breast_follow_up_template())

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        ppac_validate(ppac=ppac, by=nurse)

    queued = [
        cb.args
        for cb in callbacks
        if getattr(getattr(getattr(cb, "func", None), "__self__", None), "name", "") == generate_document.name
    ]
    assert queued == [("pps.ppac", ppac.pk, nurse.pk)]


def test_a_ppac_of_an_identity_not_qualified_is_filed_without_its_ins(personas, nurse):
    patient = record_patient(personas, qualified=False, retrieved=True)
    ppac = validated_ppac(personas, nurse, patient=patient)

    generation = document_generate(source_type="pps.ppac", source_id=ppac.pk)

    assert generation.status == GenerationStatus.SUCCEEDED, generation.failure_reason
    assert patient.ins_matricule.encode() not in document_file_bytes(generation.document, "cda")


def test_a_draft_ppac_produces_nothing(personas, nurse):
    ppac = ppac_create(
        patient=record_patient(personas), by=nurse, follow_up_start=START, template=breast_follow_up_template()
    )

    generation = document_generate(source_type="pps.ppac", source_id=ppac.pk)

    assert generation.status == GenerationStatus.FAILED
    assert "Le PPAC en brouillon" in generation.failure_reason
