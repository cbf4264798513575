"""FRCP 2025.01: the fiche RCP as CDA R2 N3 (meeting, participants and quorum, reason, ECOG, dossier status,
proposition, frame of the proposition)."""

from __future__ import annotations

import datetime as dt

from lxml import etree

from .. import jdv
from ..inputs import (
    FINESS_ROOT,
    GESTIONNAIRE_RCP_ROOT,
    RCP_ROOT,
    RRC_ROOT,
    SESSION_ROOT,
    DocumentHeader,
    FrcpContent,
    PdfCopy,
)
from .elements import (
    LOINC,
    SIMPLE_OBSERVATION,
    SNOMED,
    XSI_TYPE,
    BuildError,
    BuiltDocument,
    E,
    Narrative,
    address,
    assigned,
    bl,
    code,
    coded_value,
    comment_act,
    new_id,
    section,
    simple_observation,
    ta,
    templates,
    text,
    ts,
)
from .header import build_header, facility_code, participant, serialize
from .sections import diagnosis_section, discovery_section, pdf_copy_section, phase_section, status_section

TEMPLATE_FRCP = "1.2.250.1.213.1.1.1.8"


def _untyped_function(label: str) -> etree._Element:
    return E.functionCode(E.originalText(label), nullFlavor="NA")


def build_frcp(header: DocumentHeader, content: FrcpContent, pdf: PdfCopy) -> BuiltDocument:
    """A fiche RCP as CDA R2 N3 following the FRCP 2025.01 volet."""
    if not content.proposition:
        raise BuildError("La proposition de la RCP doit comporter au moins un acte.")
    meeting = content.meeting
    participants = [participant("RESP", meeting.coordinator, _untyped_function("PS Coordonnateur de la RCP"))]
    if content.requester:
        participants.append(participant("REFB", content.requester, _untyped_function("PS Demandeur")))
    if content.presenter:
        participants.append(participant("PRF", content.presenter, _untyped_function("PS Présentateur")))
    if content.general_practitioner:
        participants.append(
            participant(
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
            participant(
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
                    facility_code(meeting.location),
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
        discovery_section(content.discovered_by_screening, content.discovery_date),
        diagnosis_section(content.diagnosis),
    ]
    if content.ecog_code:
        components.append(_ecog_section(content.ecog_code, content.ecog_date or day))
    components += [
        phase_section(content.phase_code, day, "Phase et progression du cancer"),
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
        status_section(content.document_status_code, day),
        pdf_copy_section(pdf),
    ]
    root.append(E.component(E.structuredBody(*components)))
    return serialize(root, header, TEMPLATE_FRCP)


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
                        ta("ORG-119", "Organe"), coded_value(organe), nar=nar, label=f"Organe : {organe.display_name}"
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
                    coded_value(appareil),
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
                    coded_value(care),
                    nar=nar,
                    label=f"Traitement ou soins : {care.display_name}",
                ),
                typeCode="SUBJ",
            )
        )
    nature_observation = simple_observation(
        ta("GEN-098", "Nature de la discussion"),
        coded_value(nature),
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
        coded_value(ecog),
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
                ta("ORG-125", "Quorum RCP"), coded_value(quorum), nar=nar, label=f"Quorum : {quorum.display_name}"
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
