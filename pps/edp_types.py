"""EDP types (éléments de parcours): their PPS CDA category, their code, their colour, their required fields.

Each type maps to one category of the PPS 2025.01 care-plan entries (an FR-Acte whose code is a
TA_ASIP category and whose ``code/qualifier/value`` is the actual type, taken from the category's
value set; see ``shared/specs/cisis/NOTES.md`` §4 and ``jeuxDeValeurs/``):

- MED-568 Traitement → jdv-type-traitement-pps-cisis (1.2.250.1.213.1.1.5.478)
- MED-571 Suivi → jdv-type-de-suivi-cisis (1.2.250.1.213.1.1.5.76)
- MED-572 Soin oncologique de support → jdv-soin-onco-de-support-cisis (1.2.250.1.213.1.1.5.79)
- MED-573 Accompagnement social ou socioprofessionnel → jdv-type-accompagnement-sociopro-cisis (…5.81)

Colours: the text colour on each background reaches the WCAG AA ratio (4.5:1, a test checks it).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models

TA_ASIP = "1.2.250.1.213.1.1.4.322"
SNOMED_CT = "2.16.840.1.113883.6.96"
NCIT = "2.16.840.1.113883.3.26.1.1"


@dataclass(frozen=True)
class Category:
    code: str
    display_name: str
    value_set_oid: str
    value_set_name: str
    code_system: str = TA_ASIP


TRAITEMENT = Category("MED-568", "Traitement", "1.2.250.1.213.1.1.5.478", "jdv-type-traitement-pps-cisis")
SUIVI = Category("MED-571", "Suivi", "1.2.250.1.213.1.1.5.76", "jdv-type-de-suivi-cisis")
SOIN_SUPPORT = Category(
    "MED-572", "Soin oncologique de support", "1.2.250.1.213.1.1.5.79", "jdv-soin-onco-de-support-cisis"
)
ACCOMPAGNEMENT_SOCIAL = Category(
    "MED-573",
    "Accompagnement social ou socioprofessionnel",
    "1.2.250.1.213.1.1.5.81",
    "jdv-type-accompagnement-sociopro-cisis",
)
CATEGORIES = (TRAITEMENT, SUIVI, SOIN_SUPPORT, ACCOMPAGNEMENT_SOCIAL)


class EdpKind(models.TextChoices):
    CHIRURGIE = "chirurgie", "Chirurgie"
    CHIMIOTHERAPIE = "chimiotherapie", "Chimiothérapie"
    RADIOTHERAPIE = "radiotherapie", "Radiothérapie"
    HORMONOTHERAPIE = "hormonotherapie", "Hormonothérapie"
    IMMUNOTHERAPIE = "immunotherapie", "Immunothérapie"
    THERAPIE_CIBLEE = "therapie_ciblee", "Thérapie ciblée"
    GREFFE = "greffe", "Greffe"
    IRATHERAPIE = "iratherapie", "Irathérapie"
    ESSAI_CLINIQUE = "essai_clinique", "Essai clinique"
    EXAMEN = "examen", "Examen"
    IMAGERIE = "imagerie", "Imagerie"
    CONSULTATION = "consultation", "Consultation"
    POSE_IV = "pose_iv", "Pose dispositif IV"
    SOINS_SUPPORT = "soins_support", "Soins de support"
    SURVEILLANCE = "surveillance", "Surveillance"
    RCP = "rcp", "RCP"
    ACCOMPAGNEMENT_SOCIAL = "accompagnement_social", "Accompagnement social"


# Fields an EDP may carry, with their French names (used in the messages).
FIELD_LABELS = {
    "planned_date": "date prévue",
    "establishment": "établissement",
    "place": "lieu",
    "referring_doctor": "médecin référent",
    "protocol": "protocole",
    "rhythm": "rythme",
}


@dataclass(frozen=True)
class EdpType:
    kind: str
    category: Category
    code: str
    code_system: str
    display_name: str
    background: str
    foreground: str
    required: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return EdpKind(self.kind).label

    @property
    def css_class(self) -> str:
        return f"edp-{self.kind.replace('_', '-')}"

    @property
    def short(self) -> str:
        """Two letters shown in the calendar cells, so the calendar does not rely on colour alone."""
        return SHORT_LABELS[self.kind]


SHORT_LABELS = {
    "chirurgie": "Ch",
    "chimiotherapie": "Cm",
    "radiotherapie": "Ra",
    "hormonotherapie": "Ho",
    "immunotherapie": "Im",
    "therapie_ciblee": "TC",
    "greffe": "Gr",
    "iratherapie": "Ir",
    "essai_clinique": "EC",
    "examen": "Ex",
    "imagerie": "Ig",
    "consultation": "Co",
    "pose_iv": "IV",
    "soins_support": "SS",
    "surveillance": "Su",
    "rcp": "RC",
    "accompagnement_social": "AS",
}


DARK = "#1b1b1b"
WHITE = "#ffffff"

EDP_TYPES: dict[str, EdpType] = {
    t.kind: t
    for t in (
        EdpType(
            EdpKind.CHIRURGIE,
            TRAITEMENT,
            "387713003",
            SNOMED_CT,
            "intervention chirurgicale",
            "#8e1b1b",
            WHITE,
            ("establishment",),
        ),
        EdpType(
            EdpKind.CHIMIOTHERAPIE,
            TRAITEMENT,
            "C15632",
            NCIT,
            "chimiothérapie",
            "#1f4e9e",
            WHITE,
            ("protocol", "establishment"),
        ),
        EdpType(
            EdpKind.RADIOTHERAPIE,
            TRAITEMENT,
            "C15313",
            NCIT,
            "radiothérapie",
            "#f2c14e",
            DARK,
            ("establishment", "rhythm"),
        ),
        EdpType(EdpKind.HORMONOTHERAPIE, TRAITEMENT, "C15445", NCIT, "hormonothérapie", "#f4a6c6", DARK, ("rhythm",)),
        EdpType(
            EdpKind.IMMUNOTHERAPIE, TRAITEMENT, "C15262", NCIT, "immunothérapie", "#5b2a86", WHITE, ("establishment",)
        ),
        EdpType(EdpKind.THERAPIE_CIBLEE, TRAITEMENT, "C93352", NCIT, "thérapie ciblée", "#0f6e6e", WHITE, ("rhythm",)),
        EdpType(
            EdpKind.GREFFE,
            TRAITEMENT,
            "MED-126",
            TA_ASIP,
            "Allogreffe / Autogreffe",
            "#6b3e1f",
            WHITE,
            ("establishment",),
        ),
        EdpType(
            EdpKind.IRATHERAPIE, TRAITEMENT, "MED-232", TA_ASIP, "Irathérapie", "#c9e265", DARK, ("establishment",)
        ),
        EdpType(
            EdpKind.ESSAI_CLINIQUE,
            TRAITEMENT,
            "GEN-092.03.01",
            TA_ASIP,
            "Autre(s) traitement(s)",
            "#b35900",
            WHITE,
            ("establishment",),
        ),
        EdpType(EdpKind.EXAMEN, SUIVI, "MED-091", TA_ASIP, "Examen de biologie", "#d9e7f5", DARK, ()),
        EdpType(EdpKind.IMAGERIE, SUIVI, "MED-092", TA_ASIP, "Examen d'imagerie médicale", "#9ad0ec", DARK, ()),
        EdpType(EdpKind.CONSULTATION, SUIVI, "11429006", SNOMED_CT, "consultation", "#2e7d32", WHITE, ()),
        EdpType(
            EdpKind.POSE_IV,
            TRAITEMENT,
            "GEN-092.03.01",
            TA_ASIP,
            "Autre(s) traitement(s)",
            "#455a64",
            WHITE,
            ("referring_doctor", "establishment"),
        ),
        EdpType(
            EdpKind.SOINS_SUPPORT, SOIN_SUPPORT, "GEN-092.04.07", TA_ASIP, "Autre soins de support", "#ffd8b1", DARK, ()
        ),
        EdpType(
            EdpKind.SURVEILLANCE, SUIVI, "GEN-092.04.06", TA_ASIP, "Autre type de suivi", "#bdbdbd", DARK, ("rhythm",)
        ),
        EdpType(EdpKind.RCP, SUIVI, "GEN-092.04.06", TA_ASIP, "Autre type de suivi", "#000080", WHITE, ()),
        EdpType(
            EdpKind.ACCOMPAGNEMENT_SOCIAL,
            ACCOMPAGNEMENT_SOCIAL,
            "GEN-092.04.08",
            TA_ASIP,
            "Autre type d'accompagnement socioprofessionnel",
            "#e1bee7",
            DARK,
            (),
        ),
    )
}


def edp_type(kind: str) -> EdpType:
    return EDP_TYPES[kind]


def missing_fields(kind: str, values: dict) -> dict[str, str]:
    """French messages for the type's required fields left empty (``{field: message}``).

    The planned date (or the start of the planned period) is always required; the period's end,
    when given, cannot precede its start.
    """
    errors: dict[str, str] = {}
    spec = EDP_TYPES.get(kind)
    if spec is None:
        return {"kind": "Type d'EDP inconnu."}
    if not values.get("planned_date"):
        errors["planned_date"] = "La date prévue (ou le début de la période) est obligatoire."
    for field in spec.required:
        if not values.get(field):
            errors[field] = f"Le champ « {FIELD_LABELS[field]} » est obligatoire pour un EDP « {spec.label} »."
    end = values.get("end_date")
    if end and values.get("planned_date") and end < values["planned_date"]:
        errors["end_date"] = "La fin de la période ne peut pas précéder son début."
    return errors


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG 2.1 contrast ratio of two ``#rrggbb`` colours."""

    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)
