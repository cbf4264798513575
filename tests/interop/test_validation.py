"""The validation engine on the official ANS examples and on deliberately broken copies of them."""

from __future__ import annotations

import re

import pytest
from lxml import etree

from interop.cda import validation
from interop.cda.validation import Layer, Volet, validate_cda
from interop.demo import EXAMPLE_CR_ACP

from .conftest import example

NS = {"cda": "urn:hl7-org:v3"}
FRCP_APPAREIL = "CANCER-FRCP_2025.01_Appareil.xml"
FRCP_TRANSVERSALE = "CANCER-FRCP_2025.01_Transversale.xml"
PPS = "CANCER-PPS_2025.01.xml"


def edit(name: str, change) -> bytes:
    tree = etree.ElementTree(etree.fromstring(example(name)))
    change(tree.getroot())
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8")


def remove(root, path: str) -> None:
    found = root.xpath(path, namespaces=NS)
    assert found, path
    for node in found:
        node.getparent().remove(node)


@pytest.mark.parametrize(
    ("name", "volet"),
    [(FRCP_APPAREIL, Volet.FRCP_2025), (FRCP_TRANSVERSALE, Volet.FRCP_2025), (PPS, Volet.PPS_2025)],
)
def test_official_examples_pass_every_layer(name, volet):
    result = validate_cda(example(name))

    assert result.volet == volet
    assert result.layers_run == list(Layer)
    assert result.failures == [], result.summary_fr()
    assert result.valid
    assert result.summary_fr() == "Document conforme au schéma CDA et aux règles de l'ANS."


def test_missing_record_target_fails_xsd_and_structuration_minimale():
    result = validate_cda(edit(FRCP_APPAREIL, lambda root: remove(root, "cda:recordTarget")))

    assert not result.valid
    assert any("recordTarget" in f.message for f in result.failures_in(Layer.XSD))
    assert any("recordTarget" in f.message for f in result.failures_in(Layer.STRUCTURATION_MINIMALE))


def test_morphology_outside_its_value_set_fails_the_volet_rule():
    def change(root):
        value = root.xpath(".//cda:observation[cda:code/@code='282291009']/cda:value", namespaces=NS)[0]
        value.set("code", "9999/9")

    result = validate_cda(edit(FRCP_APPAREIL, change))

    volet = result.failures_in(Layer.VOLET)
    assert [f.rule for f in volet] == ["JDV_Morphologie-CISIS"]
    assert "jdv-morphologie-cisis" in volet[0].message
    assert "9999/9" in volet[0].message
    assert "Volet du CI-SIS" in volet[0].message_fr


def test_wrong_document_code_fails_structuration_minimale_and_volet():
    def change(root):
        root.find("cda:code", NS).set("code", "11488-4")

    result = validate_cda(edit(FRCP_TRANSVERSALE, change))

    assert any("34794-8" in f.message for f in result.failures_in(Layer.VOLET))
    assert not result.failures_in(Layer.XSD)


def test_fewer_than_three_encounter_ids_fails_the_frcp_header_rule():
    def change(root):
        for ident in root.xpath("cda:componentOf/cda:encompassingEncounter/cda:id", namespaces=NS)[2:]:
            ident.getparent().remove(ident)

    result = validate_cda(edit(FRCP_APPAREIL, change))

    assert [f.rule for f in result.failures_in(Layer.VOLET)] == ["Entete_FRCP"]


def test_pps_without_pdf_copy_section_fails():
    def change(root):
        remove(root, ".//cda:component[cda:section/cda:templateId/@root='1.2.250.1.213.1.1.2.243']")

    result = validate_cda(edit(PPS, change))

    messages = [f.message for f in result.failures_in(Layer.VOLET)]
    assert any("FR-Document-PDF-Copie" in m for m in messages), messages


