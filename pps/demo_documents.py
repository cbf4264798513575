"""Demo documents of the PPS, all through the real pipeline: the FRCP of the validated fiches of the patients
with a validated PPS first (so the PPS finds its diagnosis), then the PPS documents. Called by ``pps.demo.seed``
once the PPS exist; idempotent.
"""

from __future__ import annotations

from dcc.records.enums import GenerationStatus
from interop.queueing import document_generate_or_queue
from pps.enums import PpsStatus
from pps.models import Pps, Programme
from rcp.demo import file_fiche_documents

PATIENTS = 2


def seed_documents(context: dict) -> None:
    log = context["log"]
    candidates = list(
        Pps.objects.filter(status__in=[PpsStatus.VALIDATED, PpsStatus.DELIVERED], establishment__isnull=False)
        .filter(programme=Programme.PPS)  # the PPAC demo files its own documents
        .filter(rcp_fiche__isnull=False)  # its diagnosis comes from the fiche (a PPS « sans RCP » has none)
        .exclude(patient__ins_matricule="")
        .select_related("patient")
        .order_by("pk")[:PATIENTS]
    )
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
    log(f"Documents : {produced} PPS produit(s), {failed} en échec, {queued} confié(s) au worker")
