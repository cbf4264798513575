"""The shared vocabulary of the CDA builders: namespaces, code systems, the two result types and the element helpers
(coded values, narrative with `text/reference`, addresses, organisations, professionals, simple observations, sections).
"""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo
from dataclasses import dataclass

from lxml import etree
from lxml.builder import ElementMaker

from .. import jdv
from ..inputs import FINESS_ROOT, RPPS_ROOT, Address, Organization, Professional

CDA_NS = "urn:hl7-org:v3"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
XSI_TYPE = f"{{{XSI_NS}}}type"
E = ElementMaker(namespace=CDA_NS, nsmap={None: CDA_NS, "xsi": XSI_NS})
PARIS = zoneinfo.ZoneInfo("Europe/Paris")

LOINC = "2.16.840.1.113883.6.1"
SNOMED = "2.16.840.1.113883.6.96"
TA_ASIP = "1.2.250.1.213.1.1.4.322"
TNM_SYSTEM = "2.16.840.1.113883.15.6"

TEMPLATE_HL7_FRANCE = "2.16.840.1.113883.2.8.2.1"
TEMPLATE_STRUCT_MIN = "1.2.250.1.213.1.1.1.1"
VERSION_2025 = "2025.01"

SIMPLE_OBSERVATION = ("1.3.6.1.4.1.19376.1.5.3.1.4.13", "1.2.250.1.213.1.1.3.48")
COMMENT_TEMPLATES = ("2.16.840.1.113883.10.20.1.40", "1.3.6.1.4.1.19376.1.5.3.1.4.2", "1.2.250.1.213.1.1.3.32")


class BuildError(ValueError):
    """The input cannot make a conformant document; the message is in French."""


@dataclass(frozen=True)
class BuiltDocument:
    xml: bytes
    document_id: str
    set_id: str
    version: int
    template_id: str


# --- small helpers ---------------------------------------------------------------------------------------------


def new_id() -> str:
    return str(uuid.uuid4()).upper()


def ts(value: dt.datetime | dt.date) -> str:
    """HL7 TS: a date as YYYYMMDD, a moment with seconds and its offset (naive moments are Paris time)."""
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=PARIS)
        return aware.strftime("%Y%m%d%H%M%S%z")
    return value.strftime("%Y%m%d")


def templates(*roots: str) -> list[etree._Element]:
    return [E.templateId(root=root) for root in roots]


def code(tag: str, value: str, system: str, display: str, **extra) -> etree._Element:
    element = getattr(E, tag)(code=value, codeSystem=system, displayName=display)
    for key, item in extra.items():
        element.set(key, item)
    return element


def concept_code(tag: str, value_set: str, value: str, *, xsi_cd: bool = False) -> etree._Element:
    found = jdv.concept(value_set, value)
    element = code(tag, found.code, found.code_system, found.display_name)
    if xsi_cd:
        element.set(XSI_TYPE, "CD")
    return element


class Narrative:
    """The human-readable part of a section; entries point at its paragraphs with `text/reference`."""

    def __init__(self, *paragraphs: str) -> None:
        self.items: list[tuple[str, str]] = []
        for paragraph in paragraphs:
            if paragraph:
                self.add(paragraph)

    def add(self, content: str) -> str:
        ref = f"n-{uuid.uuid4().hex[:16]}"
        self.items.append((ref, content))
        return ref

    def ref(self, content: str) -> etree._Element:
        """Add `content` to the narrative and return the entry's `<text><reference/></text>`."""
        return E.text(E.reference(value="#" + self.add(content)))

    def original_text(self, content: str) -> etree._Element:
        return E.originalText(E.reference(value="#" + self.add(content)))

    def element(self) -> etree._Element:
        if not self.items:
            return E.text(E.paragraph("Non renseigné"))
        return E.text(*[E.paragraph(content, ID=ref) for ref, content in self.items])


def text(*paragraphs: str) -> etree._Element:
    body = [E.paragraph(p) for p in paragraphs if p]
    return E.text(*(body or [E.paragraph("Non renseigné")]))


