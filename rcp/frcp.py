"""The clinical content of a validated fiche as the FRCP 2025.01 input of ``interop``.

The document step (next) adds the header, the meeting and the people (directory → ``interop``
professionals); everything clinical comes from here, with the same value-set codes.
"""

from __future__ import annotations

from interop.cda.inputs import Diagnosis, FrcpContent, ProposedAct, RcpMeeting, Tnm
from rcp.enums import DiscoveryMode, Nature
from rcp.models import Fiche

QUORUM_REACHED = "ORG-126"  # jdv-statut-quorum-cisis
QUORUM_NOT_REACHED = "ORG-133"


def frcp_content(fiche: Fiche, *, meeting: RcpMeeting, **people) -> FrcpContent:
    """FrcpContent of a fiche. ``people``: quorum_members, requester, presenter, general_practitioner."""
    tnm = None
    if fiche.tnm_t and fiche.tnm_n and fiche.tnm_m:
        tnm = Tnm(t=fiche.tnm_t, n=fiche.tnm_n, m=fiche.tnm_m, stage=fiche.tnm_stage, edition=fiche.tnm_edition or "8")
    comment = "\n".join(
        part
        for part in (
            fiche.proposition,
            "Surveillance seule." if fiche.surveillance_only else "",
            f"Examens complémentaires : {fiche.complementary_exams}" if fiche.complementary_exams else "",
            "Dossier à représenter en RCP." if fiche.representation_requested else "",
            f"Non conforme au référentiel : {fiche.guideline_justification}"
            if fiche.guideline_conform is False
            else "",
            f"Validation hors quorum : {fiche.off_quorum_reason}" if fiche.off_quorum_reason else "",
        )
        if part
    )
    rcp = fiche.dossier.session.rcp
    organ = fiche.nature == Nature.ORGANE
    return FrcpContent(
        meeting=meeting,
        nature_code=fiche.nature,
        diagnosis=Diagnosis(
            morphology_code=fiche.morphology_code,
            topography_code=fiche.topography_code,
            diagnosis_date=fiche.diagnosis_date,
            laterality_code=fiche.laterality_code,
            tnm=tnm,
        ),
        case_summary=fiche.case_summary,
        question=fiche.question,
        proposition=tuple(
            ProposedAct(treatment_code=item["code"], rank=item["rank"], detail=item.get("detail", ""))
            for item in fiche.treatments
        ),
        appareil_code=fiche.appareil_code if organ else "",
        organe_code=fiche.organe_code if organ else "",
        treatment_care_code="" if organ else fiche.treatment_care_code,
        recourse=rcp.is_recourse,
        pediatric=rcp.is_paediatric,
        discovered_by_screening=(fiche.discovery_mode == DiscoveryMode.SCREENING) if fiche.discovery_mode else None,
        discovery_date=fiche.discovery_date,
        ecog_code=fiche.ecog_code,
        phase_code=fiche.phase_code,
        dossier_complete=fiche.dossier_complete,
        quorum_code=QUORUM_REACHED if fiche.quorum_reached else QUORUM_NOT_REACHED,
        proposition_comment=comment,
        guideline=fiche.guideline,
        clinical_trial_proposed=fiche.clinical_trial_proposed,
        clinical_trial=fiche.clinical_trial,
        **people,
    )
