"""CDA R2 builders: the Structuration minimale header, FRCP 2025.01 and PPS 2025.01 bodies (N3) and N1 (PDF body).

Entry points: `build_frcp`, `build_pps`, `build_n1`. They return a `BuiltDocument` (UTF-8 bytes and ids); callers
validate it with `validation.validate_cda` before storing or sending it. Every entry gets a fresh UUID; coded
answers are looked up in their CI-SIS value set (`jdv.concept`), so an unknown code raises `UnknownCodeError`.
"""

from __future__ import annotations

import base64
import datetime as dt
import uuid
import zoneinfo
from dataclasses import dataclass

from lxml import etree
from lxml.builder import ElementMaker

from . import jdv
from .inputs import (
    FINESS_ROOT,
    GESTIONNAIRE_RCP_ROOT,
    RCP_ROOT,
    RPPS_ROOT,
    RRC_ROOT,
    SESSION_ROOT,
    Address,
    Diagnosis,
    DocumentHeader,
    FrcpContent,
    Organization,
    PdfCopy,
    PpsContent,
    Professional,
    ProgrammeItem,
)

CDA_NS = "urn:hl7-org:v3"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
XSI_TYPE = f"{{{XSI_NS}}}type"
E = ElementMaker(namespace=CDA_NS, nsmap={None: CDA_NS, "xsi": XSI_NS})
PARIS = zoneinfo.ZoneInfo("Europe/Paris")

LOINC = "2.16.840.1.113883.6.1"
SNOMED = "2.16.840.1.113883.6.96"
TA_ASIP = "1.2.250.1.213.1.1.4.322"
CIM10 = "2.16.840.1.113883.6.3"
CIMO3 = "2.16.840.1.113883.6.43.1"
TNM_SYSTEM = "2.16.840.1.113883.15.6"

TEMPLATE_HL7_FRANCE = "2.16.840.1.113883.2.8.2.1"
TEMPLATE_STRUCT_MIN = "1.2.250.1.213.1.1.1.1"
TEMPLATE_FRCP = "1.2.250.1.213.1.1.1.8"
TEMPLATE_PPS = "1.2.250.1.213.1.1.1.26"
VERSION_2025 = "2025.01"

SIMPLE_OBSERVATION = ("1.3.6.1.4.1.19376.1.5.3.1.4.13", "1.2.250.1.213.1.1.3.48")
COMMENT_TEMPLATES = ("2.16.840.1.113883.10.20.1.40", "1.3.6.1.4.1.19376.1.5.3.1.4.2", "1.2.250.1.213.1.1.3.32")

# PPS programme categories and the value set their actual type comes from.
CATEGORY_LABELS = {
    "MED-568": "Traitement",
    "MED-569": "Prévention et gestion médicamenteuse des effets secondaires",
    "MED-570": "Mesure associée",
    "MED-571": "Suivi",
    "MED-572": "Soin oncologique de support",
    "MED-573": "Accompagnement social et socioprofessionnel",
}
CATEGORY_VALUE_SETS = {
    "MED-568": "jdv-type-traitement-pps-cisis",
    "MED-569": "jdv-gestion-effet-secondaire-cisis",
    "MED-570": "jdv-mesure-associee-cisis",
    "MED-571": "jdv-type-de-suivi-cisis",
    "MED-572": "jdv-soin-onco-de-support-cisis",
    "MED-573": "jdv-type-accompagnement-sociopro-cisis",
}


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


# --- header ------------------------------------------------------------------------------------------------------


def _patient_role(header: DocumentHeader) -> etree._Element:
    patient = header.patient
    # The INS only for a qualified identity (the caller decides: ``Patient.ins_exchangeable``); otherwise the
    # local identifier alone, which the Structuration minimale accepts when no INS root is present.
    ids = [E.id(root=patient.ins_oid, extension=patient.ins)] if patient.ins else []
    if patient.ipp:
        ids.append(E.id(root=patient.ipp_root, extension=patient.ipp))
    if not ids:
        raise BuildError("Le patient doit être identifié par son INS (identité qualifiée) ou par son IPP.")
    name = E.name(
        E.family(patient.birth_family_name, qualifier="BR"),
        E.given(" ".join(patient.given_names)),
        E.given(patient.first_given_name, qualifier="BR"),
    )
    if patient.used_family_name:
        name.append(E.family(patient.used_family_name, qualifier="CL"))
    if patient.used_given_name:
        name.append(E.given(patient.used_given_name, qualifier="CL"))
    gender = concept_code("administrativeGenderCode", "JDV_J143_AdministrativeGender_CISIS", patient.sex)
    person = E.patient(name, gender, E.birthTime(value=ts(patient.birth_date)), classCode="PSN")
    if patient.birth_place_code:
        person.append(E.birthplace(E.place(E.addr(E.county(patient.birth_place_code)))))
    return E.patientRole(*ids, address(patient.address), person)


