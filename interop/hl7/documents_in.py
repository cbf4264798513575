"""Documents in (CI-SIS TRANS-CDA 2.1): MDM^T02 new, T10 replacement (TXA-13), T04 withdrawal, ORU^R01.

The CDA travels base64-encoded in the first OBX of type ED (``OBX-5 = ^text^XML^Base64^…``). It goes through
the record's import (``interop.importing.document_import``): safe parsing, patient matched by INS or IPP +
traits, validation; a document that cannot be attached safely is quarantined and the sender gets an AE with
the CI-SIS code (902 unknown patient, 903 no INS, 904 INS disagreeing).
"""

from __future__ import annotations

import base64
import binascii

from dcc.records.documents_services import document_withdraw
from dcc.records.enums import DocumentOrigin, DocumentStatus, TrailAction, ValidationStatus
from dcc.records.models import Document
from dcc.records.trail import trail_record
from interop.hl7.handling import Context, Outcome
from interop.hl7.models import Message
from interop.hl7.protocol import Hl7Problem, has_segment, value
from interop.importing import ImportRefused, document_import


def _document_ref(ctx: Context, field_number: int) -> str:
    """TXA-12/13 as the record stores CDA ids: ``root^extension``, or ``root`` alone."""
    if not has_segment(ctx.hl7, "TXA"):
        return ""
    base = f"TXA.F{field_number}.R1"
    first, universal = value(ctx.hl7, f"{base}.C1").strip(), value(ctx.hl7, f"{base}.C3").strip()
    return f"{universal}^{first}" if universal and first else first


def _cda(ctx: Context) -> bytes:
    if not has_segment(ctx.hl7, "OBX"):
        raise Hl7Problem("Aucun segment OBX : le document CDA manque.", code="100", location="OBX")
    for index, segment in enumerate(ctx.hl7.segments("OBX"), start=1):
        kind = str(segment[2]) if len(segment) > 2 else ""
        if kind != "ED":
            continue
        field = segment[5] if len(segment) > 5 else ""
        parts = str(field).split("^")
        if len(parts) < 5:
            continue
        encoding, payload = parts[3].strip().upper(), ctx.hl7.unescape("^".join(parts[4:]))
        if encoding != "BASE64":
            raise Hl7Problem(
                "Le document de l'OBX-5 doit être encodé en Base64 (OBX-5.4).", code="102", location=f"OBX^{index}^5"
            )
        try:
            return base64.b64decode("".join(payload.split()), validate=True)
        except (binascii.Error, ValueError) as error:
            raise Hl7Problem(
                "Le contenu Base64 de l'OBX-5 est illisible.", code="102", location=f"OBX^{index}^5"
            ) from error
    raise Hl7Problem(
        "Aucun OBX de type ED portant le document CDA (OBX-5 ^text^XML^Base64^…).", code="101", location="OBX^1^5"
    )


def _quarantine_code(reason: str) -> str:
    if "ni INS" in reason:
        return "903"
    if "Aucun patient" in reason:
        return "902"
    return "904"


def _import(ctx: Context, *, replaces: Document | None = None) -> Outcome:
    data = _cda(ctx)
    filename = f"hl7-{ctx.partner.application}-{ctx.header.control_id}.xml"[:120]
    try:
        result = document_import(
            data=data,
            filename=filename,
            origin=DocumentOrigin.INTEROP,
            patient=replaces.patient if replaces else None,
            replaces=replaces,
        )
    except ImportRefused as error:
        raise Hl7Problem(str(error), code="207", app_code="906", location="OBX^1^5") from error
    except ValueError as error:  # the version to replace was replaced meanwhile
        raise Hl7Problem(str(error), code="207", app_code="900", location="TXA^1^13") from error
    if result.document is None:
        reason = result.quarantined.reason
        return Outcome(
            problem=Hl7Problem(
                f"Document mis en quarantaine : {reason}",
                code="207",
                app_code=_quarantine_code(reason),
                location="PID^1^3",
            ),
            summary=f"Quarantaine : {reason}"[:255],
        )
    document = result.document
    trail_record(
        user=None,
        action=TrailAction.CREATE,
        patient=document.patient,
        obj=document,
        detail=f"HL7 {ctx.header.type_label} {ctx.partner.application}@{ctx.partner.facility}",
    )
    warnings = []
    if document.validation_status == ValidationStatus.INVALID:
        warnings.append("Document classé dans le dossier mais non conforme aux règles de l'ANS (signalé).")
    return Outcome(patient=document.patient, document=document, summary=result.message_fr[:255], warnings=warnings)


def _sent_by_same_establishment(ctx: Context, document: Document) -> bool:
    return Message.objects.filter(document=document, partner__establishment=ctx.partner.establishment).exists()


