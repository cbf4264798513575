"""End-to-end production of a document (PDF/A-1b, CDA, validation) without the database."""

from __future__ import annotations

import base64
import dataclasses
import hashlib

from lxml import etree

from interop.cda import samples
from interop.cda.validation import validate_cda
from interop.documents import produce_frcp, produce_n1, produce_pps
from interop.pdf.layouts import pdf_patient
from interop.pdf.render import PdfDocument, PdfSection


def embedded_pdf(xml: bytes) -> bytes:
    media = etree.fromstring(xml).find(".//{urn:hl7-org:v3}observationMedia/{urn:hl7-org:v3}value")
    return base64.b64decode(media.text)


def test_produce_frcp_embeds_its_own_pdf_and_validates():
    header = samples.header(11, title="Fiche RCP")

    produced = produce_frcp(header, samples.frcp_transversale(), issuer="3C Vienne Nord Deux-Sèvres")

    assert produced.valid, produced.validation.summary_fr()
    assert embedded_pdf(produced.cda.xml) == produced.pdf
    assert produced.pdf_sha256 == hashlib.sha256(produced.pdf).hexdigest()
    assert produced.cda.document_id == header.document_id


def test_an_frcp_without_tnm_staging_validates_with_a_tnm_without_information():
    """Lymphomas (no TNM staging) or a TNM not filled: the volet's required TNM entry says « no information »."""
    content = samples.frcp_transversale()
    content = dataclasses.replace(content, diagnosis=dataclasses.replace(content.diagnosis, tnm=None))

    produced = produce_frcp(samples.header(13, title="Fiche RCP"), content, issuer="3C Vienne Nord Deux-Sèvres")

    assert produced.valid, produced.validation.summary_fr()
    tnm = etree.fromstring(produced.cda.xml).xpath(
        "//cda:observation[cda:code/@code='75620-5']", namespaces={"cda": "urn:hl7-org:v3"}
    )
    assert len(tnm) == 1 and tnm[0].find("{urn:hl7-org:v3}value").get("nullFlavor") == "NI"


def test_produce_pps_validates():
    produced = produce_pps(samples.header(12, title="PPS"), samples.pps(), issuer="CHU de démonstration")

    assert produced.valid, produced.validation.summary_fr()
    assert embedded_pdf(produced.cda.xml) == produced.pdf


def test_produce_n1_attendance_certificate():
    header = samples.header(13, title="Attestation de présentation en RCP")
    layout = PdfDocument(
        title="Attestation de présentation en RCP",
        issuer="3C Vienne Nord Deux-Sèvres",
        subtitle="RCP Sein — séance du 20/11/2026",
        patient=pdf_patient(header.patient),
        document_id=header.document_id,
        version=1,
        signed_by="Dr Claire FICTIF",
        signed_role="médecin coordonnateur",
        signed_at=header.effective_time,
        sections=(PdfSection(title="Attestation", paragraphs=("Le dossier a été présenté en RCP.",)),),
    )

    produced = produce_n1(header, layout, document_code="34794-8")

    assert produced.valid, produced.validation.summary_fr()


def test_a_tampered_produced_document_is_reported_invalid_in_french():
    produced = produce_pps(samples.header(14, title="PPS"), samples.pps(), issuer="CHU")
    broken = produced.cda.xml.replace(b'<confidentialityCode code="N"', b'<confidentialityCode code="Z"')
    assert broken != produced.cda.xml

    result = validate_cda(broken)
    assert not result.valid
    assert any("x_BasicConfidentialityKind" in f.message_fr for f in result.failures)
