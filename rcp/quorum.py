"""Quorum of an RCP session: a pure computation, explained in French.

INCa rules (circulaire DHOS/SDO/2005/101 and the 2023 reform's RCP referential): a case is
discussed validly when at least three different specialties are present, including the
specialty treating the patient; a standard (non-haematology) RCP also needs a surgeon. Each RCP
may tune the rule (minimum number, required specialties, surgeon or not).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

# JDV_J01 specialties counted as "surgeon" for the quorum.
SURGICAL_SPECIALTIES = frozenset(
    {
        "G15_10/SM05",  # Chirurgie générale
        "G15_10/SM06",  # Chirurgie maxillo-faciale
        "G15_10/SM07",  # Chirurgie maxillo-faciale et stomatologie
        "G15_10/SM08",  # Chirurgie orthopédique et traumatologie
        "G15_10/SM09",  # Chirurgie infantile
        "G15_10/SM10",  # Chirurgie plastique
        "G15_10/SM11",  # Chirurgie thoracique et cardio-vasculaire
        "G15_10/SM12",  # Chirurgie urologique
        "G15_10/SM13",  # Chirurgie vasculaire
        "G15_10/SM14",  # Chirurgie viscérale et digestive
        "G15_10/SM20",  # Gynécologie-obstétrique
        "G15_10/SM31",  # Neuro-chirurgie
        "G15_10/SM34",  # ORL et chirurgie cervico-faciale
        "G15_10/SM51",  # Gynéco-obstétrique, option gynéco-obstétrique
        "G15_10/SM56",  # Chirurgie orale
        "G15_10/SM68",  # Chirurgie maxillo-faciale (réforme 2017)
        "G15_10/SM69",  # Chirurgie pédiatrique viscérale
        "G15_10/SM70",  # Chirurgie pédiatrique orthopédique
        "G15_10/SM78",  # Chirurgie viscérale, endoscopie chirurgicale
    }
)

INCA_MIN_SPECIALTIES = 3


@dataclass(frozen=True)
class QuorumRule:
    min_specialties: int = INCA_MIN_SPECIALTIES
    requires_treating_specialty: bool = True
    requires_surgeon: bool = True
    required_specialties: frozenset[str] = frozenset()

    @classmethod
    def inca_default(cls, *, is_haematology: bool = False) -> QuorumRule:
        """Three specialties including the treating one; a surgeon unless the RCP is haematology."""
        return cls(requires_surgeon=not is_haematology)

    @classmethod
    def of(cls, rcp) -> QuorumRule:
        return cls(
            min_specialties=rcp.quorum_min_specialties,
            requires_treating_specialty=rcp.quorum_requires_treating_specialty,
            requires_surgeon=rcp.quorum_requires_surgeon,
            required_specialties=frozenset(s.pk for s in rcp.quorum_required_specialties.all()),
        )


@dataclass(frozen=True)
class Attendee:
    """A doctor counted for the quorum: their specialty code and whether they were there."""

    name: str
    specialty: str | None
    present: bool = True


@dataclass(frozen=True)
class QuorumResult:
    reached: bool
    specialties_present: frozenset[str]
    reasons: list[str] = field(default_factory=list)

    @property
    def explanation(self) -> str:
        if self.reached:
            count = len(self.specialties_present)
            return f"Quorum atteint : {count} spécialité{'s' if count > 1 else ''} distincte{'s' if count > 1 else ''}."
        return "Quorum non atteint : " + " ; ".join(self.reasons) + "."


def evaluate_quorum(
    rule: QuorumRule,
    attendees: Iterable[Attendee],
    *,
    treating_specialty: str | None = None,
    labels: Mapping[str, str] | None = None,
) -> QuorumResult:
    """Whether the attendees present reach the rule's quorum, and if not, every reason why.

    ``treating_specialty`` is the specialty of the patient's referring doctor; when the rule needs
    it and it is unknown (session-level check), that condition is reported separately and not
    counted as failed: the session can only say whether the other conditions hold.
    """
    labels = labels or {}
    present = frozenset(a.specialty for a in attendees if a.present and a.specialty)
    reasons: list[str] = []

    def name(code: str) -> str:
        return labels.get(code, code)

    if len(present) < rule.min_specialties:
        missing = rule.min_specialties - len(present)
        reasons.append(
            f"{len(present)} spécialité{'s' if len(present) > 1 else ''} distincte{'s' if len(present) > 1 else ''} "
            f"présente{'s' if len(present) > 1 else ''} sur {rule.min_specialties} requises "
            f"(il en manque {missing})"
        )
    if rule.requires_surgeon and not (present & SURGICAL_SPECIALTIES):
        reasons.append("aucun chirurgien présent")
    for code in sorted(rule.required_specialties - present, key=name):
        reasons.append(f"spécialité obligatoire absente : {name(code)}")
    if rule.requires_treating_specialty and treating_specialty and treating_specialty not in present:
        reasons.append(f"la spécialité du médecin référent ({name(treating_specialty)}) n'est pas représentée")
    return QuorumResult(reached=not reasons, specialties_present=present, reasons=reasons)
