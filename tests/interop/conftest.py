"""Fixtures of the interop tests: official examples and a minimal valid PDF/A from the real renderer."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent / "examples"


def example(name: str) -> bytes:
    return (EXAMPLES / name).read_bytes()


@pytest.fixture(scope="session")
def sample_pdf() -> bytes:
    """A real PDF/A-1b produced by our renderer (rendered once per test session)."""
    from interop.pdf.render import PdfDocument, PdfPatient, PdfSection, render_document

    return render_document(
        PdfDocument(
            title="Fiche RCP",
            issuer="3C Vienne Nord Deux-Sèvres",
            subtitle="RCP Sein — séance du 20/11/2026",
            patient=PdfPatient(
                birth_family_name="TESTPATIENTE",
                given_names="MARIE LOUISE",
                sex_label="Féminin",
                birth_date=dt.date(1960, 3, 12),
                ins="260038600000145",
                ins_oid="1.2.250.1.213.1.4.10",
                ipp="IPP100000",
            ),
            document_id="0F9C2F0E-5D1B-4B6B-9D67-7C2C3A3D2E10",
            version=1,
            signed_by="Dr Claire FICTIF",
            signed_role="médecin coordonnateur de la RCP",
            signed_at=dt.datetime(2026, 11, 20, 17, 30),
            sections=(
                PdfSection(title="Synthèse du cas", paragraphs=("Patiente de 66 ans, dépistage ACR5.",)),
                PdfSection(
                    title="Proposition de la RCP",
                    paragraphs=("1. Tumorectomie et ganglion sentinelle", "2. Radiothérapie adjuvante"),
                    highlight=True,
                ),
                PdfSection(title="Diagnostic", rows=(("Morphologie (CIM-O-3)", "8500/3"), ("Topographie", "C50.4"))),
            ),
            participants=("Dr Claire FICTIF (oncologie)", "Dr Marc EXEMPLE (chirurgie)"),
        )
    )
