"""The dashboards' demo history speaks the fiche's value sets (walk: a history fiche showed « 367336001 »)."""

from dcc.dashboards.demo import TREATMENTS
from rcp.value_sets import DATA_DIR, FICHE_VALUE_SETS, parse_value_set


def test_the_history_treatments_are_codes_of_the_frcp_treatment_value_set():
    value_set = parse_value_set(DATA_DIR / FICHE_VALUE_SETS["type_traitement"].filename)
    codes = {code for code, _system, _label in value_set.concepts}

    assert set(TREATMENTS) <= codes, set(TREATMENTS) - codes