def build_header(
    header: DocumentHeader,
    *,
    volet_template: str | None,
    document_code: str,
    participants=(),
    documentation_of=(),
    component_of: etree._Element | None = None,
    in_fulfillment_of: etree._Element | None = None,
) -> etree._Element:
    """The CDA header of the Structuration minimale; the body is appended by the caller."""
    if header.version < 1:
        raise BuildError("Le numéro de version du document doit être supérieur ou égal à 1.")
    if header.version > 1 and not header.replaced_document_id:
        raise BuildError("Une nouvelle version doit indiquer l'identifiant du document qu'elle remplace.")
    doc_code = jdv.concept("JDV_J07_XdsTypeCode_CISIS", document_code)
    roots = [TEMPLATE_HL7_FRANCE, TEMPLATE_STRUCT_MIN]
    root = E.ClinicalDocument(
        E.realmCode(code="FR"),
        E.typeId(root="2.16.840.1.113883.1.3", extension="POCD_HD000040"),
        *templates(*roots),
    )
    if volet_template:
        root.append(E.templateId(root=volet_template, extension=VERSION_2025))
    confidentiality = {"N": "Normal", "R": "Restreint", "V": "Très restreint"}.get(header.confidentiality)
    if confidentiality is None:
        raise BuildError("Le niveau de confidentialité doit être N, R ou V.")
    root.extend(
        [
            E.id(root=header.document_id),
            code("code", doc_code.code, doc_code.code_system, doc_code.display_name),
            E.title(header.title),
            E.effectiveTime(value=ts(header.effective_time)),
            E.confidentialityCode(
                code=header.confidentiality, displayName=confidentiality, codeSystem="2.16.840.1.113883.5.25"
            ),
            E.languageCode(code="fr-FR"),
            E.setId(root=header.set_id),
            E.versionNumber(value=str(header.version)),
            E.recordTarget(_patient_role(header)),
            E.author(E.time(value=ts(header.effective_time)), assigned("assignedAuthor", header.author)),
            E.custodian(
                E.assignedCustodian(
                    E.representedCustodianOrganization(
                        E.id(root=FINESS_ROOT, extension=header.custodian.finess),
                        E.name(header.custodian.name),
                        *telecom(header.custodian.phone),
                        address(header.custodian.address),
                    )
                )
            ),
            E.legalAuthenticator(
                E.time(value=ts(header.effective_time)),
                E.signatureCode(code="S"),
                assigned("assignedEntity", header.legal_authenticator),
            ),
        ]
    )
    root.extend(participants)
    if in_fulfillment_of is not None:
        root.append(in_fulfillment_of)
    if documentation_of:
        root.extend(documentation_of)
    else:
        performer = header.service_performer or header.author
        root.append(
            E.documentationOf(
                E.serviceEvent(
                    E.effectiveTime(E.low(value=ts(header.service_start or header.effective_time))),
                    E.performer(assigned("assignedEntity", performer), typeCode="PRF"),
                    classCode="ACT",
                )
            )
        )
    if header.replaced_document_id:
        root.append(E.relatedDocument(E.parentDocument(E.id(root=header.replaced_document_id)), typeCode="RPLC"))
    if component_of is None:
        location = header.encounter_location or header.custodian
        component_of = E.componentOf(
            E.encompassingEncounter(
                E.effectiveTime(E.low(value=ts(header.encounter_start or header.effective_time))),
                E.location(E.healthCareFacility(_facility_code(location))),
            )
        )
    root.append(component_of)
    return root


def _facility_code(org: Organization) -> etree._Element:
    return concept_code("code", "JDV_J02_XdsHealthcareFacilityTypeCode_CISIS", org.facility_type_code)


def _participant(type_code: str, pro: Professional, function: etree._Element) -> etree._Element:
    participant = E.participant(
        function,
        E.time(nullFlavor="UNK"),
        assigned("associatedEntity", pro, person_tag="associatedPerson", org_tag="scopingOrganization"),
        typeCode=type_code,
    )
    participant.find(f"{{{CDA_NS}}}associatedEntity").set("classCode", "PROV")
    return participant


def _untyped_function(label: str) -> etree._Element:
    return E.functionCode(E.originalText(label), nullFlavor="NA")


def _serialize(root: etree._Element, header: DocumentHeader, template_id: str) -> BuiltDocument:
    xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return BuiltDocument(
        xml=xml, document_id=header.document_id, set_id=header.set_id, version=header.version, template_id=template_id
    )


# --- shared sections ---------------------------------------------------------------------------------------------


def _coded_value(found: jdv.Concept, tag: str = "value") -> etree._Element:
    return code(tag, found.code, found.code_system, found.display_name, **{XSI_TYPE: "CD"})


