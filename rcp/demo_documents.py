"""Demo links between the RCP and the patient record: attachments of a few coming demandes d'avis, and two CR de
concertation filed as CDA N1 documents. Called by ``rcp.demo.seed``; idempotent.

The record has no demo of its own (the FRCP and PPS documents are filed later by ``pps.demo_documents``), so
the documents attached here are written here: synthetic reports (CR-ACP, imaging) of the patients registered,
as migrated documents.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from dcc.accounts.models import User
from dcc.records.documents_services import document_store
from dcc.records.enums import DocumentOrigin
from identity.selectors import visible_patients
from interop.filing import document_generate
from interop.model_inputs import datamatrix_png, patient_identity
from interop.pdf.layouts import pdf_patient
from interop.pdf.render import PdfDocument, PdfSection, render_document
from rcp.concertation_documents import CONCERTATION_SOURCE
from rcp.demo_diseases import disease_for
from rcp.enums import DossierStatus, SessionStatus
from rcp.models import Concertation, Dossier, DossierAttachment
from rcp.services.concertations import concertation_create
from rcp.services.dossiers import dossier_attachments_set

ATTACHED_DOSSIERS = 2
CONCERTATIONS = 2
# (LOINC type, title, issuer, signer role, section title, conclusion)
REPORTS = [
    (
        "11526-1",
        "CR d'anatomopathologie — biopsie",
        "Laboratoire d'anatomie pathologique (démonstration)",
        "médecin pathologiste",
        "Conclusion",
        "Adénocarcinome moyennement différencié, infiltrant (patient fictif, données de démonstration).",
    ),
    (
        "18748-4",
        "Scanner thoraco-abdomino-pelvien",
        "Service d'imagerie médicale (démonstration)",
        "médecin radiologue",
        "Conclusion",
        "Lésion primitive sans localisation secondaire décelable (patient fictif, données de démonstration).",
    ),
]


def _report_pdf(patient, *, title: str, issuer: str, role: str, section: str, text: str, when) -> bytes:
    layout = PdfDocument(
        title=title,
        issuer=issuer,
        subtitle=f"Examen du {when:%d/%m/%Y}",
        patient=pdf_patient(patient_identity(patient), datamatrix_png(patient)),
        document_id=f"DEMO-{patient.pk}-{title[:8]}",
        version=1,
        signed_by="Dr Démonstration",
        signed_role=role,
        signed_at=when,
        sections=(PdfSection(title=section, paragraphs=(text,)),),
    )
    return render_document(layout)


def _attach_reports(dossiers) -> int:
    attached = 0
    for dossier in dossiers:
        documents = []
        for days, (type_code, title, issuer, role, section, text) in zip((21, 12), REPORTS, strict=True):
            when = timezone.now() - dt.timedelta(days=days)
            pdf = _report_pdf(
                dossier.patient, title=title, issuer=issuer, role=role, section=section, text=text, when=when
            )
            stored = document_store(
                patient=dossier.patient,
                type_code=type_code,
                title=title,
                origin=DocumentOrigin.MIGRATION,
                act_date=when,
                pdf=pdf,
                author_label=issuer,
            )
            documents.append(stored)
        dossier_attachments_set(dossier=dossier, documents=documents, by=dossier.created_by)
        attached += len(documents)
    return attached


def _concertations(doctor, dossiers, *, log) -> tuple[int, int]:
    produced = failed = 0
    for dossier in dossiers:
        rcp = dossier.session.rcp
        colleagues = [
            m.professional for m in rcp.members.select_related("professional") if m.professional != doctor.professional
        ]
        treatments = disease_for(rcp)[3]
        concertation = concertation_create(
            patient=dossier.patient,
            requesting_doctor=doctor.professional,
            consulted=colleagues[:2],
            question="Évolution sous traitement : faut-il modifier la stratégie avant la prochaine RCP ?",
            opinion="Poursuite du traitement en cours ; réévaluation par imagerie dans trois mois (démonstration).",
            # « Poursuite du traitement en cours »: a treatment that goes on (not the surgery, done once).
            treatment_codes=[code for code in treatments if code != "387713003"][:1] or treatments[:1],
            rcp=rcp,
            by=doctor,
        )
        generation = document_generate(source_type=CONCERTATION_SOURCE, source_id=concertation.pk)
        if generation.document_id:
            produced += 1
        else:
            failed += 1
            log(f"Concertation {concertation.pk} : document non produit — {generation.failure_reason.splitlines()[0]}")
    return produced, failed


def seed_record_documents(context: dict) -> None:
    log = context["log"]
    doctor = User.objects.filter(email="medecin@demo.dcc.test", professional__isnull=False).first()
    if doctor is None:
        return
    # A list, not a subquery: the plan must not hinge on the fresh tables' row estimates.
    in_care = list(visible_patients(doctor).exclude(ins_matricule="").values_list("pk", flat=True))
    attached = produced = failed = 0
    if not DossierAttachment.objects.exists():
        coming = (
            Dossier.objects.filter(status=DossierStatus.REGISTERED, session__status=SessionStatus.PLANNED)
            .filter(patient__in=in_care)
            .select_related("patient", "created_by")
            .order_by("session__starts_at", "position")[:ATTACHED_DOSSIERS]
        )
        attached = _attach_reports(list(coming))
    if not Concertation.objects.exists():
        validated = (
            Dossier.objects.filter(status=DossierStatus.VALIDATED, patient__in=in_care)
            .select_related("patient", "session__rcp")
            .order_by("-session__starts_at")[:CONCERTATIONS]
        )
        produced, failed = _concertations(doctor, list(validated), log=log)
    log(
        f"RCP et dossier documentaire : {attached} pièce(s) jointe(s), {produced} compte(s) rendu(s) de "
        f"concertation produit(s), {failed} en échec"
    )
