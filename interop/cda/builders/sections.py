"""The sections FRCP and PPS share: diagnosis (with TNM), mode of discovery, phase, document status, PDF copy."""

from __future__ import annotations

import base64
import datetime as dt

from lxml import etree

from .. import jdv
from ..inputs import Diagnosis, PdfCopy
from .elements import (
    CDA_NS,
    LOINC,
    SIMPLE_OBSERVATION,
    SNOMED,
    TNM_SYSTEM,
    XSI_TYPE,
    BuildError,
    E,
    Narrative,
    bl,
    code,
    coded_value,
    comment_act,
    new_id,
    section,
    simple_observation,
    ta,
    templates,
    ts,
)


def diagnosis_section(diagnosis: Diagnosis) -> etree._Element:
    nar = Narrative()
    morphology = jdv.concept("jdv-morphologie-cisis", diagnosis.morphology_code)
    topography = jdv.concept("jdv-tumeur-cisis", diagnosis.topography_code)
    summary = nar.ref(
        f"Diagnostic du {diagnosis.diagnosis_date:%d/%m/%Y} : {morphology.display_name} ({morphology.code}), "
        f"{topography.display_name} ({topography.code})"
    )
    value = coded_value(morphology)
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
    # The FRCP volet requires the TNM entry: a fiche without TNM (haematology, or not filled) sends "no information".
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
    if diagnosis.tnm is None:
        return _tnm_without_information(diagnosis, nar)
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


def _tnm_without_information(diagnosis: Diagnosis, nar: Narrative) -> etree._Element:
    """The TNM entry of a fiche without TNM staging: the stage and its T, N and M with ``nullFlavor="NI"``."""
    parts = [
        E.entryRelationship(
            simple_observation(
                code("code", loinc, LOINC, label),
                E.value({XSI_TYPE: "CD"}, nullFlavor="NI"),
                nar=nar,
                label=f"{label} : non renseigné",
            ),
            typeCode="COMP",
        )
        for loinc, label in (
            ("21905-5", "TNM Clinique T"),
            ("21906-3", "TNM Clinique N"),
            ("21907-1", "TNM Clinique M"),
        )
    ]
    return E.observation(
        E.templateId(root="1.3.6.1.4.1.19376.1.7.3.1.4.14.2"),
        code("code", "75620-5", LOINC, "Stade TNM Clinique"),
        nar.ref("TNM clinique : non renseigné"),
        E.statusCode(code="completed"),
        E.effectiveTime(E.low(value=ts(diagnosis.diagnosis_date))),
        E.value({XSI_TYPE: "CD"}, nullFlavor="NI"),
        *parts,
        classCode="OBS",
        moodCode="EVN",
        negationInd="false",
    )


def discovery_section(screening: bool | None, when: dt.date | None) -> etree._Element:
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


def phase_section(phase_code: str, when: dt.date | None, title: str) -> etree._Element:
    nar = Narrative()
    entries = []
    if not phase_code:
        nar.add("Phase non renseignée")
    else:
        phase = jdv.concept("jdv-phase-cancer-cisis", phase_code)
        observation = simple_observation(
            ta("MED-243", "Phase du cancer"), coded_value(phase), nar=nar, label=f"Phase : {phase.display_name}"
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


def status_section(status_code: str, when: dt.date, extra=()) -> etree._Element:
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
        coded_value(status),
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


def pdf_copy_section(pdf: PdfCopy) -> etree._Element:
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
