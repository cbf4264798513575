"""IHE XDM (ITI-32, "Distribute Document Set on Media") packages for MSSanté: ``IHE_XDM.ZIP``.

Layout (ITI TF-3 §4.2 / ITI-32): ``README.TXT`` and ``INDEX.HTM`` at the root, ``IHE_XDM/SUBSET01/METADATA.XML``
(an ebRIM 3.0 ``lcm:SubmitObjectsRequest`` with the DocumentEntry, the SubmissionSet and their HasMember
association) and the document ``IHE_XDM/SUBSET01/DOC0001.XML``.

The XDS metadata are read from the CDA header following the TRANS-CDA mapping (ANS, volet "Transmission de
documents CDA en HL7 v2", page *mapping*): uniqueId = ``id``, typeCode = ``code``, title, creationTime =
``effectiveTime``, confidentialityCode, languageCode, serviceStart/StopTime = ``documentationOf/serviceEvent/
effectiveTime``, eventCodeList = every ``documentationOf/serviceEvent/code``, healthcareFacilityTypeCode =
``componentOf/encompassingEncounter/location/healthCareFacility/code``, practiceSettingCode = ``…/serviceEvent/
performer/assignedEntity/representedOrganization/standardIndustryClassCode``, author = ``author/assignedAuthor``,
legalAuthenticator, patientId = the INS (``matricule^^^&OID&ISO^NH``) or, without one, the IPP. formatCode: the
volet's code (ANS ConceptMap ASS_A11) for the N3 volets, ``urn:ihe:iti:xds-sd:pdf:2008`` for a CDA N1.
``tests/interop/mss/test_xdm_ans_sample.py`` compares these metadata with what the ANS's own stylesheet
(``CDAHeaderToXDM.xsl``) produces for the ANS's example FRCP.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import io
import uuid
import zipfile
from dataclasses import dataclass, field

from lxml import etree

from interop.cda.parsing import INS_OIDS, parse_xml_safely

CDA = "urn:hl7-org:v3"
NS = {"h": CDA}
RIM = "urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0"
LCM = "urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0"

# XDS classification schemes and identification schemes (ITI TF-3 §4.2.5).
DOCUMENT_ENTRY = "urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1"
SUBMISSION_SET = "urn:uuid:a54d6aa5-d40d-43f9-88c5-b4633d873bdd"
DE_AUTHOR = "urn:uuid:93606bcf-9494-43ec-9b4e-a7748d1a838d"
DE_CLASS = "urn:uuid:41a5887f-8865-4c09-adf7-e362475b143a"
DE_CONFIDENTIALITY = "urn:uuid:f4f85eac-e6cb-4883-b524-f2705394840f"
DE_EVENT = "urn:uuid:2c6b8cb7-8b2a-4051-b291-b1ae6a575ef4"
DE_FORMAT = "urn:uuid:a09d5840-386c-46f2-b5ad-9c3699a4309d"
DE_FACILITY = "urn:uuid:f33fb8ac-18af-42cc-ae0e-ed0b0bdb91e1"
DE_PRACTICE = "urn:uuid:cccf5598-8b07-4b77-a05e-ae952c785ead"
DE_TYPE = "urn:uuid:f0306f51-975f-434e-a61c-c59651d33983"
DE_PATIENT_ID = "urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427"
DE_UNIQUE_ID = "urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab"
SS_AUTHOR = "urn:uuid:a7058bb9-b4e4-4307-ba5b-e3f0ab85e12d"
SS_CONTENT_TYPE = "urn:uuid:aa543740-bdda-424e-8c96-df4873be8500"
SS_PATIENT_ID = "urn:uuid:6b5aea1a-874d-4603-a4bc-96a0a7b38446"
SS_SOURCE_ID = "urn:uuid:554ac39e-e3fe-47fe-b233-965d2a147832"
SS_UNIQUE_ID = "urn:uuid:96fdda7c-d067-4183-912e-bf5ee74998a8"
HAS_MEMBER = "urn:oasis:names:tc:ebxml-regrep:AssociationType:HasMember"
CLASSIFICATION_NODE = "urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:ClassificationNode"

# formatCode by volet templateId (ASS_A11-CorresModeleCDA-XdsFormatCode) and for a CDA N1 (PDF body).
FORMAT_SCHEME_ASIP = "1.2.250.1.213.1.1.4.2.282"
FORMAT_CODES = {
    "1.2.250.1.213.1.1.1.8": ("urn:asip:ci-sis:frcp:2011", "Fiche de RCP", FORMAT_SCHEME_ASIP),
    "1.2.250.1.213.1.1.1.26": ("urn:asip:ci-sis:pps-cancer:2017", "PPS Cancer", FORMAT_SCHEME_ASIP),
}
FORMAT_N1 = ("urn:ihe:iti:xds-sd:pdf:2008", "Document à corps non structuré en PDF/A-1", "1.3.6.1.4.1.19376.1.2.3")
# classCode (JDV_J57, TRE_A03 1.2.250.1.213.1.1.4.1) from the document type (ASS_X04). Only the types the DCC
# sends are listed; "10" (compte rendu) otherwise. [to check against the current ASS_X04 before certification]
CLASS_SCHEME = "1.2.250.1.213.1.1.4.1"
CLASS_CODES = {"34794-8": ("10", "Compte rendu"), "18776-5": ("11", "Synthèse"), "11488-4": ("10", "Compte rendu")}
# contentTypeCode of the submission set (JDV_J59): the DCC's sends follow a consultation/RCP (PV1-2 O → 07).
CONTENT_TYPE = ("07", "Consultation externe", "1.2.250.1.213.1.1.4.2.285")


@dataclass
class Coded:
    code: str = ""
    display: str = ""
    scheme: str = ""


@dataclass
class CdaHeader:
    unique_id: str = ""
    set_id: str = ""
    version: str = ""
    type: Coded = field(default_factory=Coded)
    title: str = ""
    effective_time: str = ""
    confidentiality: Coded = field(default_factory=Coded)
    language: str = "fr-FR"
    service_start: str = ""
    service_stop: str = ""
    facility_type: Coded = field(default_factory=Coded)
    practice_setting: Coded = field(default_factory=Coded)
    event_codes: list[Coded] = field(default_factory=list)  # every documentationOf/serviceEvent/code
    template_ids: list[str] = field(default_factory=list)
    is_n1: bool = False
    patient_id: str = ""  # CX: the INS when present, else the first local id
    has_ins: bool = False
    patient_family: str = ""
    patient_given: str = ""
    birth_date: str = ""
    sex: str = ""
    author_person: str = ""  # XCN
    author_institution: str = ""  # XON
    author_specialty: Coded = field(default_factory=Coded)
    legal_authenticator: str = ""  # XCN


def _coded(element) -> Coded:
    if element is None:
        return Coded()
    return Coded(
        element.get("code", ""),
        element.get("displayName", ""),
        element.get("codeSystem", ""),
    )


def _text(root, path: str) -> str:
    found = root.find(path, NS)
    return (found.text or "").strip() if found is not None and found.text else ""


def _xcn(entity) -> str:
    """HL7 v2 XCN of a CDA assignedAuthor/assignedEntity: ``id^FAMILY^Given^^^^^^&root&ISO``."""
    if entity is None:
        return ""
    ident = entity.find("h:id", NS)
    person = entity.find("h:assignedPerson/h:name", NS)
    family = _text(person, "h:family") if person is not None else ""
    given = _text(person, "h:given") if person is not None else ""
    root = ident.get("root", "") if ident is not None else ""
    ext = ident.get("extension", "") if ident is not None else ""
    # The national id of a PS is 8 + RPPS (IDNPS) under 1.2.250.1.71.4.2.1.
    return f"{ext}^{family}^{given}^^^^^^&{root}&ISO^D^^^IDNPS"


def _xon(organization) -> str:
    if organization is None:
        return ""
    ident = organization.find("h:id", NS)
    name = _text(organization, "h:name")
    if ident is None:
        return name
    return f"{name}^^^^^&{ident.get('root', '')}&ISO^IDNST^^^{ident.get('extension', '')}"


def read_header(cda: bytes) -> CdaHeader:
    """The XDS-relevant values of a CDA header (parsed safely: no DTD, no network)."""
    root = parse_xml_safely(cda).getroot()
    header = CdaHeader()
    ident = root.find("h:id", NS)
    if ident is not None:
        header.unique_id = ident.get("root", "") + (f"^{ident.get('extension')}" if ident.get("extension") else "")
    set_id = root.find("h:setId", NS)
    header.set_id = set_id.get("root", "") if set_id is not None else ""
    version = root.find("h:versionNumber", NS)
    header.version = version.get("value", "") if version is not None else ""
    header.type = _coded(root.find("h:code", NS))
    header.title = _text(root, "h:title")
    effective = root.find("h:effectiveTime", NS)
    header.effective_time = effective.get("value", "") if effective is not None else ""
    header.confidentiality = _coded(root.find("h:confidentialityCode", NS))
    language = root.find("h:languageCode", NS)
    header.language = language.get("code", "fr-FR") if language is not None else "fr-FR"
    header.template_ids = [t.get("root", "") for t in root.findall("h:templateId", NS)]
    header.is_n1 = root.find("h:component/h:nonXMLBody", NS) is not None
    event = root.find("h:documentationOf/h:serviceEvent", NS)
    if event is not None:
        low, high = event.find("h:effectiveTime/h:low", NS), event.find("h:effectiveTime/h:high", NS)
        header.service_start = low.get("value", "") if low is not None else ""
        header.service_stop = high.get("value", "") if high is not None else ""
        header.practice_setting = _coded(
            event.find("h:performer/h:assignedEntity/h:representedOrganization/h:standardIndustryClassCode", NS)
        )
    header.event_codes = [
        _coded(code) for code in root.findall("h:documentationOf/h:serviceEvent/h:code", NS) if code.get("code")
    ]
    header.facility_type = _coded(
        root.find("h:componentOf/h:encompassingEncounter/h:location/h:healthCareFacility/h:code", NS)
    )
    role = root.find("h:recordTarget/h:patientRole", NS)
    if role is not None:
        ids = role.findall("h:id", NS)
        ins = next((i for i in ids if i.get("root") in INS_OIDS), None)
        chosen = ins if ins is not None else (ids[0] if ids else None)
        if chosen is not None:
            kind = "NH" if ins is not None else "PI"
            header.patient_id = f"{chosen.get('extension', '')}^^^&{chosen.get('root', '')}&ISO^{kind}"
        header.has_ins = ins is not None
        name = role.find("h:patient/h:name", NS)
        if name is not None:
            family = name.find("h:family[@qualifier='BR']", NS)
            family = family if family is not None else name.find("h:family", NS)
            header.patient_family = (family.text or "").strip() if family is not None else ""
            header.patient_given = " ".join((g.text or "").strip() for g in name.findall("h:given", NS))
        birth = role.find("h:patient/h:birthTime", NS)
        header.birth_date = birth.get("value", "")[:8] if birth is not None else ""
        sex = role.find("h:patient/h:administrativeGenderCode", NS)
        header.sex = sex.get("code", "") if sex is not None else ""
    author = root.find("h:author/h:assignedAuthor", NS)
    if author is not None:
        header.author_person = _xcn(author)
        header.author_specialty = _coded(author.find("h:code", NS))
        header.author_institution = _xon(author.find("h:representedOrganization", NS))
    header.legal_authenticator = _xcn(root.find("h:legalAuthenticator/h:assignedEntity", NS))
    return header


def format_code(header: CdaHeader) -> tuple[str, str, str]:
    if header.is_n1:
        return FORMAT_N1
    for template in header.template_ids:
        if template in FORMAT_CODES:
            return FORMAT_CODES[template]
    return (
        FORMAT_N1 if header.is_n1 else ("urn:ihe:iti:xds:2017:mimeTypeSufficient", "Format", "1.3.6.1.4.1.19376.1.2.3")
    )


def _utc(value: str) -> str:
    """CDA TS (``20260118094914+0100``) → XDS DTM in UTC (``20260118084914``)."""
    if not value:
        return ""
    digits = value[:14]
    offset = value[14:] if len(value) > 14 and value[14] in "+-" else ""
    if len(digits) < 14 or not offset:
        return digits
    moment = dt.datetime.strptime(digits, "%Y%m%d%H%M%S")
    sign = 1 if offset[0] == "+" else -1
    delta = dt.timedelta(hours=int(offset[1:3]), minutes=int(offset[3:5] or 0))
    return (moment - sign * delta).strftime("%Y%m%d%H%M%S")


# --- ebRIM builders ---------------------------------------------------------------------------


def _el(parent, tag: str, **attrs):
    return etree.SubElement(parent, f"{{{RIM}}}{tag}", {k: v for k, v in attrs.items() if v is not None})


def _slot(parent, name: str, *values: str) -> None:
    values = [v for v in values if v]
    if not values:
        return
    slot = _el(parent, "Slot", name=name)
    holder = _el(slot, "ValueList")
    for value in values:
        _el(holder, "Value").text = value


def _name(parent, text: str) -> None:
    if text:
        name = _el(parent, "Name")
        _el(
            name,
            "LocalizedString",
            value=text,
            charset="UTF-8",
            **{"{http://www.w3.org/XML/1998/namespace}lang": "fr-FR"},
        )


def _classification(parent, scheme: str, obj: str, coded: Coded | tuple, cid: str) -> None:
    code, display, system = coded if isinstance(coded, tuple) else (coded.code, coded.display, coded.scheme)
    if not code:
        return
    element = _el(
        parent,
        "Classification",
        classificationScheme=scheme,
        classifiedObject=obj,
        nodeRepresentation=code,
        id=cid,
        objectType="urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:Classification",
    )
    _slot(element, "codingScheme", system)
    _name(element, display or code)


def _external_id(parent, scheme: str, obj: str, value: str, label: str, eid: str) -> None:
    element = _el(
        parent,
        "ExternalIdentifier",
        identificationScheme=scheme,
        registryObject=obj,
        value=value,
        id=eid,
        objectType="urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:ExternalIdentifier",
    )
    _name(element, label)


def _author(parent, scheme: str, obj: str, header: CdaHeader, cid: str) -> None:
    element = _el(
        parent,
        "Classification",
        classificationScheme=scheme,
        classifiedObject=obj,
        nodeRepresentation="",
        id=cid,
        objectType="urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:Classification",
    )
    _slot(element, "authorPerson", header.author_person)
    _slot(element, "authorInstitution", header.author_institution)
    if header.author_specialty.code:
        spec = header.author_specialty
        _slot(element, "authorSpecialty", f"{spec.code}^{spec.display}^{spec.scheme}")


def metadata_xml(
    *,
    header: CdaHeader,
    document: bytes,
    uri: str,
    source_oid: str,
    submission_uid: str,
    recipient: str,
    recipient_label: str,
    now: dt.datetime,
) -> bytes:
    """The ebRIM 3.0 ``SubmitObjectsRequest`` of one document and its submission set."""
    nsmap = {"lcm": LCM, "rim": RIM}
    request = etree.Element(f"{{{LCM}}}SubmitObjectsRequest", nsmap=nsmap)
    objects = _el(request, "RegistryObjectList")
    doc = "Document01"
    entry = _el(
        objects,
        "ExtrinsicObject",
        id=doc,
        mimeType="text/xml",
        objectType=DOCUMENT_ENTRY,
        status="urn:oasis:names:tc:ebxml-regrep:StatusType:Approved",
    )
    _slot(entry, "creationTime", _utc(header.effective_time))
    _slot(entry, "hash", hashlib.sha1(document).hexdigest())  # noqa: S324 - XDS mandates SHA-1 here
    _slot(entry, "languageCode", header.language)
    _slot(entry, "legalAuthenticator", header.legal_authenticator)
    _slot(entry, "serviceStartTime", _utc(header.service_start))
    _slot(entry, "serviceStopTime", _utc(header.service_stop))
    _slot(entry, "size", str(len(document)))
    _slot(entry, "sourcePatientId", header.patient_id)
    _slot(
        entry,
        "sourcePatientInfo",
        f"PID-3|{header.patient_id}",
        f"PID-5|{header.patient_family}^{header.patient_given}^^^^^L",
        f"PID-7|{header.birth_date}",
        f"PID-8|{header.sex}",
    )
    _slot(entry, "URI", uri)
    _name(entry, header.title)
    _author(entry, DE_AUTHOR, doc, header, "cl01")
    class_code = CLASS_CODES.get(header.type.code, ("10", "Compte rendu"))
    _classification(entry, DE_CLASS, doc, (*class_code, CLASS_SCHEME), "cl02")
    _classification(entry, DE_CONFIDENTIALITY, doc, header.confidentiality, "cl03")
    for number, event in enumerate(header.event_codes, start=1):
        _classification(entry, DE_EVENT, doc, event, f"ev{number:02}")
    _classification(entry, DE_FORMAT, doc, format_code(header), "cl04")
    _classification(entry, DE_FACILITY, doc, header.facility_type, "cl05")
    _classification(entry, DE_PRACTICE, doc, header.practice_setting, "cl06")
    _classification(entry, DE_TYPE, doc, header.type, "cl07")
    _external_id(entry, DE_PATIENT_ID, doc, header.patient_id, "XDSDocumentEntry.patientId", "ei01")
    _external_id(entry, DE_UNIQUE_ID, doc, header.unique_id, "XDSDocumentEntry.uniqueId", "ei02")

    ss = "SubmissionSet01"
    package = _el(
        objects,
        "RegistryPackage",
        id=ss,
        objectType="urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:RegistryPackage",
    )
    _slot(package, "submissionTime", now.astimezone(dt.UTC).strftime("%Y%m%d%H%M%S"))
    _slot(package, "intendedRecipient", f"|{recipient_label}^^^^^^^^&1.2.250.1.71.4.2.1&ISO|^^Internet^{recipient}")
    _name(package, header.title)
    _author(package, SS_AUTHOR, ss, header, "cl08")
    _classification(package, SS_CONTENT_TYPE, ss, CONTENT_TYPE, "cl09")
    _external_id(package, SS_UNIQUE_ID, ss, submission_uid, "XDSSubmissionSet.uniqueId", "ei03")
    _external_id(package, SS_SOURCE_ID, ss, source_oid, "XDSSubmissionSet.sourceId", "ei04")
    _external_id(package, SS_PATIENT_ID, ss, header.patient_id, "XDSSubmissionSet.patientId", "ei05")
    _el(
        objects,
        "Classification",
        classifiedObject=ss,
        classificationNode=SUBMISSION_SET,
        id="cl10",
        objectType="urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:Classification",
    )
    association = _el(
        objects,
        "Association",
        associationType=HAS_MEMBER,
        sourceObject=ss,
        targetObject=doc,
        id="as01",
        objectType="urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:Association",
    )
    _slot(association, "SubmissionSetStatus", "Original")
    return etree.tostring(request, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def build_xdm_zip(
    *,
    cda: bytes,
    sender: str,
    sender_label: str,
    software: str,
    recipient: str,
    recipient_label: str,
    source_oid: str,
    now: dt.datetime | None = None,
) -> tuple[bytes, CdaHeader]:
    """``IHE_XDM.ZIP`` bytes of one CDA document, and the header it was mapped from."""
    now = now or dt.datetime.now(dt.UTC)
    header = read_header(cda)
    submission_uid = f"2.25.{uuid.uuid4().int}"
    uri = "DOC0001.XML"
    metadata = metadata_xml(
        header=header,
        document=cda,
        uri=uri,
        source_oid=source_oid,
        submission_uid=submission_uid,
        recipient=recipient,
        recipient_label=recipient_label,
        now=now,
    )
    readme = (
        f"Ce support contient un document médical au format IHE XDM.\r\n"
        f"Émetteur : {sender_label} <{sender}>\r\n"
        f"Logiciel : {software}\r\n"
        f"Date : {now.astimezone(dt.UTC):%d/%m/%Y %H:%M} UTC\r\n"
        f"Contenu : IHE_XDM/SUBSET01/{uri} ({header.title})\r\n"
    )
    index = (
        '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Contenu IHE XDM</title></head><body>'
        f"<h1>Contenu du support IHE XDM</h1><p>Émetteur : {html.escape(sender_label)} "
        f'&lt;{html.escape(sender)}&gt;</p><ul><li><a href="IHE_XDM/SUBSET01/{uri}">'
        f'{html.escape(header.title or uri)}</a></li><li><a href="README.TXT">README.TXT</a></li></ul></body></html>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.TXT", readme.encode("utf-8"))
        archive.writestr("INDEX.HTM", index.encode("utf-8"))
        archive.writestr("IHE_XDM/SUBSET01/METADATA.XML", metadata)
        archive.writestr(f"IHE_XDM/SUBSET01/{uri}", cda)
    return buffer.getvalue(), header