def _target(ctx: Context, field_number: int, action: str) -> Document:
    ref = _document_ref(ctx, field_number)
    if not ref:
        raise Hl7Problem(
            f"Identifiant du document à {action} (TXA-{field_number}) absent.",
            code="101",
            location=f"TXA^1^{field_number}",
        )
    document = Document.objects.filter(document_id=ref).first()
    if document is None:
        raise Hl7Problem(
            f"Document à {action} ({ref}) inconnu du DCC.", app_code="900", location=f"TXA^1^{field_number}"
        )
    if document.origin != DocumentOrigin.INTEROP or not _sent_by_same_establishment(ctx, document):
        raise Hl7Problem(
            f"Le document {ref} n'a pas été transmis par cet établissement : il ne peut pas le {action}.",
            app_code="901",
            location=f"TXA^1^{field_number}",
        )
    return document


def handle_new(ctx: Context) -> Outcome:
    """T02. A CDA that is a new version of a document (its relatedDocument RPLC, or its setId) is refused when
    another establishment sent that document (AE 901), as a T10 would be."""
    summary = _cda_summary(ctx)
    current = _current_version(ctx, summary)
    return _import(ctx, replaces=current if summary.replaces_id else None)


def handle_replace(ctx: Context) -> Outcome:
    parent = _target(ctx, 13, "remplacer")
    if parent.status != DocumentStatus.CURRENT:
        raise Hl7Problem(
            f"Le document {parent.document_id} n'est plus la version en vigueur ({parent.get_status_display()}).",
            app_code="900",
            location="TXA^1^13",
        )
    return _import(ctx, replaces=parent)


def handle_withdraw(ctx: Context) -> Outcome:
    try:
        document = _target(ctx, 12, "retirer")
    except Hl7Problem:
        if not _document_ref(ctx, 13):
            raise
        document = _target(ctx, 13, "retirer")
    document = document_withdraw(
        document=document, note=f"Retiré par HL7 {ctx.header.type_label} n° {ctx.header.control_id}"
    )
    trail_record(
        user=None,
        action=TrailAction.DELETE,
        patient=document.patient,
        obj=document,
        detail=f"HL7 {ctx.header.type_label} retrait",
    )
    return Outcome(patient=document.patient, document=document, summary=f"Document « {document.title} » retiré.")


def _cda_summary(ctx: Context):
    from interop.cda.parsing import UnsafeDocumentError, parse_cda

    try:
        return parse_cda(_cda(ctx))[1]
    except UnsafeDocumentError as error:
        raise Hl7Problem(f"Document CDA illisible : {error}", app_code="906", location="OBX^1^5") from error


def _current_version(ctx: Context, summary) -> Document | None:
    """The current version this CDA follows (the one its relatedDocument RPLC names, or else the current one of
    its setId); AE 901 when another establishment sent it."""
    current = None
    if summary.replaces_id:
        current = Document.objects.filter(document_id=summary.replaces_id, status=DocumentStatus.CURRENT).first()
    elif summary.set_id:
        current = Document.objects.filter(set_id=summary.set_id, status=DocumentStatus.CURRENT).first()
    if current is not None and not _sent_by_same_establishment(ctx, current):
        raise Hl7Problem(
            f"Le document {current.document_id} n'a pas été transmis par cet établissement : "
            "il ne peut pas le remplacer.",
            app_code="901",
            location="OBX^1^5",
        )
    return current


def handle_oru(ctx: Context) -> Outcome:
    """ORU^R01: ORC-1 NW new, RO replacement (of the version the CDA's relatedDocument RPLC names, or else the
    current version of its setId), CA withdrawal of the CDA carried. As with T10/T04, only the establishment
    that sent a document may replace or withdraw it."""
    order = value(ctx.hl7, "ORC.F1").strip().upper() if has_segment(ctx.hl7, "ORC") else "NW"
    if order not in {"NW", "RO", "SC", "CA", ""}:
        raise Hl7Problem(f"Code ORC-1 « {order} » non pris en charge (NW, RO ou CA).", code="103", location="ORC^1^1")
    summary = _cda_summary(ctx)
    if order == "CA":
        document = Document.objects.filter(document_id=summary.document_id).first()
        if document is None:
            raise Hl7Problem(
                f"Document à retirer ({summary.document_id}) inconnu du DCC.", app_code="900", location="OBX^1^5"
            )
        if not _sent_by_same_establishment(ctx, document):
            raise Hl7Problem(
                f"Le document {summary.document_id} n'a pas été transmis par cet établissement : "
                "il ne peut pas le retirer.",
                app_code="901",
                location="OBX^1^5",
            )
        document = document_withdraw(document=document, note=f"Retiré par HL7 ORU^R01 n° {ctx.header.control_id}")
        trail_record(
            user=None, action=TrailAction.DELETE, patient=document.patient, obj=document, detail="HL7 ORU^R01 retrait"
        )
        return Outcome(patient=document.patient, document=document, summary=f"Document « {document.title} » retiré.")
    current = _current_version(ctx, summary)
    if order == "RO" and current is None:
        raise Hl7Problem(
            f"Document à remplacer ({summary.replaces_id or summary.set_id or 'non désigné'}) inconnu "
            "du DCC ou déjà remplacé ou retiré.",
            app_code="900",
            location="OBX^1^5",
        )
    return _import(ctx, replaces=current if order == "RO" or summary.replaces_id else None)
