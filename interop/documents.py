"""Produce a document end to end, without the database: PDF/A-1b, then CDA embedding it, then validation.

The generation task of the RCP/PPS apps calls these and stores the result only when `produced.valid`; otherwise
`produced.validation.summary_fr()` / `failures[*].message_fr` is what the author sees.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from interop.cda import builders
from interop.cda.builders import BuiltDocument
from interop.cda.inputs import DocumentHeader, FrcpContent, PdfCopy, PpsContent
from interop.cda.validation import ValidationResult, validate_cda
from interop.pdf.layouts import frcp_document, pps_document
from interop.pdf.render import PdfDocument, render_document


@dataclass(frozen=True)
class ProducedDocument:
    pdf: bytes
    cda: BuiltDocument
    validation: ValidationResult

    @property
    def valid(self) -> bool:
        return self.validation.valid

    @property
    def pdf_sha256(self) -> str:
        return hashlib.sha256(self.pdf).hexdigest()

    @property
    def cda_sha256(self) -> str:
        return hashlib.sha256(self.cda.xml).hexdigest()


def produce_frcp(
    header: DocumentHeader,
    content: FrcpContent,
    *,
    issuer: str,
    datamatrix_png: bytes | None = None,
    participants: tuple[str, ...] | None = None,
) -> ProducedDocument:
    """``participants``: everyone present as the PDF lists them (default: the quorum members the CDA carries)."""
    layout = frcp_document(header, content, issuer=issuer, datamatrix_png=datamatrix_png, participants=participants)
    pdf = render_document(layout)
    cda = builders.build_frcp(header, content, PdfCopy(pdf, title="Copie PDF de la fiche RCP"))
    return ProducedDocument(pdf=pdf, cda=cda, validation=validate_cda(cda.xml))


def produce_pps(
    header: DocumentHeader, content: PpsContent, *, issuer: str, datamatrix_png: bytes | None = None
) -> ProducedDocument:
    pdf = render_document(pps_document(header, content, issuer=issuer, datamatrix_png=datamatrix_png))
    cda = builders.build_pps(header, content, PdfCopy(pdf, title="Copie PDF du PPS"))
    return ProducedDocument(pdf=pdf, cda=cda, validation=validate_cda(cda.xml))


def produce_n1(header: DocumentHeader, layout: PdfDocument, *, document_code: str) -> ProducedDocument:
    """Any other produced document (CR de concertation, attestation…): PDF/A-1b body in a CDA N1."""
    pdf = render_document(layout)
    cda = builders.build_n1(header, PdfCopy(pdf, title=layout.title), document_code=document_code)
    return ProducedDocument(pdf=pdf, cda=cda, validation=validate_cda(cda.xml))
