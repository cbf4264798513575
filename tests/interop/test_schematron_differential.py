"""The ISO Schematron compiler (``interop.cda.schematron``) against a reference engine, on the ANS rules.

Reference: the ISO skeleton pipeline the ANS batch files use (``tests/interop/schematron_reference.py``). For each
schematron of the validation pipeline and each document (the official 2025.01 examples, and copies of them broken
on purpose), both engines must give the same verdict and fire the same assertions: same pattern, rule context,
rule id, test and location, as many times.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from lxml import etree

from interop.cda.schematron import SVRL_NS
from interop.cda.validation import SCHEMATRON_FILES, VOLET_FILES, WARNING_ROLES, Volet, _engine, detect_volet
from tests.interop.schematron_reference import Firing, ReferenceEngine

pytestmark = pytest.mark.slow  # about 30 s of one core: in make test, not in make test-fast

EXAMPLES = Path(__file__).resolve().parent / "examples"  # the official ANS examples, byte for byte
HL7 = "urn:hl7-org:v3"
NS = {"h": HL7}


def _example(name: str) -> etree._ElementTree:
    return etree.parse(str(EXAMPLES / name), etree.XMLParser(resolve_entities=False, no_network=True))


def _remove(tree, xpath: str) -> None:
    nodes = tree.xpath(xpath, namespaces=NS)
    assert nodes, xpath
    for node in nodes:
        node.getparent().remove(node)


def _set(tree, xpath: str, attribute: str, value: str) -> None:
    nodes = tree.xpath(xpath, namespaces=NS)
    assert nodes, xpath
    for node in nodes:
        node.set(attribute, value)


def frcp_broken_header() -> etree._ElementTree:
    tree = _example("CANCER-FRCP_2025.01_Appareil.xml")
    _set(tree, "/h:ClinicalDocument/h:code", "code", "11488-4")  # not an FRCP document code
    _remove(tree, "/h:ClinicalDocument/h:realmCode")
    _set(tree, "/h:ClinicalDocument/h:languageCode", "code", "fr")
    _set(tree, "/h:ClinicalDocument/h:confidentialityCode", "code", "X")
    _set(tree, "/h:ClinicalDocument/h:effectiveTime", "value", "2019-02-18")
    _remove(tree, "/h:ClinicalDocument/h:custodian")
    return tree


def frcp_broken_body() -> etree._ElementTree:
    tree = _example("CANCER-FRCP_2025.01_Appareil.xml")
    # The "statut du dossier présenté" section, mandatory, and a coded value outside its value set.
    _remove(tree, "//h:component[h:section/h:templateId/@root='1.2.250.1.213.1.1.2.33']")
    _set(tree, "//h:value[@code='ORG-117']", "code", "ORG-999")
    _remove(tree, "(//h:section/h:title)[1]")
    _set(tree, "(//h:observation/h:statusCode)[1]", "code", "bogus")
    return tree


def pps_broken() -> etree._ElementTree:
    tree = _example("CANCER-PPS_2025.01.xml")
    _remove(tree, "//h:component[h:section/h:templateId/@root='1.2.250.1.213.1.1.2.243']")  # the PDF copy
    _set(tree, "(//h:section/h:code)[1]", "code", "00000-0")
    _remove(tree, "/h:ClinicalDocument/h:legalAuthenticator")
    return tree


def frcp_broken_entries() -> etree._ElementTree:
    tree = _example("CANCER-FRCP_2025.01_Transversale.xml")
    # Many rules of the content models at once, some firing on every entry.
    _remove(tree, "//h:section/h:code")
    _remove(tree, "//h:observation/h:statusCode")
    _remove(tree, "//h:observation/h:effectiveTime")
    _set(tree, "//h:observation/h:templateId[1]", "root", "1.2.3.4")
    return tree


DOCUMENTS = {
    "FRCP 2025.01 Appareil (officiel)": lambda: _example("CANCER-FRCP_2025.01_Appareil.xml"),
    "FRCP 2025.01 Transversale (officiel)": lambda: _example("CANCER-FRCP_2025.01_Transversale.xml"),
    "PPS 2025.01 (officiel)": lambda: _example("CANCER-PPS_2025.01.xml"),
    "FRCP en-tête cassé": frcp_broken_header,
    "FRCP corps cassé": frcp_broken_body,
    "PPS cassé": pps_broken,
    "FRCP entrées cassées": frcp_broken_entries,
}
BROKEN = {"FRCP en-tête cassé", "FRCP corps cassé", "PPS cassé", "FRCP entrées cassées"}

# One step of a location: the skeleton writes *[local-name()='x' and namespace-uri()='…'][n] (no [n] on the root),
# our compiler prefix:x[n]; an attribute is @x in both.
_STEP = re.compile(
    r"\*\[local-name\(\)\s*=\s*'([^']+)'[^\]]*\](?:\[(\d+)\])?"  # the skeleton's element step
    r"|@(?:[\w.-]+:)?([\w.-]+)"  # an attribute
    r"|(?:[\w.-]+:)?([\w.-]+)\[(\d+)\]"  # our element step
)


def normalise_location(location: str) -> tuple[tuple[str, int], ...]:
    """The steps of an SVRL location as (local name, position; 0 for an attribute), whatever the spelling."""
    steps = []
    for match in _STEP.finditer(location):
        skeleton_name, skeleton_position, attribute, name, position = match.groups()
        if attribute:
            steps.append(("@" + attribute, 0))
        else:
            steps.append((skeleton_name or name, int(skeleton_position or position or 1)))
    return tuple(steps)


@pytest.fixture(scope="module")
def reference() -> ReferenceEngine:
    return ReferenceEngine()


def _ours(path: Path, document: bytes) -> list[Firing]:
    compiled, svrl = _engine.run(path, _engine.parse(document.decode("utf-8")))
    output = etree.fromstring(svrl.encode())
    firings = []
    for node in output.iter(f"{{{SVRL_NS}}}failed-assert", f"{{{SVRL_NS}}}successful-report"):
        info = compiled.assertions[int(node.get("n"))]
        firings.append(
            Firing(
                info.kind,
                "" if re.fullmatch(r"pattern-\d+", info.pattern) else info.pattern,  # our name for a pattern without id
                info.rule_id,
                info.rule_context,
                info.test,
                node.get("location", ""),
                info.role,
            )
        )
    return firings


def _key(firing: Firing) -> tuple:
    # The skeleton copies @test into the SVRL as an attribute value template (a regex's "{2}" comes out as "2"), its
    # line breaks normalised: compare the tests without braces and with runs of spaces as one.
    test = " ".join(firing.test.replace("{", "").replace("}", "").split())
    return (firing.kind, firing.pattern, firing.rule_id, firing.rule_context, test, normalise_location(firing.location))


def _verdict(firings: list[Firing]) -> bool:
    return not any(firing.role.lower() not in WARNING_ROLES for firing in firings)


@pytest.mark.parametrize("document_name", list(DOCUMENTS))
def test_same_verdict_and_same_failed_rules_as_the_reference(document_name, reference):
    tree = DOCUMENTS[document_name]()
    document = etree.tostring(tree, encoding="utf-8", xml_declaration=True)
    volet = detect_volet(tree.getroot())
    layers = [*SCHEMATRON_FILES.values(), VOLET_FILES[volet or Volet.FRCP_2025]]
    differences: list[str] = []
    fired = 0
    for path in layers:
        expected = reference.run(path, document)
        got = _ours(path, document)
        fired += len(expected)
        assert _verdict(got) == _verdict(expected), f"{path.name} : verdicts différents"
        missing = Counter(map(_key, expected)) - Counter(map(_key, got))
        extra = Counter(map(_key, got)) - Counter(map(_key, expected))
        for label, keys in (("absente", missing), ("en trop", extra)):
            differences += [f"{path.name} : {label} ×{count} : {key}" for key, count in sorted(keys.items())]
    assert not differences, "\n".join(differences)
    if document_name in BROKEN:
        assert fired >= 3, "un document cassé doit enfreindre des règles, sinon la comparaison ne prouve rien"
    else:
        assert fired == 0  # the official examples pass every layer
