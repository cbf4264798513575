"""Plain, typed inputs of the CDA builders.

The RCP and PPS apps map their models onto these dataclasses; the builders know nothing about Django models.
Coded answers are given as bare codes: the builders look them up in the named CI-SIS value set (`jdv.py`), so a
code outside its value set is refused at build time.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from django.conf import settings

from identity.enums import INS_OID_TEST

# Identifier roots. RPPS and FINESS are national; the regional roots (RRC, gestionnaire RCP, RCP, session)
# come from settings (DCC_OID_*), whose defaults are the roots of the official ANS FRCP examples.
RPPS_ROOT = "1.2.250.1.71.4.2.1"
FINESS_ROOT = "1.2.250.1.71.4.2.2"
RRC_ROOT = settings.DCC_OID_RRC_ROOT
GESTIONNAIRE_RCP_ROOT = settings.DCC_OID_GESTIONNAIRE_RCP_ROOT
RCP_ROOT = settings.DCC_OID_RCP_ROOT
SESSION_ROOT = settings.DCC_OID_SESSION_ROOT


@dataclass(frozen=True)
class Address:
    house_number: str = ""
    street_name: str = ""
    postal_code: str = ""
    city: str = ""
    country: str = "FRANCE"


@dataclass(frozen=True)
class Organization:
    """A legal entity or establishment, identified by its FINESS (géographique) number."""

    finess: str
    name: str
    address: Address = field(default_factory=Address)
    phone: str = ""
    # JDV_J02 (TRE_R02 secteur d'activité) code of the establishment, e.g. SA01 établissement public de santé.
    facility_type_code: str = "SA01"


@dataclass(frozen=True)
class Professional:
    """A health professional identified by RPPS; `specialty_code` from JDV_J01 (e.g. ``G15_10/SM36``)."""

    rpps: str
    family_name: str
    given_name: str
    specialty_code: str
    organization: Organization
    title: str = "DR"  # JDV_J246 suffix
    phone: str = ""
    civility: str = ""  # JDV_J245 (M, MME): how the printed role reads (« infirmière », « infirmier »)


@dataclass(frozen=True)
class PatientIdentity:
    """The patient's INS and traits (strict INS traits: birth name, first given name, sex, birth date/place)."""

    ins: str
    birth_family_name: str
    given_names: tuple[str, ...]
    sex: str  # JDV_J143: M, F, U
    birth_date: dt.date
    ipp: str = ""
    ipp_root: str = "1.2.250.1.213.1.1.9.99"
    ins_oid: str = INS_OID_TEST
    used_family_name: str = ""
    used_given_name: str = ""
    birth_place_code: str = ""  # INSEE COG code of the birth commune (99xxx abroad)
    address: Address | None = None

    @property
    def first_given_name(self) -> str:
        return self.given_names[0].split()[0] if self.given_names else ""


@dataclass(frozen=True)
class DocumentHeader:
    """What every produced CDA carries in its header, whatever its model."""

    patient: PatientIdentity
    author: Professional
    custodian: Organization
    legal_authenticator: Professional
    title: str
    effective_time: dt.datetime
    document_id: str = field(default_factory=lambda: str(uuid.uuid4()).upper())
    set_id: str = field(default_factory=lambda: str(uuid.uuid4()).upper())
    version: int = 1
    replaced_document_id: str = ""  # id of version n-1 when version > 1 (relatedDocument RPLC)
    confidentiality: str = "N"  # N, R or V (x_BasicConfidentialityKind)
    # Service event: when the documented act happened, and who performed it.
    service_start: dt.datetime | None = None
    service_performer: Professional | None = None
    encounter_start: dt.datetime | None = None
    encounter_location: Organization | None = None


@dataclass(frozen=True)
class Tnm:
    t: str
    n: str
    m: str
    stage: str = ""
    edition: str = "8"
    date: dt.date | None = None


@dataclass(frozen=True)
class Diagnosis:
    """Cancer diagnosis: CIM-O-3 morphology (jdv-morphologie-cisis), CIM-10 topography (jdv-tumeur-cisis)."""

    morphology_code: str
    topography_code: str
    diagnosis_date: dt.date
    laterality_code: str = ""  # jdv-lateralite-cisis (SNOMED CT), optional
    tnm: Tnm | None = None
    comment: str = ""


@dataclass(frozen=True)
class ProposedAct:
    """One planned treatment in a proposition: code from jdv-type-traitement-frcp-cisis, rank 1 = first choice."""

    treatment_code: str
    rank: int = 1
    detail: str = ""
    start: dt.date | None = None
    end: dt.date | None = None


