"""Import of external documents (upload, bulk migration): check the file, match the patient, validate, file.

- A file that is not what it claims (a "PDF" without the PDF signature, XML that is not XML, a DTD or entity,
  an oversized file) is *refused* with a French reason: nothing is stored, the sender keeps the file.
- A CDA whose patient cannot be matched safely (unknown patient, INS disagreeing with the traits, document
  for another patient than the one chosen) goes to *quarantine* for a human: never a silent attach.
- A CDA that breaks the ANS rules is still filed, flagged *non conforme* with the report.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from dcc.records import documents_services as services
from dcc.records.enums import DOCUMENT_TYPES, DocumentStatus, ValidationStatus
from dcc.records.models import Document
from identity.models import LocalIdentifier, Patient
from interop.cda.parsing import PatientTraits, UnsafeDocumentError, parse_cda
from interop.cda.validation import validate_cda

MAX_IMPORT_BYTES = 20 * 1024 * 1024
PDF_MAGIC = b"%PDF-"


class ImportRefused(ValueError):
    """The file is refused; the message is French, for the sender."""


@dataclass(frozen=True)
class ImportOutcome:
    document: Document | None = None
    quarantined: object = None

    @property
    def message_fr(self) -> str:
        if self.document is not None:
            flag = "" if self.document.validation_status != ValidationStatus.INVALID else " (non conforme, signalé)"
            return f"Document « {self.document.title} » ajouté au dossier{flag}."
        return f"Document mis en quarantaine : {self.quarantined.reason}"


def _norm(value: str) -> str:
    text = unicodedata.normalize("NFKD", value or "").encode("ascii", "ignore").decode().upper()
    return " ".join(text.replace("-", " ").replace("'", " ").split())


def traits_disagreement(patient: Patient, traits: PatientTraits) -> str:
    """A French sentence naming the strict traits the document and the identity disagree on (empty if none)."""
    wrong = []
    if traits.birth_family_name and _norm(traits.birth_family_name) != _norm(patient.birth_name):
        wrong.append("nom de naissance")
    if traits.birth_date and traits.birth_date != patient.birth_date:
        wrong.append("date de naissance")
    if traits.sex in ("M", "F") and traits.sex != patient.sex:
        wrong.append("sexe")
    first = traits.first_given_name or (traits.given_names[0] if traits.given_names else "")
    if first and _norm(first).split()[0] != _norm(patient.first_given_name).split()[0]:
        wrong.append("premier prénom")
    return ", ".join(wrong)


def _traits_dict(traits: PatientTraits) -> dict:
    return {
        "ins": traits.ins,
        "ipp": [f"{root}^{ext}" for root, ext in traits.local_ids],
        "nom_de_naissance": traits.birth_family_name,
        "prenoms": " ".join(traits.given_names),
        "sexe": traits.sex,
        "date_de_naissance": traits.birth_date.isoformat() if traits.birth_date else "",
    }


def match_patient(traits: PatientTraits) -> tuple[Patient | None, str]:
    """The patient a CDA is about, by INS, or by IPP + traits; else ``(None, French reason)``."""
    if traits.ins:
        patient = Patient.objects.current().filter(ins_matricule=traits.ins).first()
        if patient is None:
            return None, f"Aucun patient connu avec l'INS {traits.ins}."
        wrong = traits_disagreement(patient, traits)
        if wrong:
            return None, f"L'INS {traits.ins} est connu mais les traits d'identité du document diffèrent ({wrong})."
        return patient, ""
    for root, extension in traits.local_ids:
        local = (
            LocalIdentifier.objects.select_related("patient", "establishment")
            .filter(value=extension, establishment__oid=root, patient__merged_into__isnull=True)
            .first()
        )
        if local is not None:
            wrong = traits_disagreement(local.patient, traits)
            if wrong:
                return None, f"L'IPP {extension} est connu mais les traits d'identité du document diffèrent ({wrong})."
            return local.patient, ""
    return None, "Le document ne porte ni INS ni IPP connu : le patient ne peut pas être identifié."


def file_kind(data: bytes, filename: str) -> str:
    if data.startswith(PDF_MAGIC):
        return "pdf"
    if filename.lower().endswith(".pdf"):
        raise ImportRefused(f"« {filename} » porte l'extension .pdf mais n'est pas un fichier PDF.")
    if filename.lower().endswith(".xml") or data.lstrip()[:1] == b"<":
        return "cda"
    raise ImportRefused(f"« {filename} » n'est ni un PDF ni un document CDA (XML).")


def _act_moment(value) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    return timezone.make_aware(dt.datetime.combine(value, dt.time(12)))


def document_import(
    *,
    data: bytes,
    filename: str,
    origin: str,
    by=None,
    patient: Patient | None = None,
    type_code: str = "",
    act_date: dt.date | dt.datetime | None = None,
    title: str = "",
    max_bytes: int = MAX_IMPORT_BYTES,
    replaces: Document | None = None,
) -> ImportOutcome:
    """Import one file. ``patient`` is the record it is meant for (upload from a record page, manifest line).

    ``replaces`` names the version this CDA replaces (HL7 MDM^T10, TXA-13) instead of the current version of
    the same setId.
    """
    if len(data) > max_bytes:
        raise ImportRefused(
            f"« {filename} » est trop volumineux ({len(data) // (1024 * 1024)} Mo) : "
            f"la limite est de {max_bytes // (1024 * 1024)} Mo."
        )
    kind = file_kind(data, filename)
    if kind == "pdf":
        if patient is None:
            raise ImportRefused(f"« {filename} » : un PDF doit être rattaché à un patient désigné.")
        if not type_code or act_date is None:
            raise ImportRefused(f"« {filename} » : indiquez le type et la date du document.")
        document = services.document_store(
            patient=patient,
            type_code=type_code,
            title=title or DOCUMENT_TYPES.get(type_code, filename),
            origin=origin,
            act_date=_act_moment(act_date),
            pdf=data,
            author_label="",
        )
        return ImportOutcome(document=document)
    try:
        _, summary = parse_cda(data, max_bytes=max_bytes)
    except UnsafeDocumentError as error:
        raise ImportRefused(f"« {filename} » : {error}") from error
    if Document.objects.filter(document_id=summary.document_id).exists():
        raise ImportRefused(f"« {filename} » : ce document (identifiant {summary.document_id}) est déjà importé.")
    matched, reason = match_patient(summary.patient)
    if matched is not None and patient is not None and matched.pk != patient.pk:
        matched, reason = None, "Le document concerne un autre patient que celui du dossier choisi."
    if matched is None and patient is not None and not summary.patient.ins and not reason.startswith("L'IPP"):
        wrong = traits_disagreement(patient, summary.patient)
        matched, reason = (None, f"Les traits d'identité du document diffèrent ({wrong}).") if wrong else (patient, "")
    moment = _act_moment(summary.effective_time) or _act_moment(act_date) or timezone.now()
    if matched is None:
        return ImportOutcome(
            quarantined=services.quarantine_add(
                data=data,
                filename=filename,
                file_kind="cda",
                reason=reason,
                origin=origin,
                type_code=summary.code or type_code,
                title=summary.title or title,
                act_date=moment,
                traits=_traits_dict(summary.patient),
                suggested_patient=patient,
                uploaded_by=by,
            )
        )
    result = validate_cda(data)
    with transaction.atomic():
        previous = (
            replaces
            or Document.objects.filter(patient=matched, set_id=summary.set_id, status=DocumentStatus.CURRENT).first()
        )
        document = services.document_store(
            patient=matched,
            type_code=summary.code or type_code,
            title=summary.title or title or filename,
            origin=origin,
            act_date=moment,
            cda=data,
            document_id=summary.document_id,
            set_id=summary.set_id,
            replaces=previous,
            confidentiality=summary.confidentiality if summary.confidentiality in ("N", "R", "V") else "N",
            validation_status=ValidationStatus.VALID if result.valid else ValidationStatus.INVALID,
            validation_report=result.summary_fr(),
        )
    return ImportOutcome(document=document)
