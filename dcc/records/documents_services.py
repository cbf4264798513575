"""Writes of the record's documents: storing a version (replacing the previous one) and generation statuses.

Files are written through Django's storage API with their SHA-256; the row, the replaced status of the
previous version and the transition lines commit together.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from dcc.records.documents import document_ready_emit, document_stored_emit
from dcc.records.enums import DOCUMENT_TYPES, DocumentStatus, GenerationStatus, ValidationStatus
from dcc.records.models import Document, DocumentGeneration, DocumentTransition


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@transaction.atomic
def document_store(
    *,
    patient,
    type_code: str,
    title: str,
    origin: str,
    act_date: dt.datetime,
    pdf: bytes | None = None,
    cda: bytes | None = None,
    document_id: str = "",
    set_id: str = "",
    replaces: Document | None = None,
    author=None,
    author_label: str = "",
    establishment=None,
    confidentiality: str = "N",
    validation_status: str = ValidationStatus.NOT_APPLICABLE,
    validation_report: str = "",
    source_type: str = "",
    source_id: str = "",
) -> Document:
    """Store one document version; when ``replaces`` is given it becomes *replaced* and the new one version n+1."""
    if not pdf and not cda:
        raise ValueError("Un document doit comporter un fichier PDF ou CDA.")
    version = 1
    if replaces is not None:
        replaces = Document.objects.select_for_update().get(pk=replaces.pk)
        if replaces.status == DocumentStatus.REPLACED:
            raise ValueError("Cette version a déjà été remplacée.")
        set_id, version = replaces.set_id, replaces.version + 1
    document = Document(
        patient=patient,
        type_code=type_code,
        type_label=DOCUMENT_TYPES.get(type_code, type_code),
        title=title[:255],
        origin=origin,
        act_date=act_date,
        document_id=document_id or str(uuid.uuid4()).upper(),
        set_id=set_id or str(uuid.uuid4()).upper(),
        version=version,
        replaces=replaces,
        author=author,
        author_label=author_label or (str(author) if author is not None else ""),
        establishment=establishment,
        confidentiality=confidentiality,
        validation_status=validation_status,
        validation_report=validation_report,
        validated_at=timezone.now() if validation_status != ValidationStatus.NOT_APPLICABLE else None,
        source_type=source_type,
        source_id=str(source_id) if source_id != "" else "",
    )
    if pdf:
        document.pdf_sha256 = sha256(pdf)
        document.pdf_file.save(f"{document.document_id}.pdf", ContentFile(pdf), save=False)
    if cda:
        document.cda_sha256 = sha256(cda)
        document.cda_file.save(f"{document.document_id}.xml", ContentFile(cda), save=False)
    document.save()
    DocumentTransition.objects.create(document=document, to_status=document.status, note=f"Version {version}")
    if replaces is not None:
        replaces.status = DocumentStatus.REPLACED
        replaces.save(update_fields=["status"])
        DocumentTransition.objects.create(
            document=replaces,
            from_status=DocumentStatus.CURRENT,
            to_status=DocumentStatus.REPLACED,
            note=f"Remplacé par la version {version}",
        )
    document_stored_emit(document)
    transaction.on_commit(lambda: document_ready_emit(document))
    return document


def file_checksum_matches(document: Document, field: str) -> bool:
    """Whether the stored file still has the checksum recorded when it was stored."""
    stored = getattr(document, f"{field}_file")
    expected = getattr(document, f"{field}_sha256")
    if not stored:
        return False
    return sha256(document_file_bytes(document, field)) == expected


@transaction.atomic
def generation_start(*, source_type: str, source_id, patient, requested_by=None) -> tuple[DocumentGeneration, bool]:
    """Get (locked) or create the generation of one source; returns ``(generation, should_run)``."""
    generation, _ = DocumentGeneration.objects.get_or_create(
        source_type=source_type,
        source_id=str(source_id),
        defaults={"patient": patient, "requested_by": requested_by},
    )
    generation = DocumentGeneration.objects.select_for_update().get(pk=generation.pk)
    if generation.status == GenerationStatus.SUCCEEDED:
        return generation, False
    _set_status(generation, GenerationStatus.RUNNING, attempts=generation.attempts + 1)
    return generation, True


@transaction.atomic
def generation_request(
    *, source_type: str, source_id, patient, requested_by=None, relaunch: bool = False
) -> tuple[DocumentGeneration, bool]:
    """Record that the document of one source is wanted, before its task runs, so the page shows it pending.

    A failed generation goes back to pending (regenerate); with ``relaunch``, a generation stuck pending
    (``is_stuck``) is touched so it is queued once more; a running, succeeded or recently pending one is left alone.
    Returns ``(generation, should_queue)``.
    """
    generation, created = DocumentGeneration.objects.get_or_create(
        source_type=source_type,
        source_id=str(source_id),
        defaults={"patient": patient, "requested_by": requested_by},
    )
    if created:
        DocumentTransition.objects.create(generation=generation, to_status=generation.status, note="Demandée")
        return generation, True
    generation = DocumentGeneration.objects.select_for_update().get(pk=generation.pk)
    if generation.status == GenerationStatus.FAILED:
        _set_status(generation, GenerationStatus.PENDING, note="Relancée", requested_by=requested_by)
        return generation, True
    if relaunch and generation.is_stuck:
        # Touching ``updated_at`` makes it fresh: a second relaunch (or the beat) does not queue it again.
        _set_status(generation, GenerationStatus.PENDING, note="Relancée (restée en attente)")
        return generation, True
    return generation, False


def _set_status(generation: DocumentGeneration, status: str, *, note: str = "", **fields) -> None:
    previous = generation.status
    generation.status = status
    for name, value in fields.items():
        setattr(generation, name, value)
    generation.save(update_fields=["status", "updated_at", *fields])
    DocumentTransition.objects.create(generation=generation, from_status=previous, to_status=status, note=note[:500])


@transaction.atomic
def generation_fail(*, generation: DocumentGeneration, reason: str) -> DocumentGeneration:
    """Record why the document could not be produced (French, shown to the author); nothing is stored."""
    generation = DocumentGeneration.objects.select_for_update().get(pk=generation.pk)
    _set_status(generation, GenerationStatus.FAILED, failure_reason=reason, note=reason.splitlines()[0])
    return generation


@transaction.atomic
def generation_wait(*, generation: DocumentGeneration, note: str) -> DocumentGeneration:
    """Put a started generation back to pending: its task will run again later (``note`` says why)."""
    generation = DocumentGeneration.objects.select_for_update().get(pk=generation.pk)
    _set_status(generation, GenerationStatus.PENDING, note=note)
    return generation


@transaction.atomic
def generation_succeed(*, generation: DocumentGeneration, document: Document) -> DocumentGeneration:
    generation = DocumentGeneration.objects.select_for_update().get(pk=generation.pk)
    _set_status(generation, GenerationStatus.SUCCEEDED, document=document, failure_reason="")
    return generation


def document_file_bytes(document: Document, field: str) -> bytes:
    """The stored bytes of ``document``'s ``pdf`` or ``cda`` file (opened and closed here)."""
    stored = getattr(document, f"{field}_file")
    with stored.open("rb") as handle:
        return handle.read()


