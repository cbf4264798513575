"""The patient summary (« Synthèse du patient »): identity, coming and past RCP passages with their fiches,
PPS and PPAC, latest documents, and whom to call. Read-only; it lives in ``pps``, the app that already reads
the RCP and the record together (the dependency order lets it import ``rcp`` and ``dcc.records``)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils import timezone

from dcc.records.enums import CareRelationshipKind, DocumentStatus
from dcc.records.models import CareRelationship, Document
from identity.models import Patient
from pps.models import Pps, PpsContact
from rcp.enums import DossierStatus
from rcp.models import Dossier

COMING = (DossierStatus.DRAFT, DossierStatus.REGISTERED, DossierStatus.PRESENTED)
DOCUMENTS_SHOWN = 8


@dataclass(frozen=True)
class Contact:
    role: str
    name: str
    reach: str  # phone, e-mail or MSSanté address


@dataclass(frozen=True)
class Summary:
    patient: Patient
    coming: list
    past: list
    programmes: list
    documents: list
    document_count: int
    contacts: list[Contact]


def _contacts(patient: Patient, dossiers: list, programmes: list) -> list[Contact]:
    contacts: list[Contact] = []
    seen = set()

    def add(role, name, reach):
        if (role, name) not in seen and name:
            seen.add((role, name))
            contacts.append(Contact(role, name, reach))

    gp = patient.general_practitioner
    if gp is not None:
        add("Médecin traitant", gp.display_name, gp.phone or gp.mss_address or "")
    for dossier in dossiers[:5]:
        doctor = dossier.requesting_doctor
        add("Médecin demandeur de la RCP", doctor.display_name, doctor.phone or doctor.mss_address or "")
    for programme in programmes:
        for contact in programme.contacts.all():
            add(contact.role, contact.professional.display_name, contact.phone or contact.professional.phone or "")
    links = CareRelationship.objects.current().filter(patient=patient, kind=CareRelationshipKind.THREE_C)
    for link in links.select_related("three_c"):
        three_c = link.three_c
        add("Secrétariat du 3C", three_c.name, three_c.phone or three_c.email or "")
    return contacts


def patient_summary(patient: Patient) -> Summary:
    dossiers = list(
        Dossier.objects.filter(patient=patient)
        .select_related("session__rcp", "requesting_doctor", "fiche__validated_by")
        .order_by("-session__starts_at")
    )
    now = timezone.now()
    coming = [d for d in dossiers if d.status in COMING and d.session.starts_at >= now]
    past = [d for d in dossiers if d not in coming]
    programmes = list(
        Pps.objects.filter(patient=patient)
        .prefetch_related(Prefetch("contacts", queryset=PpsContact.objects.select_related("professional")))
        .order_by("-created_at")
    )
    documents = Document.objects.filter(patient=patient, status=DocumentStatus.CURRENT).order_by("-act_date")
    return Summary(
        patient=patient,
        coming=list(reversed(coming)),
        past=past,
        programmes=programmes,
        documents=list(documents[:DOCUMENTS_SHOWN]),
        document_count=documents.count(),
        contacts=_contacts(patient, dossiers, programmes),
    )
