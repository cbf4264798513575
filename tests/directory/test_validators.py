import pytest
from django.core.exceptions import ValidationError

from dcc.directory.validators import luhn_is_valid, luhn_key, validate_finess, validate_rpps


def test_luhn_key_makes_a_valid_number():
    assert luhn_is_valid("7992739871" + luhn_key("7992739871"))
    assert luhn_key("7992739871") == "3"


@pytest.mark.parametrize("value", ["10999000015", "10003587391"])
def test_valid_rpps(value):
    body = value[:10]
    validate_rpps(body + luhn_key(body))


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1234", "11 chiffres"),
        ("1099900001A", "11 chiffres"),
        ("", "11 chiffres"),
    ],
)
def test_malformed_rpps_is_refused_in_french(value, message):
    with pytest.raises(ValidationError, match=message):
        validate_rpps(value)


def test_rpps_with_a_wrong_key_is_refused():
    body = "1099900001"
    wrong = str((int(luhn_key(body)) + 1) % 10)
    with pytest.raises(ValidationError, match="clé de contrôle"):
        validate_rpps(body + wrong)


def test_finess_accepts_corsica_and_checks_the_key():
    body = "86990001"
    validate_finess(body + luhn_key(body))
    corsica = "2A990001"
    validate_finess(corsica + luhn_key("20990001"))
    with pytest.raises(ValidationError, match="9 caractères"):
        validate_finess("2C0000001")
    with pytest.raises(ValidationError, match="clé de contrôle"):
        validate_finess(body + str((int(luhn_key(body)) + 1) % 10))