def test_bad_confidentiality_code_is_caught_by_xpath2_rules():
    def change(root):
        root.find("cda:confidentialityCode", NS).set("code", "X")

    result = validate_cda(edit(PPS, change))

    assert any("x_BasicConfidentialityKind" in f.message for f in result.failures_in(Layer.STRUCTURATION_MINIMALE))


def test_a_topography_unknown_to_cim_10_fails_the_terminology_layer():
    def change(root):  # a coded value in CIM-10 (2.16.840.1.113883.6.3), which has no C99
        value = root.xpath(".//cda:observation[cda:code/@code='282291009']/cda:value", namespaces=NS)[0]
        value.set("codeSystem", "2.16.840.1.113883.6.3")
        value.set("code", "C99.7")

    result = validate_cda(edit(FRCP_APPAREIL, change))

    terminology = result.failures_in(Layer.TERMINOLOGIES)
    assert terminology and all("C99.7" in f.message for f in terminology), result.summary_fr()
    assert "n'est pas retrouvé dans la terminologie" in terminology[0].message


def test_the_terminologies_and_value_sets_are_read_once_per_process():
    validate_cda(example(PPS))
    terminologies = validation.SCHEMATRON_FILES[Layer.TERMINOLOGIES]
    _, compiled = validation._engine.schematron(terminologies)

    cim_10 = terminologies.parent.parent / "terminologie" / "2.16.840.1.113883.6.3.rdf"
    assert cim_10 in compiled.documents
    preloaded = set(validation._engine._documents)
    assert cim_10 in preloaded
    assert {"jdv-morphologie-cisis.xml", "JDV_J01_XdsAuthorSpecialty_CISIS.xml"} <= {f.name for f in preloaded}


def test_unreadable_document_is_one_french_failure():
    result = validate_cda(b"ceci n'est pas du XML")

    assert not result.valid
    assert result.failures[0].layer == Layer.XSD
    assert "n'est pas un document XML" in result.failures[0].message


def test_document_with_dtd_is_refused_before_any_layer_runs():
    data = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'

    result = validate_cda(data)

    assert not result.valid
    assert result.layers_run == []
    assert "DTD" in result.failures[0].message


def test_each_schematron_is_compiled_once_per_process():
    validate_cda(example(PPS))
    validate_cda(example(PPS))

    counts = validation.compilation_counts()
    assert counts, "the engine compiled nothing"
    assert set(counts.values()) == {1}


def test_failure_locations_point_into_the_document():
    result = validate_cda(edit(FRCP_APPAREIL, lambda root: remove(root, "cda:recordTarget")))

    located = [f for f in result.failures if f.layer != Layer.XSD]
    assert located
    assert all(re.match(r"^/ClinicalDocument\[1\]", f.location) for f in located)


def test_english_rule_messages_are_given_to_the_author_in_french():
    result = validate_cda(edit(FRCP_APPAREIL, lambda root: remove(root, "cda:recordTarget")))

    texts = [f.message_fr for f in result.failures]
    assert any("l'élément hl7:recordTarget[not(@nullFlavor)] est obligatoire (au moins 1)." in t for t in texts), texts
    assert any("l'élément « author » n'est pas attendu ici. Éléments attendus" in t for t in texts), texts


def test_concurrent_validations_share_one_compilation():
    from concurrent.futures import ThreadPoolExecutor

    data = example(PPS)
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(lambda _: validate_cda(data), range(4)))

    assert all(result.valid for result in results)
    assert set(validation.compilation_counts().values()) == {1}


def test_external_cr_acp_of_an_older_model_is_validated_and_flagged_not_rejected():
    # The only CR-ACP example published (ASIP 2019, APSR 1.0) uses LOINC 11526-1, no longer in JDV_J07.
    result = validate_cda(EXAMPLE_CR_ACP.read_bytes())  # kept with the demo that imports it

    assert result.volet is None
    assert Layer.VOLET not in result.layers_run
    assert not result.valid
    assert any("JDV_J07_XdsTypeCode_CISIS" in f.message_fr for f in result.failures)