@transaction.atomic
def document_validation_update(*, document: Document, valid: bool, report: str) -> Document:
    """Record the outcome of a (re)validation of the document's CDA."""
    document.validation_status = ValidationStatus.VALID if valid else ValidationStatus.INVALID
    document.validation_report = report
    document.validated_at = timezone.now()
    document.save(update_fields=["validation_status", "validation_report", "validated_at"])
    return document


@transaction.atomic
def document_withdraw(*, document: Document, note: str) -> Document:
    """The sender withdrew this document (HL7 MDM^T04): it stays readable, marked *retiré*."""
    document = Document.objects.select_for_update().get(pk=document.pk)
    if document.status == DocumentStatus.WITHDRAWN:
        return document
    before = document.status
    document.status = DocumentStatus.WITHDRAWN
    document.save(update_fields=["status"])
    DocumentTransition.objects.create(
        document=document, from_status=before, to_status=DocumentStatus.WITHDRAWN, note=note[:500]
    )
    return document


@transaction.atomic
def quarantine_add(
    *,
    data: bytes,
    filename: str,
    file_kind: str,
    reason: str,
    origin: str,
    type_code: str = "",
    title: str = "",
    act_date=None,
    traits: dict | None = None,
    suggested_patient=None,
    uploaded_by=None,
):
    """Keep a file that cannot be attached safely, with the French reason, for a human to decide."""
    from dcc.records.models import QuarantinedDocument

    item = QuarantinedDocument(
        filename=filename[:255],
        file_kind=file_kind,
        sha256=sha256(data),
        type_code=type_code,
        title=title[:255],
        act_date=act_date,
        origin=origin,
        reason=reason,
        traits=traits or {},
        suggested_patient=suggested_patient,
        uploaded_by=uploaded_by,
    )
    item.file.save(filename[-100:] or "document", ContentFile(data), save=False)
    item.save()
    return item


@transaction.atomic
def quarantine_reject(*, item, by, note: str):
    from dcc.records.enums import QuarantineStatus
    from dcc.records.models import QuarantinedDocument

    item = QuarantinedDocument.objects.select_for_update().get(pk=item.pk)
    if item.status != QuarantineStatus.PENDING:
        raise ValueError("Ce document a déjà été traité.")
    item.status, item.resolved_by, item.resolved_at = QuarantineStatus.REJECTED, by, timezone.now()
    item.resolution_note = note[:500]
    item.save(update_fields=["status", "resolved_by", "resolved_at", "resolution_note"])
    return item


@transaction.atomic
def quarantine_attach(*, item, patient, by, note: str = "", validation_status: str, validation_report: str = ""):
    """Attach a quarantined file to ``patient``'s record, as decided by a human (the decision is kept)."""
    from dcc.records.enums import QuarantineStatus
    from dcc.records.models import QuarantinedDocument

    item = QuarantinedDocument.objects.select_for_update().get(pk=item.pk)
    if item.status != QuarantineStatus.PENDING:
        raise ValueError("Ce document a déjà été traité.")
    with item.file.open("rb") as handle:
        data = handle.read()
    document = document_store(
        patient=patient,
        type_code=item.type_code or "34133-9",
        title=item.title or item.filename,
        origin=item.origin,
        act_date=item.act_date or item.created_at,
        pdf=data if item.file_kind == "pdf" else None,
        cda=data if item.file_kind == "cda" else None,
        author=None,
        author_label="",
        validation_status=validation_status,
        validation_report=validation_report,
    )
    item.status, item.resolved_by, item.resolved_at = QuarantineStatus.ATTACHED, by, timezone.now()
    item.resolution_note, item.document = note[:500], document
    item.save(update_fields=["status", "resolved_by", "resolved_at", "resolution_note", "document"])
    return document
