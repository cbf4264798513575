"""Our XDM metadata against the ANS's: the same official example FRCP through ``interop/mss/xdm.py`` and through
the ANS's stylesheet ``CDAHeaderToXDM.xsl`` (its output kept in ``tests/interop/mss/ans/``, see the README there).

Compared: the values a receiver files the document by (types, codes and their schemes, identifiers, dates as
instants, title, author, patient) and the ebRIM structure (DocumentEntry and SubmissionSet object types, the
classification schemes). Not compared: the stylesheet's known slips listed in the README, and what only a sender
knows (hash, size, URI, submission time, source id)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from lxml import etree

from interop.mss import xdm

ANS = Path(__file__).parent / "ans"
RIM = "{urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0}"


def _local(element) -> str:
    return etree.QName(element).localname


def _slots(entry) -> dict[str, list[str]]:
    return {
        slot.get("name").lower(): [
            " ".join((value.text or "").split()) for value in slot.iter() if _local(value) == "Value"
        ]
        for slot in entry
        if isinstance(slot.tag, str) and _local(slot) == "Slot"
    }


def _classifications(entry) -> list[dict]:
    """Each classification (the stylesheet writes ``classification`` or ``Classification``): scheme, code, coding
    scheme, name, and its author slots."""
    found = []
    for element in entry:
        if not isinstance(element.tag, str) or _local(element).lower() != "classification":
            continue
        name = next((e.get("value") for e in element.iter() if _local(e) == "LocalizedString"), "")
        slots = _slots(element)
        found.append(
            {
                "scheme": element.get("classificationScheme", ""),
                "code": element.get("nodeRepresentation", ""),
                "coding": (slots.get("codingscheme") or [""])[0],
                "name": " ".join((name or "").split()),
                "slots": slots,
            }
        )
    return found


def _instant(value: str) -> dt.datetime:
    """An XDS/CDA time as an instant (a value without offset is UTC, as XDS requires)."""
    value = value.strip()
    moment = dt.datetime.strptime(value[:14], "%Y%m%d%H%M%S")
    if len(value) > 14:
        sign = 1 if value[14] == "+" else -1
        moment -= sign * dt.timedelta(hours=int(value[15:17]), minutes=int(value[17:19]))
    return moment


def _xcn(value: str) -> tuple[str, str, str, str]:
    """(id, family, given, assigning authority OID) of an XCN, whatever its trailing noise."""
    parts = value.strip().rstrip(";").split("^")
    pieces = [piece.strip(' "') for piece in parts[8].split("&")] if len(parts) > 8 else []
    authority = next((piece for piece in pieces if piece), "")
    return parts[0].strip(), parts[1].strip(), parts[2].strip(), authority


def _xon(value: str) -> tuple[str, str, str]:
    """(name, OID, identifier) of an XON."""
    parts = value.split("^")
    return parts[0], parts[5].strip("&").split("&")[0], parts[9]


def _ours():
    cda = (ANS / "CANCER-FRCP_2022.01_Appareil.xml").read_bytes()
    header = xdm.read_header(cda)
    metadata = xdm.metadata_xml(
        header=header, document=cda, uri="DOC0001.XML", source_oid="1.2.250.1.999.1", submission_uid="2.25.1",
        recipient="dr.test@pro.mssante.demo.test", recipient_label="Dr TEST",
        now=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )  # fmt: skip
    return etree.fromstring(metadata)


def _entries(root):
    extrinsic = next(e for e in root.iter() if isinstance(e.tag, str) and _local(e) == "ExtrinsicObject")
    package = next(e for e in root.iter() if isinstance(e.tag, str) and _local(e) == "RegistryPackage")
    return extrinsic, package


def _by_scheme(classifications) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = {}
    for item in classifications:
        grouped.setdefault(item["scheme"], []).append(item)
    return grouped


def test_the_document_entry_matches_the_ans_metadata_on_the_fields_that_must_match():
    ours, theirs = _entries(_ours()), _entries(etree.parse(str(ANS / "METADATA.CDAHeaderToXDM.xml")).getroot())
    (entry, _), (ans_entry, _) = ours, theirs
    assert entry.get("objectType") == ans_entry.get("objectType") == xdm.DOCUMENT_ENTRY
    assert entry.get("mimeType") == ans_entry.get("mimeType") == "text/xml"

    slots, ans_slots = _slots(entry), _slots(ans_entry)
    assert slots["languagecode"] == ans_slots["languagecode"] == ["fr-FR"]
    for name in ("creationtime", "servicestarttime"):
        assert _instant(slots[name][0]) == _instant(ans_slots[name][0]), name
    assert _xcn(slots["legalauthenticator"][0]) == _xcn(ans_slots["legalauthenticator"][0])
    assert slots["legalauthenticator"][0].split("^")[:3] == ["801234567897", "MULLER", "Charles"]
    info = dict(value.split("|", 1) for value in slots["sourcepatientinfo"])
    ans_info = dict(value.split("|", 1) for value in ans_slots["sourcepatientinfo"])
    assert (info["PID-7"], info["PID-8"]) == (ans_info["PID-7"], ans_info["PID-8"]) == ("19790328", "F")

    title = next(e.get("value") for e in entry.iter() if _local(e) == "LocalizedString")
    assert (
        title
        == "FRCP ONCO PAYS DE LA LOIRE / 3C CHU Angers / Sein"
        == next(
            e.get("value") for e in ans_entry if _local(e) == "Name" for e in e.iter() if _local(e) == "LocalizedString"
        )
    )

    mine, ans = _by_scheme(_classifications(entry)), _classifications(ans_entry)
    ans_by_scheme = _by_scheme(ans)
    # Type, confidentiality, healthcare facility, practice setting: same scheme, code, coding scheme and name.
    for scheme in (xdm.DE_TYPE, xdm.DE_CONFIDENTIALITY, xdm.DE_FACILITY, xdm.DE_PRACTICE):
        (item,), (expected,) = mine[scheme], ans_by_scheme[scheme]
        assert (item["code"], item["coding"], item["name"]) == (
            expected["code"],
            expected["coding"],
            expected["name"],
        ), scheme
    assert [(e["code"], e["coding"]) for e in mine[xdm.DE_TYPE]] == [("34794-8", "2.16.840.1.113883.6.1")]
    # eventCodeList: every serviceEvent code, in the document's order.
    assert (
        [(e["code"], e["coding"]) for e in mine[xdm.DE_EVENT]]
        == [(e["code"], e["coding"]) for e in ans_by_scheme[xdm.DE_EVENT]]
        == [("39", "1.2.250.1.213.3.3.13"), ("C50.2", "2.16.840.1.113883.6.3")]
    )
    # formatCode: the ANS's value and coding scheme (the stylesheet leaves the classification scheme empty).
    (ans_format,) = [e for e in ans if e["code"].startswith("urn:")]
    (format_code,) = mine[xdm.DE_FORMAT]
    assert (
        (format_code["code"], format_code["coding"])
        == (ans_format["code"], ans_format["coding"])
        == (
            "urn:asip:ci-sis:frcp:2011",
            "1.2.250.1.213.1.1.4.2.282",
        )
    )
    # Author: the person, institution and specialty the ANS reads from the same header.
    (author,), (ans_author,) = mine[xdm.DE_AUTHOR], ans_by_scheme[xdm.DE_AUTHOR]
    assert _xcn(author["slots"]["authorperson"][0]) == _xcn(ans_author["slots"]["authorperson"][0])
    assert (
        _xon(author["slots"]["authorinstitution"][0])
        == _xon(ans_author["slots"]["authorinstitution"][0])
        == (
            "Centre Hospitalier d'Angers",
            "1.2.250.1.71.4.2.2",
            "1750100125",
        )
    )
    assert author["slots"]["authorspecialty"] == ans_author["slots"]["authorspecialty"]

    identifiers = {e.get("identificationScheme"): e.get("value") for e in entry if _local(e) == "ExternalIdentifier"}
    ans_identifiers = {
        e.get("id"): e.get("value") for e in ans_entry if isinstance(e.tag, str) and _local(e) == "ExternalIdentifier"
    }
    assert identifiers[xdm.DE_UNIQUE_ID] == ans_identifiers["uniqueId"] == "1.2.250.1.213.1.1.1.8.2022.1.1"
    # The patient: the INS (NIR, test OID) the ANS puts first; we keep it alone, typed NH, as the DMP wants.
    assert identifiers[xdm.DE_PATIENT_ID] == "279035121518989^^^&1.2.250.1.213.1.4.10&ISO^NH"
    assert ans_identifiers["PatientId"].split()[0] == "279035121518989"
    assert "1.2.250.1.213.1.4.10" in ans_identifiers["PatientId"]


def test_the_submission_set_matches_the_ans_metadata_structure():
    (_, package), (_, ans_package) = (
        _entries(_ours()),
        _entries(etree.parse(str(ANS / "METADATA.CDAHeaderToXDM.xml")).getroot()),
    )
    assert package.get("id") == ans_package.get("id") == "SubmissionSet01"
    identifiers = {e.get("identificationScheme") for e in package if _local(e) == "ExternalIdentifier"}
    ans_identifiers = {
        e.get("identificationScheme")
        for e in ans_package
        if isinstance(e.tag, str) and _local(e) == "ExternalIdentifier"
    }
    assert xdm.SS_SOURCE_ID in identifiers & ans_identifiers
    schemes = {e["scheme"] for e in _classifications(package)}
    ans_schemes = {e["scheme"] for e in _classifications(ans_package)}
    # The ANS classifies the submission set's author with the DocumentEntry author scheme (a slip): we use the
    # SubmissionSet's, with the same slots.
    assert xdm.DE_AUTHOR in ans_schemes and xdm.SS_AUTHOR in schemes
    (author,) = [e for e in _classifications(package) if e["scheme"] == xdm.SS_AUTHOR]
    (ans_author,) = [e for e in _classifications(ans_package) if e["scheme"] == xdm.DE_AUTHOR]
    assert _xcn(author["slots"]["authorperson"][0]) == _xcn(ans_author["slots"]["authorperson"][0])
    assert author["slots"]["authorspecialty"] == ans_author["slots"]["authorspecialty"]
    # The constants every receiver matches on, as the IHE ITI TF-3 §4.2 table lists them.
    assert xdm.SUBMISSION_SET == "urn:uuid:a54d6aa5-d40d-43f9-88c5-b4633d873bdd"
    assert xdm.HAS_MEMBER == "urn:oasis:names:tc:ebxml-regrep:AssociationType:HasMember"
