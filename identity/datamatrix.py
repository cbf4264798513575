"""INS DataMatrix: the patient's INS and strict traits in a 2D-Doc-framed ECC200 DataMatrix.

Structure (2D-Doc, ANTS "2D-Doc — spécifications techniques", header version 04): a 26-character
header — ``DC``, version ``04``, certification authority (4), certificate (4), document date and
signature date (4 hex digits each: days since 2000-01-01, ``FFFF`` when absent), document type (2),
perimeter (2), country (2) — then the message zone: each field is its 2-character identifier
followed by its value; a variable-length field shorter than its maximum ends with the GS character
(0x1D), fixed-length fields need no separator. A signed 2D-Doc then carries US (0x1F) and the
base32 ECDSA signature of header + message.

What is NOT from a primary source here: the ANS "Spécifications techniques du DataMatrix INS"
(field identifiers, document type, perimeter) could not be obtained (see
shared/docs/interop-notes.md §2). ``FIELDS`` and ``DOCUMENT_TYPE`` below are therefore our own
provisional table, kept in this one place so that the ANS table replaces it without touching the
encoder, the decoder or their callers. The symbol is not signed: no 2D-Doc certificate (ANTS
certification authority) is available to the DCC; ``signed`` is False in every payload produced.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass

from pystrich.datamatrix import DataMatrixEncoder

from identity.nir import normalize_trait

GS, US = "\x1d", "\x1f"
HEADER_VERSION = "04"
CERTIFICATION_AUTHORITY = "0000"  # none: unsigned
CERTIFICATE = "0000"
DOCUMENT_TYPE = "I1"  # provisional (ANS value not available)
PERIMETER = "01"
COUNTRY = "FR"
EPOCH = datetime.date(2000, 1, 1)


@dataclass(frozen=True)
class Field:
    id: str
    name: str  # Patient attribute or derived key
    label: str
    min_length: int
    max_length: int

    @property
    def fixed(self) -> bool:
        return self.min_length == self.max_length


# The field table — provisional identifiers, see the module docstring.
FIELDS: tuple[Field, ...] = (
    Field("I1", "ins_matricule", "Matricule INS (NIR ou NIA, clé comprise)", 15, 15),
    Field("I2", "ins_oid", "OID de l'INS", 1, 32),
    Field("I3", "birth_name", "Nom de naissance", 1, 100),
    Field("I4", "given_names", "Prénoms de naissance (liste)", 1, 255),
    Field("I5", "sex", "Sexe (F, M, I)", 1, 1),
    Field("I6", "birth_date", "Date de naissance (JJMMAAAA)", 8, 8),
    Field("I7", "birth_place_code", "Lieu de naissance (code INSEE/COG)", 0, 5),
)
_BY_ID = {field.id: field for field in FIELDS}


class DataMatrixError(ValueError):
    """French message for the user."""


@dataclass(frozen=True)
class InsDataMatrix:
    payload: str
    values: dict[str, str]
    signed: bool = False

    def png(self, cellsize: int = 4) -> bytes:
        buffer = io.BytesIO()
        DataMatrixEncoder(self.payload).get_pilimage(cellsize=cellsize).save(buffer, format="PNG")
        return buffer.getvalue()

    def svg(self) -> str:
        return DataMatrixEncoder(self.payload).get_svg()


def _date_hex(value: datetime.date | None) -> str:
    return "FFFF" if value is None else f"{(value - EPOCH).days:04X}"


def header(*, issued: datetime.date | None) -> str:
    return (
        f"DC{HEADER_VERSION}{CERTIFICATION_AUTHORITY}{CERTIFICATE}{_date_hex(issued)}{_date_hex(None)}"
        f"{DOCUMENT_TYPE}{PERIMETER}{COUNTRY}"
    )


def _values(patient) -> dict[str, str]:
    return {
        "ins_matricule": patient.ins_matricule,
        "ins_oid": patient.ins_oid,
        "birth_name": normalize_trait(patient.birth_name),
        "given_names": normalize_trait(patient.given_names or patient.first_given_name),
        "sex": {"F": "F", "M": "M"}.get(patient.sex, "I"),
        "birth_date": f"{patient.birth_date:%d%m%Y}",
        "birth_place_code": patient.birth_place_code or "",
    }


def encode(patient, *, issued: datetime.date | None = None) -> InsDataMatrix:
    """The DataMatrix of a qualified identity (the INS is only shared once qualified)."""
    if not patient.ins_exchangeable:
        raise DataMatrixError("Le DataMatrix INS n'est produit que pour une identité qualifiée.")
    values = _values(patient)
    message = []
    fields = [field for field in FIELDS if values[field.name] or field.min_length]
    for position, field in enumerate(fields):
        value = values[field.name]
        if not field.min_length <= len(value) <= field.max_length:
            raise DataMatrixError(f"Le champ « {field.label} » dépasse la longueur prévue ({field.max_length}).")
        if any(char in value for char in (GS, US)):
            raise DataMatrixError(f"Le champ « {field.label} » contient un caractère interdit.")
        is_last = position == len(fields) - 1
        terminator = "" if field.fixed or len(value) == field.max_length or is_last else GS
        message.append(f"{field.id}{value}{terminator}")
    payload = header(issued=issued or datetime.date.today()) + "".join(message)
    return InsDataMatrix(payload=payload, values=values)


def decode(payload: str) -> dict:
    """Header and fields of a payload produced by ``encode`` (or any 2D-Doc v04 using ``FIELDS``)."""
    if not payload.startswith("DC") or len(payload) < 26:
        raise DataMatrixError("Ce code n'est pas un 2D-Doc.")
    head = {
        "version": payload[2:4],
        "authority": payload[4:8],
        "certificate": payload[8:12],
        "issued": payload[12:16],
        "signed_on": payload[16:20],
        "document_type": payload[20:22],
        "perimeter": payload[22:24],
        "country": payload[24:26],
    }
    if head["version"] != HEADER_VERSION:
        raise DataMatrixError(f"Version d'en-tête 2D-Doc non prise en charge : {head['version']}.")
    message, _, signature = payload[26:].partition(US)
    values: dict[str, str] = {}
    position = 0
    while position < len(message):
        field = _BY_ID.get(message[position : position + 2])
        if field is None:
            raise DataMatrixError(f"Identifiant de champ inconnu : {message[position : position + 2]!r}.")
        position += 2
        if field.fixed:
            value, position = message[position : position + field.max_length], position + field.max_length
        else:
            end = message.find(GS, position)
            end = len(message) if end == -1 else end
            end = min(end, position + field.max_length)
            value = message[position:end]
            position = end + (1 if end < len(message) and message[end] == GS else 0)
        values[field.name] = value
    for field in FIELDS:  # optional fields left out by the encoder
        values.setdefault(field.name, "")
    return {"header": head, "values": values, "signature": signature}
