"""Demo documents, all through the real pipeline: the FRCP of the demo's validated fiches (those of the patients
with a validated PPS first, so the PPS finds its diagnosis), then the PPS documents; plus the official CR-ACP
example, imported as is, which lands in quarantine (its patient is not a demo patient) for the 3C secretary to
review.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

ORDER = 60
EXAMPLE_CR_ACP = Path(settings.BASE_DIR) / "tests" / "interop" / "examples" / "CR_ACP_sein_DCC_v1.5.xml"
PATIENTS = 2


def seed(context: dict) -> None:
    from dcc.records.enums import DocumentOrigin, GenerationStatus, QuarantineStatus
    from dcc.records.models import QuarantinedDocument
    from interop.importing import ImportRefused, document_import
    from interop.queueing import document_generate_or_queue
    from pps.enums import PpsStatus
    from pps.models import Pps, Programme

    log = context["log"]
    candidates = list(
        Pps.objects.filter(status__in=[PpsStatus.VALIDATED, PpsStatus.DELIVERED], establishment__isnull=False)
        .filter(programme=Programme.PPS)  # the PPAC demo files its own documents
        .filter(rcp_fiche__isnull=False)  # its diagnosis comes from the fiche (a PPS « sans RCP » has none)
        .exclude(patient__ins_matricule="")
        .select_related("patient")
        .order_by("pk")[:PATIENTS]
    )
    try:
        from rcp.demo import file_fiche_documents
    except ImportError:  # the RCP app is absent: no fiche to file
        pass
    else:
        file_fiche_documents(log, patients=[pps.patient for pps in candidates])
    produced = failed = queued = 0
    for pps in candidates:
        generation = document_generate_or_queue(source_type="pps.pps", source_id=pps.pk)
        if generation.document_id:
            produced += 1
        elif generation.status == GenerationStatus.PENDING:
            queued += 1
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
    log(
        f"Documents : {produced} PPS produit(s), {failed} en échec, {queued} confié(s) au worker, "
        f"{pending} document(s) en quarantaine"
    )