def _diagnosis_section(diagnosis: Diagnosis) -> etree._Element:
    nar = Narrative()
    morphology = jdv.concept("jdv-morphologie-cisis", diagnosis.morphology_code)
    topography = jdv.concept("jdv-tumeur-cisis", diagnosis.topography_code)
    summary = nar.ref(
        f"Diagnostic du {diagnosis.diagnosis_date:%d/%m/%Y} : {morphology.display_name} ({morphology.code}), "
        f"{topography.display_name} ({topography.code})"
    )
    value = _coded_value(morphology)
    value.append(nar.original_text(f"Morphologie (CIM-O-3) : {morphology.code} {morphology.display_name}"))
    site = code("targetSiteCode", topography.code, topography.code_system, topography.display_name)
    site.append(nar.original_text(f"Topographie (CIM-10) : {topography.code} {topography.display_name}"))
    if diagnosis.laterality_code:
        laterality = jdv.concept("jdv-lateralite-cisis", diagnosis.laterality_code)
        lateral_value = code("value", laterality.code, laterality.code_system, laterality.display_name)
        lateral_value.append(nar.original_text(f"Latéralité : {laterality.display_name}"))
        site.append(E.qualifier(code("name", "20228-3", LOINC, "Latéralité"), lateral_value))
    observation_children = [
        *templates(
            "2.16.840.1.113883.10.20.1.28",
            "1.3.6.1.4.1.19376.1.5.3.1.4.5",
            "1.2.250.1.213.1.1.3.37",
            "1.3.6.1.4.1.19376.1.7.3.1.4.14.1",
            "1.2.250.1.213.1.1.3.113",
        ),
        E.id(root=new_id()),
        code("code", "282291009", SNOMED, "interprétation diagnostique"),
        summary,
        E.statusCode(code="completed"),
        E.effectiveTime(E.low(value=ts(diagnosis.diagnosis_date))),
        value,
        site,
    ]
    if diagnosis.tnm is not None:
        observation_children.append(E.entryRelationship(_tnm(diagnosis, nar), typeCode="SUBJ", inversionInd="false"))
    if diagnosis.comment:
        observation_children.append(
            E.entryRelationship(comment_act(diagnosis.comment, nar), typeCode="SUBJ", inversionInd="true")
        )
    problem = E.observation(*observation_children, classCode="OBS", moodCode="EVN", negationInd="false")
    concern = E.act(
        *templates(
            "2.16.840.1.113883.10.20.1.27",
            "1.3.6.1.4.1.19376.1.5.3.1.4.5.1",
            "1.3.6.1.4.1.19376.1.5.3.1.4.5.2",
            "1.2.250.1.213.1.1.3.39",
            "1.2.250.1.213.1.1.3.39.1",
        ),
        E.id(root=new_id()),
        E.code(nullFlavor="NA"),
        E.statusCode(code="active"),
        E.effectiveTime(E.low(value=ts(diagnosis.diagnosis_date))),
        E.entryRelationship(problem, typeCode="SUBJ", inversionInd="false"),
        classCode="ACT",
        moodCode="EVN",
    )
    return section(
        (
            "2.16.840.1.113883.10.20.1.11",
            "1.3.6.1.4.1.19376.1.5.3.1.3.6",
            "1.3.6.1.4.1.19376.1.7.3.1.3.14.1",
            "1.2.250.1.213.1.1.2.27",
        ),
        "72135-7",
        "Diagnostic du cancer",
        "Tumeur",
        nar.element(),
        concern,
    )


def _tnm(diagnosis: Diagnosis, nar: Narrative) -> etree._Element:
    tnm = diagnosis.tnm
    when = tnm.date or diagnosis.diagnosis_date
    qualifiers = []
    if tnm.stage:
        qualifiers.append(
            E.qualifier(
                code("name", "21909-7", LOINC, "Stade clinique"),
                code("value", tnm.stage, TNM_SYSTEM, f"Stade {tnm.stage}", **{XSI_TYPE: "CD"}),
            )
        )
    qualifiers.append(
        E.qualifier(
            code("name", "21917-0", LOINC, "Version TNM Classification"),
            code("value", tnm.edition, TNM_SYSTEM, f"TNM UICC {tnm.edition}e édition", **{XSI_TYPE: "CD"}),
        )
    )
    summary = nar.ref(
        f"TNM clinique (UICC {tnm.edition}e édition) : {tnm.t} {tnm.n} {tnm.m}"
        + (f", stade {tnm.stage}" if tnm.stage else "")
    )
    parts = []
    for loinc, label, value in (
        ("21905-5", "TNM Clinique T", tnm.t),
        ("21906-3", "TNM Clinique N", tnm.n),
        ("21907-1", "TNM Clinique M", tnm.m),
    ):
        parts.append(
            E.entryRelationship(
                simple_observation(
                    code("code", loinc, LOINC, label),
                    code("value", value, TNM_SYSTEM, value, **{XSI_TYPE: "CD"}),
                    nar=nar,
                    label=f"{label} : {value}",
                ),
                typeCode="COMP",
            )
        )
    return E.observation(
        E.templateId(root="1.3.6.1.4.1.19376.1.7.3.1.4.14.2"),
        code("code", "75620-5", LOINC, "Stade TNM Clinique"),
        summary,
        E.statusCode(code="completed"),
        E.effectiveTime(E.low(value=ts(when))),
        E.value({XSI_TYPE: "CD"}, *qualifiers),
        *parts,
        classCode="OBS",
        moodCode="EVN",
        negationInd="false",
    )