def address(value: Address | None) -> etree._Element:
    if value is None:
        return E.addr(nullFlavor="UNK")
    parts = []
    if value.house_number:
        parts.append(E.houseNumber(value.house_number))
    if value.street_name:
        parts.append(E.streetName(value.street_name))
    if value.postal_code:
        parts.append(E.postalCode(value.postal_code))
    if value.city:
        parts.append(E.city(value.city))
    if value.country:
        parts.append(E.country(value.country))
    return E.addr(*parts) if parts else E.addr(nullFlavor="UNK")


def telecom(phone: str) -> list[etree._Element]:
    """A work phone as a ``tel:`` URI: the directory writes « 05 49 44 44 44 », a URI has no spaces (RFC 3966
    visual separators are dots or dashes only), so keep the digits and a leading +."""
    digits = "".join(char for char in phone if char.isdigit())
    prefix = "+" if phone.strip().startswith("+") else ""
    return [E.telecom(value=f"tel:{prefix}{digits}", use="WP")] if digits else []


def organization(tag: str, org: Organization, *, industry: bool = True) -> etree._Element:
    children = [
        E.id(root=FINESS_ROOT, extension=org.finess),
        E.name(org.name),
        *telecom(org.phone),
        address(org.address),
    ]
    if industry:
        children.append(
            E.standardIndustryClassCode(
                code="ETABLISSEMENT", displayName="Etablissement de santé", codeSystem="1.2.250.1.213.1.1.4.9"
            )
        )
    return getattr(E, tag)(*children)


def person_name(pro: Professional) -> etree._Element:
    name = E.name(E.given(pro.given_name), E.family(pro.family_name))
    if pro.title:  # JDV_J246 titre (DR, PR…): none for a nurse or a secretary
        name.append(E.suffix(pro.title))
    return name


def specialty(pro: Professional) -> etree._Element:
    return concept_code("code", "JDV_J01_XdsAuthorSpecialty_CISIS", pro.specialty_code)


def assigned(
    tag: str, pro: Professional, *, person_tag: str = "assignedPerson", org_tag: str = "representedOrganization"
):
    return getattr(E, tag)(
        E.id(root=RPPS_ROOT, extension=pro.rpps),
        specialty(pro),
        address(pro.organization.address),
        *telecom(pro.phone),
        getattr(E, person_tag)(person_name(pro)),
        organization(org_tag, pro.organization),
    )


def simple_observation(
    code_element: etree._Element,
    value: etree._Element | None,
    *,
    nar: Narrative,
    label: str,
    when=None,
    children=(),
    extra_templates=(),
) -> etree._Element:
    effective = E.effectiveTime(E.low(value=ts(when))) if when else E.effectiveTime(nullFlavor="NA")
    parts = [*templates(*SIMPLE_OBSERVATION, *extra_templates), E.id(root=new_id()), code_element, nar.ref(label)]
    parts += [E.statusCode(code="completed"), effective]
    if value is not None:
        parts.append(value)
    parts += list(children)
    return E.observation(*parts, classCode="OBS", moodCode="EVN")


def bl(value: bool) -> etree._Element:
    return E.value({XSI_TYPE: "BL"}, value="true" if value else "false")


def ta(value: str, display: str, tag: str = "code") -> etree._Element:
    return code(tag, value, TA_ASIP, display)


def comment_act(content: str, nar: Narrative) -> etree._Element:
    return E.act(
        *templates(*COMMENT_TEMPLATES),
        code("code", "48767-8", LOINC, "Commentaire"),
        nar.ref(content),
        E.statusCode(code="completed"),
        classCode="ACT",
        moodCode="EVN",
    )


def section(template_roots, loinc: str, display: str, title: str, narrative, *entries, translation=None):
    code_element = code("code", loinc, LOINC, display)
    if translation is not None:
        code_element.append(translation)
    return E.component(
        E.section(
            *templates(*template_roots),
            E.id(root=new_id()),
            code_element,
            E.title(title),
            narrative,
            *[E.entry(entry) for entry in entries],
        )
    )


def coded_value(found: jdv.Concept, tag: str = "value") -> etree._Element:
    return code(tag, found.code, found.code_system, found.display_name, **{XSI_TYPE: "CD"})
