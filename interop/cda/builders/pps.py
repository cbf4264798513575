"""PPS 2025.01: the programme personnalisé de soins as CDA R2 N3 (status, programme and supportive care, comment,
diagnosis, discovery, phase, PDF copy)."""

from __future__ import annotations

from lxml import etree

from .. import jdv
from ..inputs import FINESS_ROOT, DocumentHeader, PdfCopy, PpsContent, ProgrammeItem
from .elements import LOINC, BuildError, BuiltDocument, E, Narrative, code, new_id, section, ta, templates, text, ts
from .header import build_header, participant, serialize
from .sections import diagnosis_section, discovery_section, pdf_copy_section, phase_section, status_section

TEMPLATE_PPS = "1.2.250.1.213.1.1.1.26"

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
            participant(
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
        status_section(content.document_status_code, day, extra),
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
        diagnosis_section(content.diagnosis),
        discovery_section(content.discovered_by_screening, content.discovery_date),
        phase_section(content.phase_code, day, "Phase clinique de la maladie"),
        pdf_copy_section(pdf),
    ]
    root.append(E.component(E.structuredBody(*components)))
    return serialize(root, header, TEMPLATE_PPS)


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
