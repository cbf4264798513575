"""Password policy (ANSSI / CNIL recommendation for a password alone: at least 12 characters from
at least 3 of the 4 classes — lower case, upper case, digits, special characters)."""

from __future__ import annotations

import string

from django.core.exceptions import ValidationError

CLASSES = (
    ("minuscule", str.islower),
    ("majuscule", str.isupper),
    ("chiffre", str.isdigit),
    ("caractère spécial", lambda char: not char.isalnum()),
)


class CharacterClassesValidator:
    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password: str, user=None) -> None:
        present = sum(1 for _, test in CLASSES if any(test(char) for char in password))
        if present < self.min_classes:
            raise ValidationError(
                f"Le mot de passe doit mélanger au moins {self.min_classes} types de caractères parmi : "
                "minuscules, majuscules, chiffres et caractères spéciaux.",
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return (
            f"Au moins {self.min_classes} types de caractères parmi : minuscules, majuscules, chiffres "
            f"et caractères spéciaux (par exemple {string.punctuation[:6]})."
        )
