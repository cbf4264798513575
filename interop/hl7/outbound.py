"""MDM^T02/T10 built from a record document (CI-SIS TRANS-CDA 2.1, HL7 v2.6), for a partner of an establishment.

The INS travels in PID-3 only when the identity is exchangeable (``Patient.ins_exchangeable``: qualifiée with
an INS); the IPP of the partner's establishment always does when known.
"""

from __future__ import annotations

import base64

from dcc.records.documents_services import document_file_bytes
from dcc.records.models import Document
from identity.enums import RnivStatus
from identity.models import LocalIdentifier
from interop.hl7.models import Partner
from interop.hl7.protocol import escape, timestamp

# PID-32 sent for each local status; PAM France 2.11 carries a qualified identity as VALI with its INS.
RELIABILITY_OUT = {
    RnivStatus.PROVISOIRE: "PROV",
    RnivStatus.RECUPEREE: "PROV",
    RnivStatus.VALIDEE: "VALI",
    RnivStatus.QUALIFIEE: "VALI",
}


class CannotBuild(ValueError):
    """The document cannot be sent as MDM (French reason)."""


def ei(document_id: str) -> str:
    """A stored CDA id (``root^extension`` or ``root``) as an HL7 EI (``extension^^root^ISO`` or ``root``)."""
    if "^" in document_id:
        root, extension = document_id.split("^", 1)
        return f"{escape(extension)}^^{escape(root)}^ISO"
    return escape(document_id)


def _pid(document: Document, partner: Partner) -> str:
    patient = document.patient
    ids = []
    local = LocalIdentifier.objects.filter(patient=patient, establishment=partner.establishment).first()
    if local is not None:
        oid = partner.establishment.oid
        ids.append(
            f"{escape(local.value)}^^^{escape(partner.facility)}&{oid}&ISO^PI"
            if oid
            else f"{escape(local.value)}^^^{escape(partner.facility)}^PI"
        )
    if patient.ins_exchangeable:
        ids.append(f"{patient.ins_matricule}^^^ASIP-SANTE-INS-NIR&{patient.ins_oid}&ISO^INS")
    if not ids:
        ids.append(f"{patient.pk}^^^DCC^PI")
    names = f"{escape(patient.birth_name)}^{escape(patient.first_given_name)}^{escape(patient.given_names)}^^^^L"
    if patient.used_name:
        names += f"~{escape(patient.used_name)}^{escape(patient.used_first_name or patient.first_given_name)}^^^^^D"
    place = f"^^^^^^BDL^^{patient.birth_place_code}" if patient.birth_place_code else ""
    fields = ["PID", "1", "", "~".join(ids), "", names, "", f"{patient.birth_date:%Y%m%d}", patient.sex, "", "", place]
    fields += [""] * (32 - len(fields) + 1)
    fields[32] = RELIABILITY_OUT.get(patient.rniv_status, "PROV")
    return "|".join(fields)


def build_mdm(document: Document, partner: Partner, *, control_id: str) -> tuple[str, str]:
    """(trigger, message text) for ``document``: T02, or T10 when it replaces an earlier version."""
    if not document.cda_file:
        raise CannotBuild("Ce document n'a pas de version CDA : il ne peut pas être transmis en HL7 (MDM).")
    cda = document_file_bytes(document, "cda")
    trigger = "T10" if document.replaces_id else "T02"
    label = escape(document.type_label)
    act = timestamp(document.act_date)
    segments = [
        "|".join(
            [
                "MSH",
                "^~\\&",
                "DCC",
                "DCC",
                escape(partner.application),
                escape(partner.facility),
                timestamp(),
                "",
                f"MDM^{trigger}^MDM_T02",
                control_id,
                "P",
                "2.6",
                "",
                "",
                "",
                "",
                "FRA",
                "UNICODE UTF-8",
                "",
                "",
                "2.1^CISIS_CDA_HL7_V2",
            ]
        ),
        f"EVN||{timestamp()}",
        _pid(document, partner),
        "PV1|1|N",
        f"ORC|{'RO' if trigger == 'T10' else 'NW'}|",
        f"OBR|1|||{document.type_code}^{label}^LN|",
        "|".join(
            [
                "TXA",
                "1",
                document.type_code,
                "TEXT",
                act,
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                ei(document.document_id),
                ei(document.replaces.document_id) if document.replaces_id else "",
                "",
                "",
                "",
                "AU",
            ]
        ),
        f"OBX|1|ED|{document.type_code}^{label}^LN||^text^XML^Base64^{base64.b64encode(cda).decode('ascii')}||||||F",
    ]
    return trigger, "\r".join(segments) + "\r"
