"""Demo documents: for a few demo patients with a validated PPS, a migrated fiche RCP (FRCP CDA built for the
patient) and the PPS document produced by the real pipeline; plus the official CR-ACP example, imported as is,
which lands in quarantine (its patient is not a demo patient) for the 3C secretary to review.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.utils import timezone

ORDER = 60
FRCP_TITLE = "Fiche RCP (reprise de l'ancien DCC)"
EXAMPLE_CR_ACP = Path(settings.BASE_DIR) / "tests" / "interop" / "examples" / "CR_ACP_sein_DCC_v1.5.xml"
PATIENTS = 2


def _frcp_for(patient):
    """A valid FRCP for ``patient``, from the interop samples with the patient's own identity."""
    from dataclasses import replace

    from interop.cda import samples
    from interop.documents import produce_frcp
    from interop.model_inputs import patient_identity

    header = replace(samples.header(title=FRCP_TITLE), patient=patient_identity(patient))
    return produce_frcp(header, samples.frcp_appareil(), issuer="3C de démonstration")


def seed(context: dict) -> None:
    from dcc.records.enums import DocumentOrigin, QuarantineStatus
    from dcc.records.models import Document, QuarantinedDocument
    from interop.filing import document_generate
    from interop.importing import ImportRefused, document_import
    from pps.enums import PpsStatus
    from pps.models import Pps

    log = context["log"]
    candidates = list(
        Pps.objects.filter(status__in=[PpsStatus.VALIDATED, PpsStatus.DELIVERED], establishment__isnull=False)
        .exclude(patient__ins_matricule="")
        .select_related("patient")
        .order_by("pk")[:PATIENTS]
    )
    produced = failed = 0
    for pps in candidates:
        patient = pps.patient
        if not Document.objects.filter(patient=patient, title=FRCP_TITLE).exists():
            frcp = _frcp_for(patient)
            if frcp.valid:
                document_import(
                    data=frcp.cda.xml, filename="frcp.xml", origin=DocumentOrigin.MIGRATION, patient=patient,
                    act_date=timezone.now() - dt.timedelta(days=20), title=FRCP_TITLE,
                )  # fmt: skip
        generation = document_generate(source_type="pps.pps", source_id=pps.pk)
        if generation.document_id:
            produced += 1
        else:
            failed += 1
            log(f"Documents : PPS {pps.pk} non produit — {generation.failure_reason.splitlines()[0]}")
    if EXAMPLE_CR_ACP.exists() and not QuarantinedDocument.objects.filter(filename=EXAMPLE_CR_ACP.name).exists():
        try:
            document_import(
                data=EXAMPLE_CR_ACP.read_bytes(), filename=EXAMPLE_CR_ACP.name, origin=DocumentOrigin.MIGRATION
            )
        except ImportRefused as refusal:
            log(f"Documents : exemple CR-ACP refusé — {refusal}")
    pending = QuarantinedDocument.objects.filter(status=QuarantineStatus.PENDING).count()
    log(f"Documents : {produced} PPS produit(s), {failed} en échec, {pending} document(s) en quarantaine")
