"""Checks of national identifiers: RPPS (11 digits, Luhn key) and FINESS (9 characters, Luhn key)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError


def luhn_is_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def luhn_key(digits: str) -> str:
    """The check digit that makes ``digits + key`` valid."""
    for key in "0123456789":
        if luhn_is_valid(digits + key):
            return key
    raise AssertionError("unreachable")


def validate_rpps(value: str) -> None:
    if not re.fullmatch(r"\d{11}", value or ""):
        raise ValidationError("Le numéro RPPS doit comporter 11 chiffres.", code="rpps_format")
    if not luhn_is_valid(value):
        raise ValidationError("Le numéro RPPS est invalide (clé de contrôle incorrecte).", code="rpps_key")


def validate_finess(value: str) -> None:
    """FINESS: department (2 digits, or 2A/2B for Corsica) + 6 digits + Luhn key on the digits."""
    if not re.fullmatch(r"(\d{2}|2A|2B)\d{7}", value or ""):
        raise ValidationError(
            "Le numéro FINESS doit comporter 9 caractères (département puis 7 chiffres).",
            code="finess_format",
        )
    digits = value.replace("2A", "20").replace("2B", "20")
    if not luhn_is_valid(digits):
        raise ValidationError("Le numéro FINESS est invalide (clé de contrôle incorrecte).", code="finess_key")
