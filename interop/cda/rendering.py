"""A CDA document as plain data for a readable HTML page: header facts and section narratives.

Nothing of the document's own markup reaches the page: narratives are flattened into paragraphs,
lists and tables of *text*, which the template escapes. Parsing goes through the safe parser.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from interop.cda.parsing import CDA_NS, parse_cda

NS = {"cda": CDA_NS}
CONFIDENTIALITY = {"N": "Normale", "R": "Restreinte", "V": "Très restreinte"}
MAX_DEPTH = 6


@dataclass
class Block:
    kind: str  # "paragraph", "list" or "table"
    text: str = ""
    items: list[str] = field(default_factory=list)
    head: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)


@dataclass
class Section:
    title: str
    level: int
    blocks: list[Block] = field(default_factory=list)
    subsections: list[Section] = field(default_factory=list)


@dataclass
class RenderedCda:
    title: str
    code_label: str
    effective_time: object
    version: int | None
    confidentiality: str
    patient_name: str
    patient_ins: str
    birth_date: object
    authors: list[str]
    custodian: str
    legal_authenticator: str
    sections: list[Section]
    non_xml_media_type: str = ""


def _text(element: etree._Element | None) -> str:
    if element is None:
        return ""
    return " ".join("".join(element.itertext()).split())


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _blocks(text_element: etree._Element | None) -> list[Block]:
    if text_element is None:
        return []
    blocks: list[Block] = []
    loose = " ".join((text_element.text or "").split())
    if loose:
        blocks.append(Block("paragraph", text=loose))
    for child in text_element:
        name = _local(child)
        if name == "table":
            head = [_text(cell) for cell in child.iterfind("cda:thead/cda:tr/cda:th", NS)]
            rows = [
                [_text(cell) for cell in row if _local(cell) in ("td", "th")]
                for row in child.iterfind(".//cda:tbody/cda:tr", NS)
            ]
            blocks.append(Block("table", head=head, rows=rows))
        elif name == "list":
            blocks.append(Block("list", items=[_text(item) for item in child.iterfind("cda:item", NS)]))
        elif name in ("renderMultiMedia",):
            continue
        else:
            content = _text(child)
            if content:
                blocks.append(Block("paragraph", text=content))
        tail = " ".join((child.tail or "").split())
        if tail:
            blocks.append(Block("paragraph", text=tail))
    return blocks


def _section(element: etree._Element, level: int) -> Section:
    section = Section(title=_text(element.find("cda:title", NS)) or "Section sans titre", level=level)
    section.blocks = _blocks(element.find("cda:text", NS))
    if level < MAX_DEPTH:
        section.subsections = [
            _section(child, level + 1) for child in element.iterfind("cda:component/cda:section", NS)
        ]
    return section


TITLES = {"DR": "Dr", "PR": "Pr", "MME": "Mme", "M": "M."}


def _person(element: etree._Element | None) -> str:
    """« Dr Claire FICTIF »: the title (prefix or suffix), given names and family names, spaced."""
    if element is None:
        return ""
    name = element.find(".//cda:assignedPerson/cda:name", NS)
    if name is None:
        name = element.find(".//cda:name", NS)
    if name is None:
        return ""
    parts = {
        tag: [text for text in (_text(part) for part in name.iterfind(f"cda:{tag}", NS)) if text]
        for tag in ("prefix", "suffix", "given", "family")
    }
    if not any(parts.values()):  # a name written as plain text
        return _text(name)
    titles = [TITLES.get(title.upper(), title) for title in parts["prefix"] + parts["suffix"]]
    return " ".join([*titles, *parts["given"], *parts["family"]])


def render_cda(data: bytes) -> RenderedCda:
    """Parse (safely) and flatten a CDA for display; raises ``UnsafeDocumentError`` for unreadable input."""
    tree, summary = parse_cda(data)
    root = tree.getroot()
    patient = root.find("cda:recordTarget/cda:patientRole/cda:patient", NS)
    family = given = ""
    if patient is not None:
        family = " ".join(_text(f) for f in patient.iterfind("cda:name/cda:family", NS) if f.get("qualifier") != "CL")
        given = next((_text(g) for g in patient.iterfind("cda:name/cda:given", NS) if not g.get("qualifier")), "")
    sections = [
        _section(element, 2)
        for element in root.iterfind("cda:component/cda:structuredBody/cda:component/cda:section", NS)
    ]
    return RenderedCda(
        title=summary.title,
        code_label=summary.code_label,
        effective_time=summary.effective_time,
        version=summary.version,
        confidentiality=CONFIDENTIALITY.get(summary.confidentiality, summary.confidentiality or "—"),
        patient_name=f"{family} {given}".strip(),
        patient_ins=summary.patient.ins,
        birth_date=summary.patient.birth_date,
        authors=[_person(author) for author in root.iterfind("cda:author", NS)],
        custodian=_text(root.find("cda:custodian//cda:representedCustodianOrganization/cda:name", NS)),
        legal_authenticator=_person(root.find("cda:legalAuthenticator", NS)),
        sections=sections,
        non_xml_media_type=summary.nonxml_media_type,
    )
