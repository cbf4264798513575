"""The quorum rule: pure function, every failing condition explained in French."""

from hypothesis import given
from hypothesis import strategies as st

from rcp.quorum import SURGICAL_SPECIALTIES, Attendee, QuorumRule, evaluate_quorum

ONCO, SURGEON, GASTRO, RADIO, PATHO, HAEMATO = (
    "G15_10/SM36", "G15_10/SM14", "G15_10/SM24", "G15_10/SM37", "G15_10/SM01", "G15_10/SM21",
)  # fmt: skip


def people(*specialties, present=True):
    return [Attendee(f"Dr {i}", code, present) for i, code in enumerate(specialties)]


def test_three_specialties_with_a_surgeon_and_the_treating_one_reach_quorum():
    result = evaluate_quorum(QuorumRule(), people(ONCO, SURGEON, GASTRO), treating_specialty=GASTRO)
    assert result.reached
    assert result.explanation == "Quorum atteint : 3 spécialités distinctes."


def test_two_doctors_of_the_same_specialty_count_once():
    result = evaluate_quorum(QuorumRule(), people(ONCO, ONCO, SURGEON))
    assert not result.reached
    assert result.reasons == ["2 spécialités distinctes présentes sur 3 requises (il en manque 1)"]


def test_no_surgeon_in_a_standard_rcp_fails():
    result = evaluate_quorum(QuorumRule(), people(ONCO, GASTRO, RADIO))
    assert not result.reached
    assert "aucun chirurgien présent" in result.reasons


def test_haematology_default_rule_needs_no_surgeon():
    rule = QuorumRule.inca_default(is_haematology=True)
    assert evaluate_quorum(rule, people(HAEMATO, PATHO, RADIO)).reached
    assert QuorumRule.inca_default().requires_surgeon
    assert not rule.requires_surgeon


def test_excused_attendees_do_not_count():
    attendees = people(ONCO, SURGEON) + people(GASTRO, present=False)
    result = evaluate_quorum(QuorumRule(), attendees)
    assert not result.reached
    assert GASTRO not in result.specialties_present


def test_treating_specialty_missing_is_explained_with_its_label():
    result = evaluate_quorum(
        QuorumRule(), people(ONCO, SURGEON, RADIO), treating_specialty=GASTRO, labels={GASTRO: "Gastro-entérologie"}
    )
    assert result.reasons == ["la spécialité du médecin référent (Gastro-entérologie) n'est pas représentée"]
    assert result.explanation.startswith("Quorum non atteint : la spécialité du médecin référent")


def test_required_specialty_and_every_failing_reason_are_listed():
    rule = QuorumRule(min_specialties=4, required_specialties=frozenset({PATHO}))
    result = evaluate_quorum(rule, people(ONCO), labels={PATHO: "Anatomie et cytologie pathologiques"})
    assert result.reasons == [
        "1 spécialité distincte présente sur 4 requises (il en manque 3)",
        "aucun chirurgien présent",
        "spécialité obligatoire absente : Anatomie et cytologie pathologiques",
    ]


def test_unknown_treating_specialty_is_not_a_failure_at_session_level():
    assert evaluate_quorum(QuorumRule(), people(ONCO, SURGEON, RADIO), treating_specialty=None).reached


def test_configurable_rule_can_relax_every_condition():
    rule = QuorumRule(min_specialties=1, requires_treating_specialty=False, requires_surgeon=False)
    assert evaluate_quorum(rule, people(ONCO), treating_specialty=GASTRO).reached


def test_nobody_present():
    result = evaluate_quorum(QuorumRule(), [])
    assert not result.reached
    assert result.reasons[0] == "0 spécialité distincte présente sur 3 requises (il en manque 3)"


CODES = st.sampled_from([ONCO, SURGEON, GASTRO, RADIO, PATHO, HAEMATO, "G15_10/SM12", None])


@given(st.lists(st.tuples(CODES, st.booleans()), max_size=12), st.integers(min_value=1, max_value=6))
def test_reached_exactly_when_the_rule_holds(rows, minimum):
    attendees = [Attendee("x", code, present) for code, present in rows]
    result = evaluate_quorum(QuorumRule(min_specialties=minimum, requires_treating_specialty=False), attendees)
    present = {code for code, here in rows if here and code}
    expected = len(present) >= minimum and bool(present & SURGICAL_SPECIALTIES)
    assert result.reached is expected
    assert bool(result.reasons) is not expected
