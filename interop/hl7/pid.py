"""PID (and MRG) of IHE PAM France 2.11 read into plain values: IPP, INS, strict traits, reliability."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import hl7

from identity import nir as nir_rules
from identity.enums import RnivStatus
from identity.services import INS_OIDS
from interop.hl7.protocol import Hl7Problem, has_segment, parse_date, repetitions, value

# PID-32 "Identity Reliability Code" values used by PAM France, and the local status each may bring.
RELIABILITY_STATUS = {
    "PROV": RnivStatus.PROVISOIRE,
    "VIDE": RnivStatus.PROVISOIRE,
    "DOUTE": RnivStatus.PROVISOIRE,
    "FICTI": RnivStatus.PROVISOIRE,
    "RECUP": RnivStatus.RECUPEREE,
    "VALI": RnivStatus.VALIDEE,
    "QUAL": RnivStatus.QUALIFIEE,
}
STATUS_RANK = {RnivStatus.PROVISOIRE: 0, RnivStatus.VALIDEE: 1, RnivStatus.RECUPEREE: 1, RnivStatus.QUALIFIEE: 2}
SEX_CODES = {"M": "M", "F": "F", "U": "U", "O": "U", "A": "U", "N": "U"}


@dataclass
class Identifier:
    value: str
    kind: str  # CX.5: PI, INS, …
    authority_name: str
    authority_oid: str


@dataclass
class PidData:
    identifiers: list[Identifier] = field(default_factory=list)
    birth_name: str = ""
    first_given_name: str = ""
    given_names: str = ""
    used_name: str = ""
    used_first_name: str = ""
    birth_date: dt.date | None = None
    sex: str = ""
    birth_place_code: str = ""
    address: str = ""
    postcode: str = ""
    town: str = ""
    reliability: str = ""
    date_of_death: dt.date | None = None

    def ipps(self, establishment) -> list[str]:
        """IPP values assigned by ``establishment`` (its OID when known, else any PI without an INS OID)."""
        result = []
        for item in self.identifiers:
            if item.kind not in {"PI", "PN", "MR"} or item.authority_oid in INS_OIDS:
                continue
            if establishment.oid and item.authority_oid and item.authority_oid != establishment.oid:
                continue
            result.append(item.value)
        return result

    @property
    def ins(self) -> Identifier | None:
        for item in self.identifiers:
            if item.authority_oid in INS_OIDS or item.kind in {"INS", "INS-NIR", "INS-NIA"}:
                return item
        return None

    @property
    def requested_status(self) -> str:
        """PID-32 as a local RNIV status. ANS PAM-FR 2.11 samples send an INS with VALI: read it as qualifiée."""
        status = RELIABILITY_STATUS.get(self.reliability, RnivStatus.PROVISOIRE)
        if status == RnivStatus.VALIDEE and self.ins is not None:
            return RnivStatus.QUALIFIEE
        return status

    def traits(self) -> dict:
        return {
            "birth_name": self.birth_name,
            "first_given_name": self.first_given_name,
            "given_names": self.given_names,
            "sex": self.sex,
            "birth_date": self.birth_date,
            "birth_place_code": self.birth_place_code,
        }

    def other_fields(self) -> dict:
        data = {
            "used_name": self.used_name,
            "used_first_name": self.used_first_name,
            "address": self.address,
            "postcode": self.postcode,
            "town": self.town,
        }
        if self.date_of_death:
            data["date_of_death"] = self.date_of_death
        return {key: val for key, val in data.items() if val}

    def json(self) -> dict:
        ins = self.ins
        return {
            "ipp": [i.value for i in self.identifiers if i.kind != "INS" and i.authority_oid not in INS_OIDS],
            "ins": ins.value if ins else "",
            "ins_oid": ins.authority_oid if ins else "",
            "nom_de_naissance": self.birth_name,
            "prenoms": self.given_names,
            "nom_utilise": self.used_name,
            "sexe": self.sex,
            "date_de_naissance": self.birth_date.isoformat() if self.birth_date else "",
            "lieu_de_naissance": self.birth_place_code,
            "fiabilite": self.reliability,
        }


def _identifiers(message: hl7.Message, segment: str, field_number: int) -> list[Identifier]:
    items = []
    for rep in range(1, repetitions(message, segment, field_number) + 1):
        base = f"{segment}.F{field_number}.R{rep}"
        ident = value(message, f"{base}.C1").strip()
        if not ident:
            continue
        items.append(
            Identifier(
                value=ident,
                kind=value(message, f"{base}.C5").strip().upper(),
                authority_name=value(message, f"{base}.C4.S1").strip(),
                authority_oid=value(message, f"{base}.C4.S2").strip(),
            )
        )
    return items


def read_pid(message: hl7.Message) -> PidData:
    if not has_segment(message, "PID"):
        raise Hl7Problem("Segment PID absent.", code="100", ack="AE", location="PID")
    data = PidData(identifiers=_identifiers(message, "PID", 3))
    if not data.identifiers:
        raise Hl7Problem("Aucun identifiant patient (PID-3).", code="101", location="PID^1^3")
    for rep in range(1, repetitions(message, "PID", 5) + 1):
        base = f"PID.F5.R{rep}"
        kind = value(message, f"{base}.C7").strip().upper() or "L"
        family = value(message, f"{base}.C1.S1") or value(message, f"{base}.C1")
        first = value(message, f"{base}.C2")
        given = value(message, f"{base}.C3")
        if kind == "L" and not data.birth_name:
            data.birth_name, data.first_given_name = family, first
            data.given_names = " ".join(part for part in given.replace(",", " ").split() if part) or first
        elif kind in {"D", "U"} and not data.used_name:
            data.used_name, data.used_first_name = family, first
    if not data.birth_name or not data.first_given_name:
        raise Hl7Problem("Nom de naissance ou premier prénom absent (PID-5 de type L).", code="101", location="PID^1^5")
    raw_date = value(message, "PID.F7.R1.C1") or value(message, "PID.F7")
    data.birth_date = parse_date(raw_date)
    if data.birth_date is None:
        raise Hl7Problem(
            f"Date de naissance (PID-7) absente ou invalide : « {raw_date} ».", code="102", location="PID^1^7"
        )
    sex = value(message, "PID.F8").strip().upper()
    if sex not in SEX_CODES:
        raise Hl7Problem(
            f"Sexe (PID-8) « {sex or '(vide)'} » invalide : M, F ou U attendu.", code="103", location="PID^1^8"
        )
    data.sex = SEX_CODES[sex]
    for rep in range(1, repetitions(message, "PID", 11) + 1):
        base = f"PID.F11.R{rep}"
        kind = value(message, f"{base}.C7").strip().upper()
        if kind == "BDL":
            data.birth_place_code = value(message, f"{base}.C9").strip().upper()
        elif kind in {"H", "HV", "C", ""} and not data.town:
            data.address = value(message, f"{base}.C1.S1") or value(message, f"{base}.C1")
            data.town = value(message, f"{base}.C3")
            data.postcode = value(message, f"{base}.C5")
    data.date_of_death = parse_date(value(message, "PID.F29.R1.C1") or value(message, "PID.F29"))
    data.reliability = value(message, "PID.F32").strip().upper().split("^")[0]
    ins = data.ins
    if ins is not None:
        try:
            nir_rules.parse(ins.value)
        except nir_rules.NirError as error:
            raise Hl7Problem(
                f"INS (PID-3) invalide : {error}", code="102", app_code="904", location="PID^1^3"
            ) from error
    return data


def read_mrg(message: hl7.Message) -> list[Identifier]:
    if not has_segment(message, "MRG"):
        raise Hl7Problem(
            "Segment MRG absent : l'identifiant à fusionner ou à modifier manque.", code="100", location="MRG"
        )
    items = _identifiers(message, "MRG", 1)
    if not items:
        raise Hl7Problem("Identifiant patient antérieur (MRG-1) absent.", code="101", location="MRG^1^1")
    return items
