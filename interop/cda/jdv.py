"""The CI-SIS value sets (JDV) shipped in `specs/jeuxDeValeurs/`: membership checks and concept look-up.

Builders take every coded *answer* from here, so a code outside its value set fails at build time with a French
message instead of producing a document the ANS rules would reject.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

JDV_DIR = Path(__file__).resolve().parent / "specs" / "jeuxDeValeurs"
SVS_NS = "urn:ihe:iti:svs:2008"


class UnknownCodeError(ValueError):
    """A code is not in the value set it must come from."""


@dataclass(frozen=True)
class Concept:
    code: str
    code_system: str
    display_name: str


@dataclass(frozen=True)
class ValueSet:
    name: str
    oid: str
    concepts: tuple[Concept, ...]

    def get(self, code: str, code_system: str | None = None) -> Concept | None:
        for concept in self.concepts:
            if concept.code == code and (code_system is None or concept.code_system == code_system):
                return concept
        return None

    def __contains__(self, item: object) -> bool:
        if isinstance(item, Concept):
            return self.get(item.code, item.code_system) is not None
        return isinstance(item, str) and self.get(item) is not None


@functools.cache
def value_set(name: str) -> ValueSet:
    """Load a JDV by file stem, e.g. ``jdv-morphologie-cisis`` or ``JDV_J07_XdsTypeCode_CISIS``."""
    path = (JDV_DIR / f"{name}.xml").resolve()
    if path.parent != JDV_DIR or not path.exists():
        raise KeyError(f"Jeu de valeurs inconnu : {name}")
    root = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True)).getroot()
    vs = root.find(f"{{{SVS_NS}}}ValueSet")
    concepts = tuple(
        Concept(code=c.get("code", ""), code_system=c.get("codeSystem", ""), display_name=c.get("displayName", ""))
        for c in root.iter(f"{{{SVS_NS}}}Concept")
    )
    return ValueSet(name=name, oid=vs.get("id", "") if vs is not None else "", concepts=concepts)


def in_value_set(name: str, code: str, code_system: str | None = None) -> bool:
    return value_set(name).get(code, code_system) is not None


def concept(name: str, code: str, code_system: str | None = None) -> Concept:
    """The concept `code` of value set `name`; raises `UnknownCodeError` (French message) when absent."""
    found = value_set(name).get(code, code_system)
    if found is None:
        raise UnknownCodeError(f"Le code « {code} » n'appartient pas au jeu de valeurs {name}.")
    return found
