"""Synthetic, realistic builder inputs for tests, the benchmark and the demo (never a real person).

The INS uses the test OID 1.2.250.1.213.1.4.10; RPPS numbers start with 10999, FINESS with 86 (Vienne), all names
are invented.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from .inputs import (
    Address,
    Diagnosis,
    DocumentHeader,
    FrcpContent,
    Organization,
    PatientIdentity,
    PpsContent,
    Professional,
    ProgrammeItem,
    ProposedAct,
    RcpMeeting,
    Tnm,
)

PARIS = zoneinfo.ZoneInfo("Europe/Paris")

CHU = Organization(
    finess="860014208",
    name="CHU de démonstration de Poitiers",
    address=Address(house_number="2", street_name="Rue de la Milétrie", postal_code="86000", city="POITIERS"),
    phone="0549440000",
)
CABINET = Organization(
    finess="860099991",
    name="Maison de santé de démonstration de Châtellerault",
    address=Address(house_number="12", street_name="Avenue des Tests", postal_code="86100", city="CHATELLERAULT"),
    facility_type_code="SA01",
)


def professional(n: int, family: str, given: str, specialty: str = "G15_10/SM36", org: Organization = CHU):
    return Professional(
        rpps=f"10999{n:06d}",
        family_name=family,
        given_name=given,
        specialty_code=specialty,
        organization=org,
        phone="0549440001",
    )


COORDINATOR = professional(1, "FICTIF", "Claire")
SURGEON = professional(2, "EXEMPLE", "Marc", "G15_10/SM20")
RADIOTHERAPIST = professional(3, "DEMO", "Lucie", "G15_10/SM45")
PATHOLOGIST = professional(4, "ESSAI", "Paul", "G15_10/SM01")
GP = professional(5, "GENERAL", "Anne", "G15_10/SM26", CABINET)


def ins_with_key(nir13: str) -> str:
    """A NIR-shaped INS with its control key (97 - NIR mod 97)."""
    return f"{nir13}{97 - int(nir13) % 97:02d}"


def patient(n: int = 0) -> PatientIdentity:
    return PatientIdentity(
        ins=ins_with_key(f"2600386{n % 1000000:06d}"),
        birth_family_name="TESTPATIENTE",
        given_names=("MARIE", "LOUISE"),
        sex="F",
        birth_date=dt.date(1960 + n % 30, 3, 12),
        ipp=f"IPP{100000 + n}",
        used_family_name="DEMO-EXEMPLE",
        used_given_name="MARIE",
        birth_place_code="86194",
        address=Address(house_number="5", street_name="Rue Fictive", postal_code="86000", city="POITIERS"),
    )


def header(n: int = 0, *, title: str, version: int = 1, replaced: str = "", set_id: str = "") -> DocumentHeader:
    moment = dt.datetime(2026, 11, 20, 17, 30, tzinfo=PARIS)
    extra = {"set_id": set_id} if set_id else {}
    return DocumentHeader(
        patient=patient(n),
        author=COORDINATOR,
        custodian=CHU,
        legal_authenticator=COORDINATOR,
        title=title,
        effective_time=moment,
        version=version,
        replaced_document_id=replaced,
        **extra,
    )


def meeting() -> RcpMeeting:
    return RcpMeeting(
        rrc_id="ONCONA",
        gestionnaire_id="3C-VNDS",
        rcp_id="RCP-SEIN-86",
        session_id="S-2026-11-20",
        rcp_label="Onco-Nouvelle-Aquitaine / 3C Vienne Nord Deux-Sèvres / RCP Sein",
        meeting_time=dt.datetime(2026, 11, 20, 14, 0, tzinfo=PARIS),
        location=CHU,
        coordinator=COORDINATOR,
    )


def diagnosis() -> Diagnosis:
    return Diagnosis(
        morphology_code="8500/3",
        topography_code="C50.4",
        laterality_code="7771000",
        diagnosis_date=dt.date(2026, 10, 2),
        tnm=Tnm(t="T2", n="N1", m="M0", stage="IIB", edition="8"),
        comment="Carcinome canalaire infiltrant, grade II, RH+ HER2-.",
    )


def frcp_appareil() -> FrcpContent:
    return FrcpContent(
        meeting=meeting(),
        nature_code="ORG-117",
        appareil_code="76752008",
        diagnosis=diagnosis(),
        discovered_by_screening=True,
        discovery_date=dt.date(2026, 9, 15),
        ecog_code="LA9623-5",
        phase_code="MED-268",
        case_summary="Patiente de 66 ans, mammographie de dépistage ACR5 du quadrant supéro-externe gauche, "
        "biopsie : carcinome canalaire infiltrant.",
        question="Stratégie thérapeutique initiale ?",
        proposition=(
            ProposedAct(treatment_code="387713003", rank=1, detail="Tumorectomie et ganglion sentinelle"),
            ProposedAct(treatment_code="C15313", rank=2, detail="Radiothérapie adjuvante du sein"),
        ),
        proposition_comment="Hormonothérapie adjuvante à discuter après chirurgie.",
        guideline="Référentiel régional cancer du sein 2025",
        guideline_date=dt.date(2025, 1, 15),
        quorum_members=(COORDINATOR, SURGEON, RADIOTHERAPIST, PATHOLOGIST),
        requester=SURGEON,
        presenter=SURGEON,
        general_practitioner=GP,
    )


def frcp_transversale() -> FrcpContent:
    return FrcpContent(
        meeting=meeting(),
        nature_code="ORG-132",
        treatment_care_code="C15747",
        diagnosis=diagnosis(),
        discovered_by_screening=False,
        case_summary="Douleurs osseuses sous traitement, avis soins de support.",
        question="Prise en charge de la douleur ?",
        proposition=(ProposedAct(treatment_code="C15313", rank=1, detail="Radiothérapie antalgique"),),
        clinical_trial_proposed=True,
        clinical_trial="Essai fictif DEMO-2026",
        quorum_members=(COORDINATOR, RADIOTHERAPIST, PATHOLOGIST),
    )


def pps() -> PpsContent:
    return PpsContent(
        programme=(
            ProgrammeItem(category="MED-568", code="387713003", start=dt.date(2026, 12, 1), detail="Tumorectomie"),
            ProgrammeItem(category="MED-568", code="C15313", start=dt.date(2027, 1, 10), end=dt.date(2027, 2, 20)),
            ProgrammeItem(category="MED-571", code="11429006", start=dt.date(2027, 3, 1), detail="Consultation"),
        ),
        supportive_care=(
            ProgrammeItem(category="MED-572", code="ORG-175", detail="Activité physique adaptée"),
            ProgrammeItem(category="MED-573", code="PAT-024"),
        ),
        diagnosis=diagnosis(),
        rcp_date=dt.date(2026, 11, 20),
        handed_to_patient=dt.date(2026, 11, 20),
        discovered_by_screening=True,
        discovery_date=dt.date(2026, 9, 15),
        phase_code="MED-268",
        comment="Patiente informée du programme lors de la consultation d'annonce.",
        general_practitioner=GP,
        reference_establishment=CHU,
    )
