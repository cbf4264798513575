"""The national value sets (JDV) the fiche RCP draws its codes from.

Files are the ANS IHE SVS publications used by the FRCP 2025.01 schematron
(``CI-SIS_CANCER-FRCP_2025.01.sch``, ``<let name="JDV_…">``) plus the laterality modifier used
by the official FRCP example; copied unchanged into ``rcp/data/value_sets/``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from dcc.directory.value_sets import SVS_NS

DATA_DIR = Path(__file__).resolve().parent / "data" / "value_sets"


@dataclass(frozen=True)
class ValueSetFile:
    key: str
    filename: str
    purpose: str


# key → file; the key is what the fiche's fields refer to.
FICHE_VALUE_SETS: dict[str, ValueSetFile] = {
    v.key: v
    for v in [
        ValueSetFile("tumeur", "jdv-tumeur-cisis.xml", "Topographie CIM-10 de la tumeur"),
        ValueSetFile("morphologie", "jdv-morphologie-cisis.xml", "Morphologie CIM-O-3"),
        ValueSetFile("lateralite", "jdv-modificateur-topographique-cisis.xml", "Latéralité"),
        ValueSetFile("type_traitement", "jdv-type-traitement-frcp-cisis.xml", "Type de traitement proposé"),
        ValueSetFile("ecog", "jdv-indice-performance-ecog-cisis.xml", "Indice de performance OMS/ECOG"),
        ValueSetFile("nature_discussion", "jdv-nature-discussion-cisis.xml", "Nature de la discussion"),
        ValueSetFile("phase_cancer", "jdv-phase-cancer-cisis.xml", "Phase du cancer"),
        ValueSetFile("rcp_appareil", "jdv-rcp-appareil-cisis.xml", "Appareil discuté"),
        ValueSetFile("rcp_organe", "jdv-rcp-organe-cisis.xml", "Organe discuté"),
        ValueSetFile("traitement_soins", "jdv-traitement-soins-frcp-cisis.xml", "Traitement / soins (transversale)"),
        ValueSetFile("statut_cas_presente", "jdv-statut-cas-presente-cisis.xml", "Statut du cas présenté"),
        ValueSetFile("statut_quorum", "jdv-statut-quorum-cisis.xml", "Statut du quorum"),
        ValueSetFile("statut_document", "jdv-statut-document-cisis.xml", "Statut du document"),
    ]
}


@dataclass(frozen=True)
class ParsedValueSet:
    oid: str
    name: str
    concepts: list[tuple[str, str, str]]  # (code, code system, label)


class ValueSetError(ValueError):
    pass


def parse_value_set(path: Path) -> ParsedValueSet:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        tree = etree.parse(str(path), parser)
    except (OSError, etree.XMLSyntaxError) as exc:
        raise ValueSetError(f"Jeu de valeurs illisible : {path.name} ({exc})") from exc
    value_set = tree.find(f"{{{SVS_NS}}}ValueSet")
    if value_set is None or not value_set.get("id"):
        raise ValueSetError(f"{path.name} n'est pas un jeu de valeurs IHE SVS (élément ValueSet/@id absent).")
    concepts = []
    for node in value_set.iter(f"{{{SVS_NS}}}Concept"):
        code, system, label = node.get("code"), node.get("codeSystem"), node.get("displayName")
        if not (code and system and label):
            raise ValueSetError(f"{path.name} : concept incomplet (code, codeSystem et displayName sont requis).")
        concepts.append((code, system, label))
    if not concepts:
        raise ValueSetError(f"{path.name} ne contient aucun concept.")
    return ParsedValueSet(value_set.get("id"), value_set.get("displayName") or path.stem, concepts)
