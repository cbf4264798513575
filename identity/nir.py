"""NIR / NIA (matricule INS) checks and the INS normalisation of strict traits.

Layout of the 15 characters (INSEE; CNAM ``nir-validation``; ``python-stdnum`` ``stdnum.fr.nir``):
sex (1) · birth year (2) · birth month (2) · birth department (2: ``2A``/``2B`` for Corsica) ·
commune (3; overseas departments use 3 digits of department and 2 of commune; ``99`` + country
code for people born abroad) · order number (3) · key (2). The key is ``97 − (n mod 97)`` where
``n`` is the 13 first characters read as a number after replacing ``2A`` by ``19`` and ``2B`` by
``18``.

Sex digit: ``1`` male, ``2`` female for a NIR; a NIA (numéro d'identification d'attente, OID
1.2.250.1.213.1.4.9) uses ``7`` (male) or ``8`` (female) — the NIA rules are not published in a
primary source reachable here (see interop-notes §2), so only the structure and the key are
checked for a NIA. Months ``20``–``42`` and ``50``–``99`` are INSEE's "month unknown"
conventions: no month coherence is checked for them.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass

NIR_SEX_DIGITS = {"1": "M", "2": "F"}
NIA_SEX_DIGITS = {"7": "M", "8": "F"}
_SHAPE = re.compile(r"^[12378]\d{4}(?:\d{2}|2A|2B)\d{6}\d{2}$")


class NirError(ValueError):
    """A malformed or incoherent NIR/NIA; ``str(error)`` is a French message for the user."""


@dataclass(frozen=True)
class Nir:
    value: str

    @property
    def sex(self) -> str:
        return {**NIR_SEX_DIGITS, **NIA_SEX_DIGITS}[self.value[0]]

    @property
    def is_nia(self) -> bool:
        return self.value[0] in NIA_SEX_DIGITS

    @property
    def year(self) -> int:
        return int(self.value[1:3])

    @property
    def month(self) -> int | None:
        month = int(self.value[3:5])
        return month if 1 <= month <= 12 else None

    @property
    def department(self) -> str:
        return self.value[5:7]

    @property
    def is_corsica(self) -> bool:
        return self.department in {"2A", "2B"}

    @property
    def is_foreign_born(self) -> bool:
        return self.department == "99"

    @property
    def key(self) -> str:
        return self.value[13:]


def clean(value: str) -> str:
    """Upper case, spaces, dots and dashes removed (users type ``1 54 03 86 194 123 45``)."""
    return re.sub(r"[\s.\-]", "", value or "").upper()


def compute_key(body: str) -> str:
    """The two-digit key of the 13 first characters of a NIR/NIA (2A/2B handled)."""
    body = clean(body)
    if len(body) != 13:
        raise NirError("Le calcul de la clé demande les 13 premiers caractères du NIR.")
    number = body.replace("2A", "19").replace("2B", "18")
    if not number.isdigit():
        raise NirError("Le NIR ne contient que des chiffres (et 2A ou 2B pour un département corse).")
    return f"{97 - int(number) % 97:02d}"


def parse(value: str) -> Nir:
    """A checked NIR/NIA, or ``NirError`` with the reason in French."""
    nir = clean(value)
    if not nir:
        raise NirError("Le matricule INS est vide.")
    if len(nir) != 15:
        raise NirError(f"Le matricule INS compte 15 caractères (clé comprise) ; {len(nir)} saisi(s).")
    if nir[0] not in NIR_SEX_DIGITS and nir[0] not in NIA_SEX_DIGITS:
        raise NirError("Le premier chiffre du matricule INS (sexe) doit être 1 ou 2 (NIR), 7 ou 8 (NIA).")
    if not _SHAPE.match(nir):
        if nir[5:7] not in {"2A", "2B"} and not nir[5:7].isdigit():
            raise NirError("Le département de naissance du NIR doit être numérique, ou 2A / 2B pour la Corse.")
        raise NirError("Le matricule INS ne contient que des chiffres (et 2A ou 2B pour un département corse).")
    if nir[5:7] == "20":
        raise NirError("Le département 20 n'existe plus dans le NIR : la Corse s'écrit 2A ou 2B.")
    if nir[3:5] == "00":
        raise NirError("Le mois de naissance du NIR ne peut pas être 00.")
    expected = compute_key(nir[:13])
    if nir[13:] != expected:
        raise NirError(
            f"La clé du matricule INS est fausse ({nir[13:]} saisie, {expected} attendue) : vérifiez la saisie."
        )
    return Nir(nir)


def is_valid(value: str) -> bool:
    try:
        parse(value)
    except NirError:
        return False
    return True


def coherence_errors(nir: Nir, *, sex: str, birth_date: datetime.date | None) -> list[str]:
    """French messages for each strict trait that disagrees with the NIR (empty when coherent)."""
    errors = []
    if sex in {"M", "F"} and nir.sex != sex:
        label = {"M": "masculin", "F": "féminin"}
        errors.append(f"Le NIR désigne une personne de sexe {label[nir.sex]} alors que le sexe saisi est {label[sex]}.")
    if birth_date is not None:
        if nir.year != birth_date.year % 100:
            errors.append(
                f"L'année de naissance du NIR ({nir.value[1:3]}) ne correspond pas à la date de naissance "
                f"({birth_date:%d/%m/%Y})."
            )
        if nir.month is not None and nir.month != birth_date.month:
            errors.append(
                f"Le mois de naissance du NIR ({nir.value[3:5]}) ne correspond pas à la date de naissance "
                f"({birth_date:%d/%m/%Y})."
            )
    return errors


# --- Normalisation of strict traits (INS rules) --------------------------------------------

_LIGATURES = {"Œ": "OE", "œ": "OE", "Æ": "AE", "æ": "AE", "ß": "SS"}


def normalize_trait(value: str) -> str:
    """INS form of a name: upper case, no diacritics, ligatures expanded, single spaces.

    Hyphens and apostrophes are kept (they are part of INS names); other punctuation becomes a
    space.
    """
    value = "".join(_LIGATURES.get(char, char) for char in value or "")
    value = unicodedata.normalize("NFKD", value)
    value = "".join(char for char in value if not unicodedata.combining(char)).upper()
    value = value.replace("’", "'").replace("‘", "'")
    value = re.sub(r"[^A-Z0-9' \-]", " ", value)
    value = re.sub(r"\s*-\s*", "-", value)
    value = re.sub(r"\s*'\s*", "'", value)
    return re.sub(r"\s+", " ", value).strip()


def loose_trait(value: str) -> str:
    """The normalised form with hyphens and apostrophes read as spaces (``JEAN-PIERRE`` = ``JEAN PIERRE``)."""
    return re.sub(r"\s+", " ", re.sub(r"['\-]", " ", normalize_trait(value))).strip()