def _discovery_section(screening: bool | None, when: dt.date | None) -> etree._Element:
    nar = Narrative()
    entries = []
    if screening is None:
        # IHE Event Outcome sections need a simple observation: the answer is then "unknown".
        entries.append(
            simple_observation(
                code("code", "63921-1", LOINC, "Dépistage du cancer"),
                E.value({XSI_TYPE: "BL"}, nullFlavor="UNK"),
                nar=nar,
                label="Mode de découverte non renseigné",
                when=when,
            )
        )
    else:
        label = "Découverte par dépistage" if screening else "Découverte hors dépistage"
        entries.append(
            simple_observation(
                code("code", "63921-1", LOINC, "Dépistage du cancer"), bl(screening), nar=nar, label=label, when=when
            )
        )
    return section(
        ("1.3.6.1.4.1.19376.1.5.3.1.1.21.2.9", "1.3.6.1.4.1.19376.1.7.3.1.1.13.7", "1.2.250.1.213.1.1.2.163"),
        "42545-4",
        "Evènements observés",
        "Mode de découverte du cancer",
        nar.element(),
        *entries,
    )


def _phase_section(phase_code: str, when: dt.date | None, title: str) -> etree._Element:
    nar = Narrative()
    entries = []
    if not phase_code:
        nar.add("Phase non renseignée")
    else:
        phase = jdv.concept("jdv-phase-cancer-cisis", phase_code)
        observation = simple_observation(
            ta("MED-243", "Phase du cancer"), _coded_value(phase), nar=nar, label=f"Phase : {phase.display_name}"
        )
        effective = observation.find(f"{{{CDA_NS}}}effectiveTime")
        observation.replace(effective, E.effectiveTime(value=ts(when)) if when else E.effectiveTime(nullFlavor="NA"))
        entries.append(observation)
    return section(
        ("1.3.6.1.4.1.19376.1.5.3.1.1.13.2.7", "1.2.250.1.213.1.1.2.25"),
        "18733-6",
        "Note de progression",
        title,
        nar.element(),
        *entries,
    )


def _status_section(status_code: str, when: dt.date, extra=()) -> etree._Element:
    """FR-Statut-du-document; `extra` are (TA_ASIP code, label, date) dated observations (PPS)."""
    nar = Narrative()
    status = jdv.concept("jdv-statut-document-cisis", status_code)
    observation = E.observation(
        *templates(*SIMPLE_OBSERVATION, "1.2.250.1.213.1.1.3.48.16"),
        E.id(root=new_id()),
        ta("GEN-065", "Statut du document"),
        nar.ref(f"Statut du document : {status.display_name}"),
        E.statusCode(code="completed"),
        E.effectiveTime(value=ts(when)),
        _coded_value(status),
        classCode="OBS",
        moodCode="EVN",
    )
    entries = [observation]
    for ta_code, label, day in extra:
        entries.append(
            E.observation(
                *templates(*SIMPLE_OBSERVATION),
                E.id(root=new_id()),
                ta(ta_code, label),
                nar.ref(f"{label} : {day:%d/%m/%Y}"),
                E.statusCode(code="completed"),
                E.effectiveTime(value=ts(day)),
                E.value({XSI_TYPE: "EIVL_TS"}, value=ts(day)),
                classCode="OBS",
                moodCode="EVN",
            )
        )
    return section(
        ("1.2.250.1.213.1.1.2.35",),
        "33557-0",
        "Etat d'achèvement",
        "Statut du document",
        nar.element(),
        *entries,
    )


def _pdf_copy_section(pdf: PdfCopy) -> etree._Element:
    if not pdf.content.startswith(b"%PDF-"):
        raise BuildError("La copie jointe au document n'est pas un fichier PDF.")
    nar = Narrative()
    organizer = E.organizer(
        E.templateId(root="1.2.250.1.213.1.1.3.18"),
        E.id(root=new_id()),
        code("code", "55107-7", LOINC, "Document attaché"),
        E.statusCode(code="completed"),
        E.component(
            simple_observation(
                code("code", "69764-9", LOINC, "Type de document"),
                code("value", "55108-5", LOINC, "Copie du document", **{XSI_TYPE: "CD"}),
                nar=nar,
                label=pdf.title,
                extra_templates=("1.2.250.1.213.1.1.3.48.18",),
            )
        ),
        E.component(
            E.observationMedia(
                E.value(
                    base64.b64encode(pdf.content).decode("ascii"), mediaType="application/pdf", representation="B64"
                ),
                classCode="OBS",
                moodCode="EVN",
                ID="copiePDF",
            )
        ),
        classCode="CLUSTER",
        moodCode="EVN",
    )
    narrative = nar.element()
    narrative.append(E.renderMultiMedia(referencedObject="copiePDF"))
    return section(
        ("1.2.250.1.213.1.1.2.243",),
        "55108-5",
        "Copie du document",
        "Copie du document",
        narrative,
        organizer,
    )


