"""NIR / NIA rules: format, key (97 − n mod 97), Corsica 2A/2B, NIA, coherence with the traits."""

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from identity import nir

# A NIR built by hand: woman born March 1954 in Poitiers (86194), order 401.
VALID = "254038619440111"


def test_valid_nir_is_parsed():
    parsed = nir.parse(VALID)
    assert parsed.sex == "F" and parsed.year == 54 and parsed.month == 3 and parsed.department == "86"
    assert not parsed.is_nia and not parsed.is_corsica


def test_spaces_and_dots_are_ignored():
    assert nir.parse("2 54 03 86 194 401 11").value == VALID


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "vide"),
        ("25403861944011", "15 caractères"),
        ("354038619440111", "premier chiffre"),
        ("2540386194401XX", "chiffres"),
        ("254038619440112", "clé du matricule INS est fausse (12 saisie, 11 attendue)"),
        ("254002019440111", "Corse"),
        ("254008619440111", "mois"),
        ("2540386A9440111", "département"),
    ],
)
def test_malformed_nir_is_refused_in_french(value, message):
    with pytest.raises(nir.NirError, match=message.replace("(", r"\(").replace(")", r"\)")):
        nir.parse(value)


def test_corsica_keys_replace_2a_by_19_and_2b_by_18():
    body_2a = "161072A004402"
    assert nir.compute_key(body_2a) == f"{97 - int('1610719004402') % 97:02d}"
    body_2b = "272022B033403"
    assert nir.compute_key(body_2b) == f"{97 - int('2720218033403') % 97:02d}"
    assert nir.parse(body_2a + nir.compute_key(body_2a)).is_corsica
    assert nir.parse(body_2b + nir.compute_key(body_2b)).department == "2B"
    # The same digits with a plain department give another key: 2A is not read as 20 or 19.
    assert not nir.is_valid("1610720004402" + nir.compute_key(body_2a))


def test_nia_is_accepted_with_7_or_8():
    body = "8790399341404"
    parsed = nir.parse(body + nir.compute_key(body))
    assert parsed.is_nia and parsed.sex == "F" and parsed.is_foreign_born


def test_coherence_with_sex_and_birth_month_and_year():
    parsed = nir.parse(VALID)
    assert nir.coherence_errors(parsed, sex="F", birth_date=datetime.date(1954, 3, 12)) == []
    errors = nir.coherence_errors(parsed, sex="M", birth_date=datetime.date(1955, 4, 12))
    assert len(errors) == 3
    assert "sexe féminin" in errors[0] and "année" in errors[1] and "mois" in errors[2]
    # Unknown sex: no sex check.
    assert nir.coherence_errors(parsed, sex="U", birth_date=datetime.date(1954, 3, 1)) == []


def test_unknown_month_conventions_skip_the_month_check():
    body = "2543386194401"
    parsed = nir.parse(body + nir.compute_key(body))
    assert parsed.month is None
    assert nir.coherence_errors(parsed, sex="F", birth_date=datetime.date(1954, 7, 1)) == []


_departments = st.one_of(
    st.integers(min_value=1, max_value=95).filter(lambda d: d != 20).map(lambda d: f"{d:02d}"),
    st.sampled_from(["2A", "2B", "99"]),
)
_bodies = st.builds(
    lambda sex, year, month, department, commune, order: (
        f"{sex}{year:02d}{month:02d}{department}{commune:03d}{order:03d}"
    ),
    st.sampled_from("1278"),
    st.integers(0, 99),
    st.integers(1, 12),
    _departments,
    st.integers(1, 999),
    st.integers(1, 999),
)


@given(_bodies)
def test_any_body_with_its_key_is_valid(body):
    assert nir.is_valid(body + nir.compute_key(body))


@given(_bodies, st.integers(1, 96))
def test_any_other_key_is_refused(body, shift):
    key = int(nir.compute_key(body))
    wrong = (key - 1 + shift) % 97 + 1
    assert not nir.is_valid(f"{body}{wrong:02d}")


@given(_bodies, st.integers(0, 12), st.integers(0, 9))
def test_a_single_digit_typo_is_caught(body, position, digit):
    value = body + nir.compute_key(body)
    if not value[position].isdigit() or value[position] == str(digit) or position in (5, 6):
        return
    typo = value[:position] + str(digit) + value[position + 1 :]
    assert not nir.is_valid(typo)


@pytest.mark.parametrize(
    ("raw", "normalised", "loose"),
    [
        ("Hélène", "HELENE", "HELENE"),
        ("l'Hermitte-Œuvrard", "L'HERMITTE-OEUVRARD", "L HERMITTE OEUVRARD"),
        ("  jean -  pierre ", "JEAN-PIERRE", "JEAN PIERRE"),
        ("Müller", "MULLER", "MULLER"),
        ("D’Arc", "D'ARC", "D ARC"),
    ],
)
def test_trait_normalisation(raw, normalised, loose):
    assert nir.normalize_trait(raw) == normalised
    assert nir.loose_trait(raw) == loose


@given(st.text(max_size=40))
def test_normalisation_is_idempotent(value):
    once = nir.normalize_trait(value)
    assert nir.normalize_trait(once) == once
