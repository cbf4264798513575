"""The CDA header of the Structuration minimale (patient, author, custodian, legal authenticator, service event,
encounter), the participants the volets add to it, and the serialisation of a finished document."""

from __future__ import annotations

from lxml import etree

from .. import jdv
from ..inputs import FINESS_ROOT, DocumentHeader, Organization, Professional
from .elements import (
    CDA_NS,
    TEMPLATE_HL7_FRANCE,
    TEMPLATE_STRUCT_MIN,
    VERSION_2025,
    BuildError,
    BuiltDocument,
    E,
    address,
    assigned,
    code,
    concept_code,
    telecom,
    templates,
    ts,
)


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
                E.location(E.healthCareFacility(facility_code(location))),
            )
        )
    root.append(component_of)
    return root


def facility_code(org: Organization) -> etree._Element:
    return concept_code("code", "JDV_J02_XdsHealthcareFacilityTypeCode_CISIS", org.facility_type_code)


def participant(type_code: str, pro: Professional, function: etree._Element) -> etree._Element:
    participant = E.participant(
        function,
        E.time(nullFlavor="UNK"),
        assigned("associatedEntity", pro, person_tag="associatedPerson", org_tag="scopingOrganization"),
        typeCode=type_code,
    )
    participant.find(f"{{{CDA_NS}}}associatedEntity").set("classCode", "PROV")
    return participant


def serialize(root: etree._Element, header: DocumentHeader, template_id: str) -> BuiltDocument:
    xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return BuiltDocument(
        xml=xml, document_id=header.document_id, set_id=header.set_id, version=header.version, template_id=template_id
    )