# --- FRCP 2025.01 ------------------------------------------------------------------------------------------------


def build_frcp(header: DocumentHeader, content: FrcpContent, pdf: PdfCopy) -> BuiltDocument:
    """A fiche RCP as CDA R2 N3 following the FRCP 2025.01 volet."""
    if not content.proposition:
        raise BuildError("La proposition de la RCP doit comporter au moins un acte.")
    meeting = content.meeting
    participants = [_participant("RESP", meeting.coordinator, _untyped_function("PS Coordonnateur de la RCP"))]
    if content.requester:
        participants.append(_participant("REFB", content.requester, _untyped_function("PS Demandeur")))
    if content.presenter:
        participants.append(_participant("PRF", content.presenter, _untyped_function("PS Présentateur")))
    if content.general_practitioner:
        participants.append(
            _participant(
                "INF",
                content.general_practitioner,
                code("functionCode", "PCP", "2.16.840.1.113883.5.88", "Médecin traitant"),
            )
        )
    else:
        # The FRCP always names the médecin traitant; unknown is said with nullFlavor, not by omission.
        participants.append(
            E.participant(
                E.functionCode(
                    E.originalText("Médecin traitant inconnu"),
                    code="PCP",
                    displayName="Médecin traitant",
                    codeSystem="2.16.840.1.113883.5.88",
                ),
                E.time(nullFlavor="UNK"),
                E.associatedEntity(classCode="PROV"),
                typeCode="INF",
                nullFlavor="UNK",
            )
        )
    for member in content.quorum_members:
        participants.append(
            _participant(
                "PRF",
                member,
                E.functionCode(
                    E.originalText("Participant du quorum"),
                    code="353",
                    displayName="Membre de l'équipe de soins",
                    codeSystem="1.2.250.1.213.1.6.1.107",
                ),
            )
        )
    topography = jdv.concept("jdv-tumeur-cisis", content.diagnosis.topography_code)
    documentation_of = [
        E.documentationOf(
            E.serviceEvent(
                E.code(
                    E.originalText(meeting.rcp_label),
                    code="39",
                    displayName="Réunion de Concertation Pluridisciplinaire (RCP)",
                    codeSystem="1.2.250.1.213.3.3.13",
                ),
                E.effectiveTime(E.low(value=ts(meeting.meeting_time))),
                E.performer(assigned("assignedEntity", meeting.coordinator), typeCode="PRF"),
                classCode="ACT",
            )
        ),
        E.documentationOf(
            E.serviceEvent(
                code("code", topography.code, topography.code_system, topography.display_name), classCode="ACT"
            )
        ),
    ]
    encounter_type = jdv.concept("JDV_J142_TypeRencontre_CISIS", meeting.encounter_code)
    component_of = E.componentOf(
        E.encompassingEncounter(
            E.id(root=RRC_ROOT, extension=meeting.rrc_id),
            E.id(root=GESTIONNAIRE_RCP_ROOT, extension=meeting.gestionnaire_id),
            E.id(root=RCP_ROOT, extension=meeting.rcp_id),
            E.id(root=SESSION_ROOT, extension=meeting.session_id),
            code("code", encounter_type.code, encounter_type.code_system, encounter_type.display_name),
            E.effectiveTime(E.low(value=ts(meeting.meeting_time))),
            E.location(
                E.healthCareFacility(
                    E.id(root=FINESS_ROOT, extension=meeting.location.finess),
                    _facility_code(meeting.location),
                    E.location(E.name(meeting.location.name), address(meeting.location.address)),
                )
            ),
        )
    )
    in_fulfillment = E.inFulfillmentOf(E.order(E.id(root=meeting.inscription_id)))
    root = build_header(
        header,
        volet_template=TEMPLATE_FRCP,
        document_code="34794-8",
        participants=participants,
        documentation_of=documentation_of,
        component_of=component_of,
        in_fulfillment_of=in_fulfillment,
    )
    day = meeting.meeting_time.date()
    components = [
        _reason_section(content),
        _discovery_section(content.discovered_by_screening, content.discovery_date),
        _diagnosis_section(content.diagnosis),
    ]
    if content.ecog_code:
        components.append(_ecog_section(content.ecog_code, content.ecog_date or day))
    components += [
        _phase_section(content.phase_code, day, "Phase et progression du cancer"),
        section(
            ("1.3.6.1.4.1.19376.1.5.3.1.3.4", "1.2.250.1.213.1.1.2.130"),
            "10164-2",
            "Histoire de la maladie",
            "Synthèse du cas présenté et question posée à la RCP",
            text(content.case_summary, f"Question posée : {content.question}" if content.question else ""),
        ),
        _dossier_status_section(content),
        _proposition_section(content, day),
        _frame_section(content),
        _status_section(content.document_status_code, day),
        _pdf_copy_section(pdf),
    ]
    root.append(E.component(E.structuredBody(*components)))
    return _serialize(root, header, TEMPLATE_FRCP)


