"""Reading national value sets (IHE SVS files published by the ANS)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lxml import etree

SVS_NS = "urn:ihe:iti:svs:2008"
DATA_DIR = Path(__file__).resolve().parent / "data"
SPECIALTY_VALUE_SET = DATA_DIR / "JDV_J01_XdsAuthorSpecialty_CISIS.xml"


@dataclass(frozen=True)
class Concept:
    code: str
    code_system: str
    label: str


def read_value_set(path: Path) -> list[Concept]:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    tree = etree.parse(str(path), parser)
    return [
        Concept(node.get("code"), node.get("codeSystem"), node.get("displayName"))
        for node in tree.iter(f"{{{SVS_NS}}}Concept")
    ]


def load_specialties(specialty_model) -> int:
    """Insert or refresh the JDV_J01 specialties (used by the data migration and the tests)."""
    concepts = read_value_set(SPECIALTY_VALUE_SET)
    specialty_model.objects.bulk_create(
        [specialty_model(code=c.code, code_system=c.code_system, label=c.label) for c in concepts],
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["code_system", "label"],
    )
    return len(concepts)
