"""Safe parsing of CDA documents coming from outside (imports, uploads, migration).

Rules: no DTD at all (so no external entity, no entity expansion), no network, no file read on the server,
a size limit before parsing and a depth limit after. Every refusal is an `UnsafeDocumentError` whose message is
a French sentence meant for the person who sent the file.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from lxml import etree

from identity.enums import INS_OID_NIA, INS_OID_NIR, INS_OID_TEST
from interop.cda.xml_errors import french_xml_error

CDA_NS = "urn:hl7-org:v3"
NS = {"cda": CDA_NS}
MAX_BYTES = 30 * 1024 * 1024
MAX_DEPTH = 64
INS_OIDS = frozenset({INS_OID_NIR, INS_OID_NIA, INS_OID_TEST})


class UnsafeDocumentError(ValueError):
    """The file is refused before anything in it is used; the message is in French."""


def _parser() -> etree.XMLParser:
    # A new parser per call: lxml parsers are not thread-safe.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=False,
        collect_ids=False,
    )


def parse_xml_safely(data: bytes, *, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH) -> etree._ElementTree:
    """Parse untrusted XML bytes, refusing DTDs, entities, oversized and over-deep documents."""
    if not isinstance(data, bytes | bytearray):
        raise UnsafeDocumentError("Le fichier doit être transmis sous forme d'octets.")
    if len(data) > max_bytes:
        raise UnsafeDocumentError(
            f"Le fichier est trop volumineux ({len(data) // (1024 * 1024)} Mo) : la limite est de "
            f"{max_bytes // (1024 * 1024)} Mo."
        )
    if not data.strip():
        raise UnsafeDocumentError("Le fichier est vide.")
    # A DTD is never needed in a CDA; refusing it up front rules out external entities and entity bombs.
    head = bytes(data[:4096]).lower()
    if b"<!doctype" in head or b"<!entity" in data.lower():
        raise UnsafeDocumentError(
            "Le fichier contient une déclaration DTD ou d'entités, refusée pour des raisons de sécurité."
        )
    try:
        tree = etree.ElementTree(etree.fromstring(bytes(data), _parser()))
    except etree.XMLSyntaxError as exc:
        raise UnsafeDocumentError(
            f"Le fichier n'est pas un document XML bien formé : {french_xml_error(exc)}."
        ) from exc
    except ValueError as exc:
        raise UnsafeDocumentError("Le fichier n'est pas un document XML lisible.") from exc
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise UnsafeDocumentError("Le fichier contient une déclaration DTD, refusée pour des raisons de sécurité.")
    for element in tree.iter():
        if isinstance(element, etree._Entity):
            raise UnsafeDocumentError("Le fichier contient des entités XML, refusées pour des raisons de sécurité.")
    if _depth(tree.getroot()) > max_depth:
        raise UnsafeDocumentError(f"Le document est trop profondément imbriqué (plus de {max_depth} niveaux).")
    return tree


def _depth(root: etree._Element) -> int:
    deepest = 0
    stack = [(root, 1)]
    while stack:
        element, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in element)
    return deepest


@dataclass(frozen=True)
class PatientTraits:
    """What a CDA's recordTarget says about the patient."""

    ins: str = ""
    ins_oid: str = ""
    local_ids: tuple[tuple[str, str], ...] = ()  # (root, extension) other than the INS, e.g. IPP
    birth_family_name: str = ""
    used_family_name: str = ""
    given_names: tuple[str, ...] = ()  # the list of given names (unqualified `given`)
    first_given_name: str = ""  # premier prénom de l'acte de naissance (`given` qualifier BR)
    sex: str = ""
    birth_date: dt.date | None = None
    birth_place_code: str = ""


@dataclass(frozen=True)
class CdaSummary:
    """The facts an import needs from a CDA, read without trusting it."""

    document_id: str
    set_id: str
    version: int | None
    code: str
    code_system: str
    code_label: str
    title: str
    effective_time: dt.datetime | dt.date | None
    confidentiality: str
    template_ids: tuple[str, ...]
    patient: PatientTraits
    has_structured_body: bool
    nonxml_media_type: str = ""
    warnings: tuple[str, ...] = field(default=())
    replaces_id: str = ""  # relatedDocument typeCode="RPLC": the id of the version this document replaces


def parse_cda(data: bytes, *, max_bytes: int = MAX_BYTES) -> tuple[etree._ElementTree, CdaSummary]:
    """Parse an untrusted CDA R2 document and read its header."""
    tree = parse_xml_safely(data, max_bytes=max_bytes)
    root = tree.getroot()
    if root.tag != f"{{{CDA_NS}}}ClinicalDocument":
        raise UnsafeDocumentError(
            "Le fichier XML n'est pas un document CDA R2 (élément racine ClinicalDocument attendu)."
        )
    return tree, summarize(root)