def _reason_section(content: FrcpContent) -> etree._Element:
    nar = Narrative()
    nature = jdv.concept("jdv-nature-discussion-cisis", content.nature_code)
    children = []
    if content.nature_code == "ORG-117":
        if not content.appareil_code:
            raise BuildError("Une RCP appareil-organes doit indiquer l'appareil concerné.")
        appareil = jdv.concept("jdv-rcp-appareil-cisis", content.appareil_code)
        sub = []
        if content.organe_code:
            organe = jdv.concept("jdv-rcp-organe-cisis", content.organe_code)
            sub.append(
                E.entryRelationship(
                    simple_observation(
                        ta("ORG-119", "Organe"), _coded_value(organe), nar=nar, label=f"Organe : {organe.display_name}"
                    ),
                    typeCode="REFR",
                )
            )
        for flag, value, label in (
            ("ORG-184", content.recourse, "RCP de recours"),
            ("ORG-185", content.pediatric, "RCP pédiatrique"),
        ):
            sub.append(
                E.entryRelationship(
                    simple_observation(
                        ta(flag, label), bl(value), nar=nar, label=f"{label} : {'oui' if value else 'non'}"
                    ),
                    typeCode="REFR",
                )
            )
        children.append(
            E.entryRelationship(
                simple_observation(
                    ta("ORG-118", "Appareil concerné"),
                    _coded_value(appareil),
                    nar=nar,
                    label=f"Appareil : {appareil.display_name}",
                    children=sub,
                ),
                typeCode="SUBJ",
            )
        )
    else:
        if not content.treatment_care_code:
            raise BuildError("Une RCP transversale doit indiquer le traitement ou les soins concernés.")
        care = jdv.concept("jdv-traitement-soins-frcp-cisis", content.treatment_care_code)
        children.append(
            E.entryRelationship(
                simple_observation(
                    ta("ORG-138", "Traitement / soins"),
                    _coded_value(care),
                    nar=nar,
                    label=f"Traitement ou soins : {care.display_name}",
                ),
                typeCode="SUBJ",
            )
        )
    nature_observation = simple_observation(
        ta("GEN-098", "Nature de la discussion"),
        _coded_value(nature),
        nar=nar,
        label=f"Nature de la discussion : {nature.display_name}",
        children=children,
    )
    # FR-Raison-de-la-recommandation holds at least one FR-Probleme: the question put to the RCP.
    problem = E.observation(
        *templates("2.16.840.1.113883.10.20.1.28", "1.3.6.1.4.1.19376.1.5.3.1.4.5", "1.2.250.1.213.1.1.3.37"),
        E.id(root=new_id()),
        code("code", "55607006", SNOMED, "problème"),
        nar.ref(f"Motif : {content.motive or content.question or 'avis de la RCP'}"),
        E.statusCode(code="completed"),
        E.effectiveTime(E.low(value=ts(content.meeting.meeting_time.date()))),
        E.value(
            {XSI_TYPE: "CD"}, nar.original_text(content.motive or content.question or "Avis de la RCP"), nullFlavor="NA"
        ),
        classCode="OBS",
        moodCode="EVN",
        negationInd="false",
    )
    return section(
        ("1.3.6.1.4.1.19376.1.5.3.1.3.1", "1.3.6.1.4.1.19376.1.5.3.1.3.2", "1.2.250.1.213.1.1.2.128"),
        "42349-1",
        "Raison de la recommandation",
        "Type de RCP / Motif de la RCP",
        nar.element(),
        nature_observation,
        problem,
    )


def _ecog_section(ecog_code: str, when: dt.date) -> etree._Element:
    nar = Narrative()
    ecog = jdv.concept("jdv-indice-performance-ecog-cisis", ecog_code)
    observation = E.observation(
        *templates(
            "1.3.6.1.4.1.19376.1.5.3.1.4.13",
            "2.16.840.1.113883.10.20.1.31",
            "1.3.6.1.4.1.19376.1.5.3.1.1.12.3.6",
            "1.2.250.1.213.1.1.3.25",
        ),
        E.id(root=new_id()),
        code("code", "89262-0", LOINC, "Indice de performance ECOG OMS"),
        nar.ref(f"Indice de performance ECOG : {ecog.display_name}"),
        E.statusCode(code="completed"),
        E.effectiveTime(value=ts(when)),
        _coded_value(ecog),
        classCode="OBS",
        moodCode="EVN",
        negationInd="false",
    )
    return section(
        ("1.3.6.1.4.1.19376.1.5.3.1.1.12.2.5", "1.2.250.1.213.1.1.2.115"),
        "46006-3",
        "Problèmes physiques fonctionnels et structurels",
        "Évaluations fonctionnelles",
        nar.element(),
        observation,
    )


