"""PDF/A-1b rendering, checked by Apache PDFBox Preflight, and its embedding into CDA documents."""

from __future__ import annotations

import base64
import os
import re

import pytest
from lxml import etree

from interop.cda import builders, samples
from interop.cda.inputs import PdfCopy
from interop.cda.validation import validate_cda
from interop.pdf import preflight
from interop.pdf.render import PdfDocument, PdfPatient, html_to_pdfa

pytestmark = pytest.mark.skipif(
    not preflight.available() and os.environ.get("CI", "").lower() != "true",
    reason="Apache PDFBox Preflight (libpdfbox2-java) n'est pas installé",
)


def test_rendered_document_is_valid_pdfa_1b(sample_pdf):
    report = preflight.preflight(sample_pdf)

    assert report.valid, report.output


def test_preflight_rejects_a_plain_pdf():
    from weasyprint import HTML

    plain = HTML(string="<p>Bonjour</p>").write_pdf()

    report = preflight.preflight(plain)

    assert not report.valid


def test_xmp_declares_pdfa_identification_on_its_description(sample_pdf):
    packet = re.search(rb"<x:xmpmeta.*?</x:xmpmeta>", sample_pdf, re.S).group(0)
    root = etree.fromstring(packet)
    pdfaid = "http://www.aiim.org/pdfa/ns/id/"

    description = root.find(f".//{{{pdfaid}}}part").getparent()
    assert description.nsmap.get("pdfaid") == pdfaid
    assert root.find(f".//{{{pdfaid}}}part").text == "1"
    assert root.find(f".//{{{pdfaid}}}conformance").text == "B"


def test_document_has_french_text_ids_and_page_numbers(sample_pdf):
    from interop.pdf.render import render_html

    html = render_html(
        PdfDocument(
            title="PPS",
            issuer="3C",
            subtitle="",
            patient=PdfPatient(
                birth_family_name="X", given_names="Y", sex_label="Féminin", birth_date=samples.patient().birth_date
            ),
            document_id="DOC-42",
            version=3,
            signed_by="Dr Z",
            signed_role="médecin",
            signed_at=samples.header(title="x").effective_time,
        )
    )

    assert '<html lang="fr">' in html
    assert "Document DOC-42 — version 3" in html
    assert "DataMatrix" not in html
    assert b"/Lang (fr)" in html_to_pdfa(html, title="PPS")
    assert sample_pdf.startswith(b"%PDF-1.4")


def test_the_renderer_reads_data_uris_but_never_the_servers_disk(tmp_path):
    from PIL import Image

    picture = tmp_path / "secret.png"
    Image.new("RGB", (8, 8), "white").save(picture)
    data_uri = "data:image/png;base64," + base64.b64encode(picture.read_bytes()).decode()

    inline = html_to_pdfa(f'<img src="{data_uri}" alt="">', title="Image")
    from_disk = html_to_pdfa(f'<img src="{picture.as_uri()}" alt="">', title="Image")

    assert b"/Subtype /Image" in inline
    assert b"/Subtype /Image" not in from_disk


def test_pdf_embeds_into_frcp_and_n1_documents_that_validate(sample_pdf):
    frcp = builders.build_frcp(samples.header(title="Fiche RCP"), samples.frcp_appareil(), PdfCopy(sample_pdf))
    n1 = builders.build_n1(
        samples.header(title="Attestation de passage en RCP"), PdfCopy(sample_pdf), document_code="34794-8"
    )

    for document in (frcp, n1):
        result = validate_cda(document.xml)
        assert result.valid, result.summary_fr()
    media = etree.fromstring(frcp.xml).find(".//{urn:hl7-org:v3}observationMedia/{urn:hl7-org:v3}value")
    embedded = base64.b64decode(media.text)
    assert embedded == sample_pdf
    assert preflight.preflight(embedded).valid


def _opaque_png() -> bytes:
    import io

    from PIL import Image

    image = Image.new("RGB", (24, 24), "white")
    for x in range(0, 24, 3):
        for y in range(0, 24, 3):
            if (x * 7 + y * 3) % 2:
                image.putpixel((x, y), (0, 0, 0))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def test_fiche_rcp_layout_with_datamatrix_is_valid_pdfa():
    from interop.pdf.layouts import frcp_document
    from interop.pdf.render import render_document, render_html

    header = samples.header(title="Fiche RCP")
    document = frcp_document(header, samples.frcp_appareil(), issuer="3C Vienne", datamatrix_png=_opaque_png())

    html = render_html(document)
    assert 'alt="DataMatrix INS du patient"' in html
    assert "Proposition de la RCP" in html
    assert "Tumorectomie et ganglion sentinelle" in html
    report = preflight.preflight(render_document(document))
    assert report.valid, report.output


def test_pps_layout_renders_and_embeds_into_a_valid_pps():
    from interop.pdf.layouts import pps_document
    from interop.pdf.render import render_document

    header = samples.header(4, title="Programme personnalisé de soins")
    pdf = render_document(pps_document(header, samples.pps(), issuer="CHU de démonstration"))

    assert preflight.preflight(pdf).valid
    result = validate_cda(builders.build_pps(header, samples.pps(), PdfCopy(pdf)).xml)
    assert result.valid, result.summary_fr()


def test_the_pps_is_signed_with_the_signers_own_title_and_role():
    from dataclasses import replace

    from interop.pdf.layouts import pps_document
    from interop.pdf.render import render_html

    def signature(signer) -> str:
        header = replace(samples.header(title="PPS"), author=signer, legal_authenticator=signer)
        html = render_html(pps_document(header, samples.pps(), issuer="3C"))
        return " ".join(etree.tostring(etree.HTML(html), encoding="unicode", method="text").split())

    nurse = replace(samples.professional(9, "SOIGNANTE", "Ida", "G15_60"), title="")
    doctor = replace(samples.COORDINATOR, title="DR")

    assert "par Ida SOIGNANTE, infirmier de coordination" in signature(nurse)
    assert "Dr Ida" not in signature(nurse) and "médecin référent" not in signature(nurse)
    assert "par Dr Claire FICTIF, médecin référent" in signature(doctor)
