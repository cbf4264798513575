"""The clinical content of a validated fiche as the FRCP 2025.01 input of ``interop``.

``rcp.documents`` adds the header, the meeting and the people (directory → ``interop`` professionals) and
reads a validated version through ``fiche_as_of``; everything clinical comes from here, with the same
value-set codes.
"""

from __future__ import annotations

from interop.cda.inputs import Diagnosis, FrcpContent, ProposedAct, RcpMeeting, Tnm
from rcp.enums import DiscoveryMode, Nature
from rcp.models import FICHE_CONTENT_FIELDS, Fiche, FicheVersion

QUORUM_REACHED = "ORG-126"  # jdv-statut-quorum-cisis
QUORUM_NOT_REACHED = "ORG-133"
SURVEILLANCE_ONLY = "MED-226"  # jdv-type-traitement-frcp-cisis
OTHER_TREATMENT = "GEN-092.03.01"


def fiche_as_of(version: FicheVersion) -> Fiche:
    """An unsaved ``Fiche`` holding what ``version`` signed (its snapshot), never the live fiche's later edits."""
    live = version.fiche
    values = {
        name: Fiche._meta.get_field(name).to_python(value)
        for name, value in version.content.items()
        if name in FICHE_CONTENT_FIELDS
    }
    return Fiche(
        pk=live.pk,
        dossier=live.dossier,
        **values,
        quorum_reached=version.quorum_reached,
        off_quorum_reason=version.off_quorum_reason,
        participants=version.participants,
        validated_by=version.signed_by,
        validated_at=version.signed_at,
        version=version.version,
    )


def _proposition(fiche: Fiche) -> tuple[ProposedAct, ...]:
    acts = tuple(
        ProposedAct(treatment_code=item["code"], rank=item["rank"], detail=item.get("detail", ""))
        for item in fiche.treatments
    )
    if acts:
        return acts
    if fiche.surveillance_only:
        return (ProposedAct(treatment_code=SURVEILLANCE_ONLY, detail="Surveillance seule"),)
    if fiche.representation_requested:
        detail = "Pas de traitement proposé : dossier à représenter"
        return (ProposedAct(treatment_code=OTHER_TREATMENT, detail=detail),)
    return ()


def fiche_diagnosis(fiche: Fiche) -> Diagnosis:
    """The coded diagnosis of a fiche (CIM-O-3 morphology, CIM-10 topography, laterality, clinical TNM), dated by
    the diagnosis date, else the discovery date. Shared by the FRCP and the PPS that follows the fiche."""
    tnm = None
    if fiche.tnm_t and fiche.tnm_n and fiche.tnm_m:
        tnm = Tnm(t=fiche.tnm_t, n=fiche.tnm_n, m=fiche.tnm_m, stage=fiche.tnm_stage, edition=fiche.tnm_edition or "8")
    return Diagnosis(
        morphology_code=fiche.morphology_code,
        topography_code=fiche.topography_code,
        diagnosis_date=fiche.diagnosis_date or fiche.discovery_date,
        laterality_code=fiche.laterality_code,
        tnm=tnm,
    )


def frcp_content(fiche: Fiche, *, meeting: RcpMeeting, **people) -> FrcpContent:
    """FrcpContent of a fiche. ``people``: quorum_members, requester, presenter, general_practitioner."""
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
        )
        if part
    )
    rcp = fiche.dossier.session.rcp
    organ = fiche.nature == Nature.ORGANE
    return FrcpContent(
        meeting=meeting,
        nature_code=fiche.nature,
        diagnosis=fiche_diagnosis(fiche),
        case_summary=fiche.case_summary,
        question=fiche.question,
        proposition=_proposition(fiche),
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
        off_quorum_reason="" if fiche.quorum_reached else fiche.off_quorum_reason,
        proposition_comment=comment,
        guideline=fiche.guideline,
        clinical_trial_proposed=fiche.clinical_trial_proposed,
        clinical_trial=fiche.clinical_trial,
        motive=fiche.dossier.get_motive_display() if fiche.dossier.motive else "",
        contact=_contact(rcp),
        **people,
    )


def _contact(rcp) -> str:
    """Whom to call about the fiche: the 3C's secretariat (phone, else e-mail)."""
    three_c = rcp.three_c
    reach = three_c.phone or three_c.email
    return f"Secrétariat du {three_c.name}" + (f" — {reach}" if reach else "")