def _dossier_status_section(content: FrcpContent) -> etree._Element:
    nar = Narrative()
    quorum = jdv.concept("jdv-statut-quorum-cisis", content.quorum_code)
    organizer = E.organizer(
        E.templateId(root="1.2.250.1.213.1.1.3.7"),
        ta("GEN-099", "Information RCP"),
        E.statusCode(code="completed"),
        E.component(
            simple_observation(
                ta("GEN-100", "Dossier complet"),
                bl(content.dossier_complete),
                nar=nar,
                label=f"Dossier complet : {'oui' if content.dossier_complete else 'non'}",
            )
        ),
        E.component(
            simple_observation(
                ta("ORG-125", "Quorum RCP"), _coded_value(quorum), nar=nar, label=f"Quorum : {quorum.display_name}"
            )
        ),
        classCode="CLUSTER",
        moodCode="EVN",
    )
    if content.off_quorum_notice:
        nar.add(content.off_quorum_notice)
    members = ", ".join(f"Dr {m.given_name} {m.family_name}" for m in content.quorum_members)
    if members:
        nar.add(f"Participants : {members}")
    return section(
        ("1.2.250.1.213.1.1.2.33",),
        "21874-3",
        "Statut du dossier présenté en RCP",
        "Statut du dossier présenté et quorum",
        nar.element(),
        organizer,
    )


def _proposition_section(content: FrcpContent, day: dt.date) -> etree._Element:
    nar = Narrative()
    entries = []
    for act in sorted(content.proposition, key=lambda a: a.rank):
        treatment = jdv.concept("jdv-type-traitement-frcp-cisis", act.treatment_code)
        start = act.start or day
        effective = E.effectiveTime(E.low(value=ts(start)))
        if act.end:
            effective.append(E.high(value=ts(act.end)))
        treatment_code = code("code", treatment.code, treatment.code_system, treatment.display_name)
        treatment_code.append(nar.original_text(f"{act.rank}. {treatment.display_name}"))
        entries.append(
            E.procedure(
                *templates("2.16.840.1.113883.10.20.1.25", "1.3.6.1.4.1.19376.1.5.3.1.4.19", "1.2.250.1.213.1.1.3.62"),
                E.id(root=new_id()),
                treatment_code,
                nar.ref(act.detail or treatment.display_name),
                E.statusCode(code="active"),
                effective,
                E.priorityCode(E.originalText(str(act.rank))),
                classCode="PROC",
                moodCode="INT",
                negationInd="false",
            )
        )
    if content.proposition_comment:
        entries.append(comment_act(content.proposition_comment, nar))
    return section(
        ("2.16.840.1.113883.10.20.1.10", "1.3.6.1.4.1.19376.1.5.3.1.3.36", "1.2.250.1.213.1.1.2.158"),
        "18776-5",
        "Plan de soins",
        "Proposition de la RCP",
        nar.element(),
        *entries,
    )


def _frame_section(content: FrcpContent) -> etree._Element:
    nar = Narrative()
    entries = []
    if content.guideline:
        entries.append(
            E.observation(
                *templates(*SIMPLE_OBSERVATION),
                E.id(root=new_id()),
                ta("MED-249", "Recommandation/référentiel de pratique clinique"),
                nar.ref(f"Référentiel : {content.guideline}"),
                E.statusCode(code="completed"),
                E.effectiveTime(value=ts(content.guideline_date))
                if content.guideline_date
                else E.effectiveTime(nullFlavor="NA"),
                E.value({XSI_TYPE: "CD"}, nar.original_text(content.guideline)),
                classCode="OBS",
                moodCode="EVN",
            )
        )
    trial = f"oui ({content.clinical_trial})" if content.clinical_trial_proposed else "non"
    entries.append(
        simple_observation(
            ta("MED-250", "Proposition d'inclusion dans un essai clinique"),
            bl(content.clinical_trial_proposed),
            nar=nar,
            label=f"Proposition d'inclusion dans un essai clinique : {trial}",
        )
    )
    return section(
        ("1.2.250.1.213.1.1.2.175",),
        "35510-7",
        "Essais cliniques - Informations générales",
        "Cadre de la proposition thérapeutique",
        nar.element(),
        *entries,
    )


# --- PPS 2025.01 -------------------------------------------------------------------------------------------------