@dataclass(frozen=True)
class RcpMeeting:
    """The RCP session that discussed the case (FRCP header: encompassingEncounter and documentationOf)."""

    rrc_id: str
    gestionnaire_id: str
    rcp_id: str
    session_id: str
    rcp_label: str  # "Acronyme RRC / Acronyme 3C / dénomination RCP"
    meeting_time: dt.datetime
    location: Organization
    coordinator: Professional
    encounter_code: str = "VR"  # JDV_J142 ActCode: VR virtuelle (patient absent), AMB, …
    inscription_id: str = field(default_factory=lambda: str(uuid.uuid4()).upper())


@dataclass(frozen=True)
class FrcpContent:
    """The content of a fiche RCP (FRCP 2025.01)."""

    meeting: RcpMeeting
    nature_code: str  # jdv-nature-discussion-cisis: ORG-117 appareil-organes, ORG-132 transversale
    diagnosis: Diagnosis
    case_summary: str
    question: str
    proposition: tuple[ProposedAct, ...]
    document_status_code: str = "9571008"  # jdv-statut-document-cisis (SNOMED CT): approuvé
    appareil_code: str = ""  # jdv-rcp-appareil-cisis, for ORG-117
    organe_code: str = ""  # jdv-rcp-organe-cisis, for ORG-117
    treatment_care_code: str = ""  # jdv-traitement-soins-frcp-cisis, for ORG-132
    recourse: bool = False
    pediatric: bool = False
    discovered_by_screening: bool | None = None
    discovery_date: dt.date | None = None
    ecog_code: str = ""  # jdv-indice-performance-ecog-cisis (LOINC answers LA…)
    ecog_date: dt.date | None = None
    phase_code: str = ""  # jdv-phase-cancer-cisis
    dossier_complete: bool = True
    quorum_code: str = "ORG-126"  # jdv-statut-quorum-cisis
    off_quorum_reason: str = ""  # why the fiche was validated although the quorum was not reached (ORG-133)
    quorum_members: tuple[Professional, ...] = ()
    requester: Professional | None = None
    presenter: Professional | None = None
    general_practitioner: Professional | None = None
    proposition_comment: str = ""
    motive: str = ""  # why the dossier is presented (« Première présentation »…), not the question asked
    contact: str = ""  # whom to call about this fiche (« Secrétariat du 3C … — 05 … »)
    guideline: str = ""
    guideline_date: dt.date | None = None
    clinical_trial_proposed: bool = False
    clinical_trial: str = ""

    @property
    def off_quorum_notice(self) -> str:
        """« Validée hors quorum — motif : … » when validated without its quorum (ORG-133), else ""."""
        if self.quorum_code != "ORG-133":
            return ""
        return f"Validée hors quorum — motif : {self.off_quorum_reason or 'non précisé'}"


@dataclass(frozen=True)
class ProgrammeItem:
    """One line of a PPS programme.

    `category` is the TA_ASIP category (MED-568 traitement, MED-569 prévention/gestion des effets secondaires,
    MED-570 mesure associée, MED-571 suivi, MED-572 soin oncologique de support, MED-573 accompagnement social);
    `code` comes from the category's value set (see `pps.CATEGORY_VALUE_SETS`).
    """

    category: str
    code: str
    done: bool = False
    start: dt.date | None = None
    end: dt.date | None = None
    detail: str = ""


@dataclass(frozen=True)
class PpsContent:
    """The content of a PPS cancer (PPS 2025.01)."""

    programme: tuple[ProgrammeItem, ...]
    diagnosis: Diagnosis
    supportive_care: tuple[ProgrammeItem, ...] = ()
    document_status_code: str = "9571008"
    rcp_date: dt.date | None = None
    handed_to_patient: dt.date | None = None
    discovered_by_screening: bool | None = None
    discovery_date: dt.date | None = None
    phase_code: str = ""
    comment: str = ""
    general_practitioner: Professional | None = None
    reference_establishment: Organization | None = None
    contacts: tuple[tuple[str, str], ...] = ()  # (role, « Dr X — établissement — tél. … »), printed for the patient


@dataclass(frozen=True)
class PdfCopy:
    """The PDF/A rendering of the same document (embedded as FR-Document-PDF-copie or as an N1 body)."""

    content: bytes
    title: str = "Copie du document"