def summarize(root: etree._Element) -> CdaSummary:
    def first(path: str, attr: str | None = None) -> str:
        found = root.xpath(path, namespaces=NS)
        if not found:
            return ""
        node = found[0]
        if attr:
            return (node.get(attr) or "").strip()
        return " ".join("".join(node.itertext()).split()) if isinstance(node, etree._Element) else str(node).strip()

    warnings: list[str] = []
    version_text = first("cda:versionNumber", "value")
    try:
        version = int(version_text) if version_text else None
    except ValueError:
        version = None
        warnings.append(f"Numéro de version illisible : {version_text!r}.")
    effective = _parse_ts(first("cda:effectiveTime", "value"))
    doc_id = first("cda:id", "root")
    ext = first("cda:id", "extension")
    set_root, set_ext = first("cda:setId", "root"), first("cda:setId", "extension")
    return CdaSummary(
        document_id=f"{doc_id}^{ext}" if ext else doc_id,
        set_id=f"{set_root}^{set_ext}" if set_ext else set_root,
        version=version,
        code=first("cda:code", "code"),
        code_system=first("cda:code", "codeSystem"),
        code_label=first("cda:code", "displayName"),
        title=first("cda:title"),
        effective_time=effective,
        confidentiality=first("cda:confidentialityCode", "code"),
        template_ids=tuple(t.get("root", "") for t in root.findall("cda:templateId", NS)),
        patient=_patient(root),
        has_structured_body=bool(root.findall("cda:component/cda:structuredBody", NS)),
        nonxml_media_type=first("cda:component/cda:nonXMLBody/cda:text", "mediaType"),
        warnings=tuple(warnings),
        replaces_id=_replaced_id(root),
    )


def _replaced_id(root: etree._Element) -> str:
    parent = root.find("cda:relatedDocument[@typeCode='RPLC']/cda:parentDocument/cda:id", NS)
    if parent is None:
        return ""
    root_oid, ext = (parent.get("root") or "").strip(), (parent.get("extension") or "").strip()
    return f"{root_oid}^{ext}" if ext else root_oid


def _patient(root: etree._Element) -> PatientTraits:
    role = root.find("cda:recordTarget/cda:patientRole", NS)
    if role is None:
        return PatientTraits()
    ins = ins_oid = ""
    local: list[tuple[str, str]] = []
    for ident in role.findall("cda:id", NS):
        id_root, extension = ident.get("root", ""), ident.get("extension", "")
        if id_root in INS_OIDS and not ins:
            ins, ins_oid = extension, id_root
        elif extension:
            local.append((id_root, extension))
    patient = role.find("cda:patient", NS)
    birth_name = used_name = ""
    given: list[str] = []
    first_given = ""
    sex = birth_place = ""
    birth_date = None
    if patient is not None:
        for name in patient.findall("cda:name", NS):
            for family in name.findall("cda:family", NS):
                qualifier = family.get("qualifier", "")
                text = (family.text or "").strip()
                if qualifier == "BR" and not birth_name:
                    birth_name = text
                elif qualifier in ("SP", "CL") and not used_name:
                    used_name = text
                elif not qualifier and not birth_name:
                    birth_name = text
            for part in name.findall("cda:given", NS):
                value = (part.text or "").strip()
                if not value:
                    continue
                if part.get("qualifier") == "BR" and not first_given:
                    first_given = value
                elif not part.get("qualifier"):
                    given.extend(value.split())
        gender = patient.find("cda:administrativeGenderCode", NS)
        sex = gender.get("code", "") if gender is not None else ""
        birth = patient.find("cda:birthTime", NS)
        parsed = _parse_ts(birth.get("value", "") if birth is not None else "")
        birth_date = parsed.date() if isinstance(parsed, dt.datetime) else parsed
        # The CI-SIS puts the INSEE code of the birth commune in addr/county (censusTract in older documents).
        for tag in ("county", "censusTract"):
            place = patient.find(f"cda:birthplace/cda:place/cda:addr/cda:{tag}", NS)
            if place is not None and (place.text or "").strip():
                birth_place = place.text.strip()
                break
    return PatientTraits(
        ins=ins,
        ins_oid=ins_oid,
        local_ids=tuple(local),
        birth_family_name=birth_name,
        used_family_name=used_name,
        given_names=tuple(given),
        first_given_name=first_given or (given[0] if given else ""),
        sex=sex,
        birth_date=birth_date,
        birth_place_code=birth_place,
    )


def _parse_ts(value: str) -> dt.datetime | dt.date | None:
    """Read an HL7 TS (YYYYMMDD[HHMM[SS]][+ZZZZ]); None when unreadable."""
    value = (value or "").strip()
    if len(value) < 8 or not value[:8].isdigit():
        return None
    try:
        if len(value) == 8:
            return dt.datetime.strptime(value, "%Y%m%d").date()
        digits = value
        tz = None
        for sign in ("+", "-"):
            if sign in value[8:]:
                index = value.index(sign, 8)
                digits, tz = value[:index], value[index:]
                break
        digits = digits.split(".")[0]
        fmt = {12: "%Y%m%d%H%M", 14: "%Y%m%d%H%M%S"}.get(len(digits))
        if fmt is None:
            return dt.datetime.strptime(digits[:8], "%Y%m%d").date()
        moment = dt.datetime.strptime(digits, fmt)
        if tz and len(tz) == 5:
            offset = dt.timedelta(hours=int(tz[1:3]), minutes=int(tz[3:5]))
            moment = moment.replace(tzinfo=dt.timezone(offset if tz[0] == "+" else -offset))
        return moment
    except ValueError:
        return None