def build_pps(header: DocumentHeader, content: PpsContent, pdf: PdfCopy) -> BuiltDocument:
    """A PPS cancer as CDA R2 N3 following the PPS 2025.01 volet (PDF copy section mandatory)."""
    if not content.programme:
        raise BuildError("Le programme thérapeutique et de suivi doit comporter au moins une ligne.")
    participants = []
    if content.reference_establishment is not None:
        org = content.reference_establishment
        participants.append(
            E.participant(
                code("functionCode", "ES-REF", "1.2.250.1.213.1.1.4.2.280", "Etablissement de santé de référence"),
                E.time(nullFlavor="UNK"),
                E.associatedEntity(
                    E.scopingOrganization(E.id(root=FINESS_ROOT, extension=org.finess), E.name(org.name)),
                    classCode="PROV",
                ),
                typeCode="INF",
            )
        )
    if content.general_practitioner is not None:
        participants.append(
            _participant(
                "INF",
                content.general_practitioner,
                code("functionCode", "PCP", "2.16.840.1.113883.5.88", "Médecin traitant"),
            )
        )
    root = build_header(header, volet_template=TEMPLATE_PPS, document_code="18776-5", participants=participants)
    day = header.effective_time.date()
    extra = []
    if content.rcp_date:
        extra.append(("ORG-189", "Date de la RCP", content.rcp_date))
    if content.handed_to_patient:
        extra.append(("GEN-178", "Date de remise du document au patient", content.handed_to_patient))
    components = [
        _status_section(content.document_status_code, day, extra),
        _programme_section(content.programme, "MED-566", "Programme thérapeutique et de suivi"),
    ]
    if content.supportive_care:
        components.append(
            _programme_section(
                content.supportive_care,
                "MED-567",
                "Soins oncologiques de support, accompagnement social et socioprofessionnel",
            )
        )
    if content.comment:
        components.append(
            E.component(
                E.section(
                    *templates("2.16.840.1.113883.10.12.201", "1.3.6.1.4.1.19376.1.4.1.2.16", "1.2.250.1.213.1.1.2.73"),
                    code("code", "55112-7", LOINC, "Commentaire"),
                    E.title("Commentaire sur le patient"),
                    text(content.comment),
                )
            )
        )
    components += [
        _diagnosis_section(content.diagnosis),
        _discovery_section(content.discovered_by_screening, content.discovery_date),
        _phase_section(content.phase_code, day, "Phase clinique de la maladie"),
        _pdf_copy_section(pdf),
    ]
    root.append(E.component(E.structuredBody(*components)))
    return _serialize(root, header, TEMPLATE_PPS)


def _programme_section(items: tuple[ProgrammeItem, ...], ta_code: str, title: str) -> etree._Element:
    nar = Narrative()
    entries = []
    for item in items:
        if item.category not in CATEGORY_VALUE_SETS:
            raise BuildError(f"Catégorie de programme inconnue : {item.category}.")
        kind = jdv.concept(CATEGORY_VALUE_SETS[item.category], item.code)
        effective = E.effectiveTime(nullFlavor="UNK")
        when = ""
        if item.start:
            effective = E.effectiveTime(E.low(value=ts(item.start)))
            when = f" — à partir du {item.start:%d/%m/%Y}"
            if item.end:
                effective.append(E.high(value=ts(item.end)))
                when += f" jusqu'au {item.end:%d/%m/%Y}"
        category = ta(item.category, CATEGORY_LABELS[item.category])
        category.append(E.qualifier(code("value", kind.code, kind.code_system, kind.display_name)))
        label = f"{CATEGORY_LABELS[item.category]} : {kind.display_name}{when}" + (
            f" ({item.detail})" if item.detail else ""
        )
        entries.append(
            E.procedure(
                *templates(
                    "1.3.6.1.4.1.19376.1.5.3.1.4.19",
                    "2.16.840.1.113883.10.20.1.29" if item.done else "2.16.840.1.113883.10.20.1.25",
                    "1.2.250.1.213.1.1.3.62",
                ),
                E.id(root=new_id()),
                category,
                nar.ref(label),
                E.statusCode(code="completed"),
                effective,
                classCode="PROC",
                moodCode="EVN" if item.done else "INT",
                negationInd="false",
            )
        )
    return section(
        ("2.16.840.1.113883.10.20.1.10", "1.3.6.1.4.1.19376.1.5.3.1.3.36", "1.2.250.1.213.1.1.2.158"),
        "18776-5",
        "Plan de soins",
        title,
        nar.element(),
        *entries,
        translation=ta(ta_code, title, tag="translation"),
    )


# --- N1 ----------------------------------------------------------------------------------------------------------

TEMPLATE_NON_STRUCTURED = "1.3.6.1.4.1.19376.1.2.20"


def build_n1(header: DocumentHeader, pdf: PdfCopy, *, document_code: str) -> BuiltDocument:
    """A CDA R2 level 1 document whose body is the PDF (CR de concertation, attestation…)."""
    if not pdf.content.startswith(b"%PDF-"):
        raise BuildError("Le corps d'un document CDA N1 doit être un fichier PDF.")
    root = build_header(header, volet_template=None, document_code=document_code)
    last_template = root.findall(f"{{{CDA_NS}}}templateId")[-1]
    last_template.addnext(E.templateId(root=TEMPLATE_NON_STRUCTURED))
    root.append(
        E.component(
            E.nonXMLBody(
                E.text(base64.b64encode(pdf.content).decode("ascii"), mediaType="application/pdf", representation="B64")
            )
        )
    )
    return _serialize(root, header, TEMPLATE_NON_STRUCTURED)
