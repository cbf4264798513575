"""Demo of ``interop``: the official CR-ACP example (``interop/demo_data/``), imported as is through the real
import, which lands in quarantine (its patient is not a demo patient) for the 3C secretary to review.

Runs after the PPS demo (ORDER 50), which files the FRCP and PPS documents of the demo patients.
"""

from __future__ import annotations

from pathlib import Path

from dcc.records.enums import DocumentOrigin, QuarantineStatus
from dcc.records.models import QuarantinedDocument
from interop.importing import ImportRefused, document_import

ORDER = 60
EXAMPLE_CR_ACP = Path(__file__).resolve().parent / "demo_data" / "CR_ACP_sein_DCC_v1.5.xml"


def seed(context: dict) -> None:
    log = context["log"]
    if not QuarantinedDocument.objects.filter(filename=EXAMPLE_CR_ACP.name).exists():
        try:
            document_import(
                data=EXAMPLE_CR_ACP.read_bytes(), filename=EXAMPLE_CR_ACP.name, origin=DocumentOrigin.MIGRATION
            )
        except ImportRefused as refusal:
            log(f"Documents : exemple CR-ACP refusé — {refusal}")
    pending = QuarantinedDocument.objects.filter(status=QuarantineStatus.PENDING).count()
    log(f"Documents : {pending} document(s) en quarantaine")
