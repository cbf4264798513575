"""Documents built from realistic synthetic inputs pass the whole ANS validation, and the builders refuse bad input."""

from __future__ import annotations

import base64
import dataclasses
from collections import Counter

import pytest
from lxml import etree

from interop.cda import builders, jdv, samples
from interop.cda.builders import BuildError
from interop.cda.inputs import PdfCopy, ProposedAct
from interop.cda.jdv import UnknownCodeError
from interop.cda.validation import Volet, validate_cda

NS = {"cda": "urn:hl7-org:v3"}


def parse(document) -> etree._Element:
    return etree.fromstring(document.xml)


def assert_valid(document, volet):
    result = validate_cda(document.xml)
    assert result.volet == volet
    assert result.failures == [], result.summary_fr()
    assert result.valid


def test_frcp_appareil_is_valid(sample_pdf):
    document = builders.build_frcp(samples.header(title="Fiche RCP"), samples.frcp_appareil(), PdfCopy(sample_pdf))

    assert_valid(document, Volet.FRCP_2025)


def test_frcp_transversale_is_valid(sample_pdf):
    document = builders.build_frcp(
        samples.header(1, title="Fiche RCP"), samples.frcp_transversale(), PdfCopy(sample_pdf)
    )

    assert_valid(document, Volet.FRCP_2025)


def test_pps_is_valid(sample_pdf):
    document = builders.build_pps(
        samples.header(2, title="Programme personnalisé de soins"), samples.pps(), PdfCopy(sample_pdf)
    )

    assert_valid(document, Volet.PPS_2025)


def test_n1_with_pdf_body_is_valid(sample_pdf):
    document = builders.build_n1(
        samples.header(3, title="Compte rendu de concertation"), PdfCopy(sample_pdf), document_code="34794-8"
    )

    assert_valid(document, None)
    body = parse(document).find("cda:component/cda:nonXMLBody/cda:text", NS)
    assert body.get("mediaType") == "application/pdf"
    assert base64.b64decode(body.text) == sample_pdf


def test_new_version_replaces_the_previous_one(sample_pdf):
    first = builders.build_frcp(samples.header(title="Fiche RCP"), samples.frcp_appareil(), PdfCopy(sample_pdf))
    second = builders.build_frcp(
        samples.header(title="Fiche RCP", version=2, replaced=first.document_id, set_id=first.set_id),
        samples.frcp_appareil(),
        PdfCopy(sample_pdf),
    )

    root = parse(second)
    assert root.find("cda:setId", NS).get("root") == first.set_id
    assert root.find("cda:versionNumber", NS).get("value") == "2"
    related = root.find("cda:relatedDocument", NS)
    assert related.get("typeCode") == "RPLC"
    assert related.find("cda:parentDocument/cda:id", NS).get("root") == first.document_id
    assert second.document_id != first.document_id
    assert_valid(second, Volet.FRCP_2025)


def test_header_carries_ins_ipp_and_strict_traits(sample_pdf):
    document = builders.build_pps(samples.header(5, title="PPS"), samples.pps(), PdfCopy(sample_pdf))
    role = parse(document).find("cda:recordTarget/cda:patientRole", NS)
    patient = samples.patient(5)

    ids = {i.get("root"): i.get("extension") for i in role.findall("cda:id", NS)}
    assert ids["1.2.250.1.213.1.4.10"] == patient.ins
    assert ids[patient.ipp_root] == patient.ipp
    assert role.find("cda:patient/cda:name/cda:family[@qualifier='BR']", NS).text == "TESTPATIENTE"
    assert role.find("cda:patient/cda:name/cda:given[@qualifier='BR']", NS).text == "MARIE"
    assert role.find("cda:patient/cda:birthTime", NS).get("value") == patient.birth_date.strftime("%Y%m%d")


def test_entry_and_section_ids_are_unique(sample_pdf):
    document = builders.build_frcp(samples.header(title="Fiche RCP"), samples.frcp_appareil(), PdfCopy(sample_pdf))
    root = parse(document)

    ids = Counter(i.get("root") for i in root.iter("{urn:hl7-org:v3}id") if i.get("extension") is None)
    ids.pop(document.document_id)
    assert ids and max(ids.values()) == 1
    references = {r.get("value")[1:] for r in root.iter("{urn:hl7-org:v3}reference")}
    anchors = {e.get("ID") for e in root.iter() if e.get("ID")}
    assert references <= anchors


def test_every_coded_answer_comes_from_its_value_set(sample_pdf):
    document = builders.build_frcp(samples.header(title="Fiche RCP"), samples.frcp_appareil(), PdfCopy(sample_pdf))
    root = parse(document)

    def value_of(code: str) -> etree._Element:
        return root.xpath(f".//cda:observation[cda:code/@code='{code}']/cda:value", namespaces=NS)[0]

    checks = {
        "GEN-098": "jdv-nature-discussion-cisis",
        "ORG-118": "jdv-rcp-appareil-cisis",
        "ORG-125": "jdv-statut-quorum-cisis",
        "GEN-065": "jdv-statut-document-cisis",
        "89262-0": "jdv-indice-performance-ecog-cisis",
        "282291009": "jdv-morphologie-cisis",
    }
    for question, value_set in checks.items():
        value = value_of(question)
        assert jdv.in_value_set(value_set, value.get("code"), value.get("codeSystem")), question
    site = root.xpath(".//cda:targetSiteCode", namespaces=NS)[0]
    assert jdv.in_value_set("jdv-tumeur-cisis", site.get("code"), site.get("codeSystem"))
    for procedure in root.xpath(".//cda:procedure/cda:code", namespaces=NS):
        assert jdv.in_value_set("jdv-type-traitement-frcp-cisis", procedure.get("code"), procedure.get("codeSystem"))
    doc_code = root.find("cda:code", NS)
    assert jdv.in_value_set("JDV_J07_XdsTypeCode_CISIS", doc_code.get("code"), doc_code.get("codeSystem"))


def test_pps_programme_codes_come_from_their_category_value_set(sample_pdf):
    document = builders.build_pps(samples.header(title="PPS"), samples.pps(), PdfCopy(sample_pdf))

    for procedure in parse(document).xpath(".//cda:procedure", namespaces=NS):
        category = procedure.find("cda:code", NS)
        kind = category.find("cda:qualifier/cda:value", NS)
        value_set = builders.CATEGORY_VALUE_SETS[category.get("code")]
        assert jdv.in_value_set(value_set, kind.get("code"), kind.get("codeSystem"))


def test_code_outside_its_value_set_is_refused_in_french(sample_pdf):
    content = dataclasses.replace(samples.frcp_appareil(), ecog_code="LA0000-0")

    with pytest.raises(UnknownCodeError, match="n'appartient pas au jeu de valeurs jdv-indice-performance-ecog-cisis"):
        builders.build_frcp(samples.header(title="Fiche RCP"), content, PdfCopy(sample_pdf))


def test_treatment_outside_the_frcp_value_set_is_refused(sample_pdf):
    content = dataclasses.replace(samples.frcp_appareil(), proposition=(ProposedAct(treatment_code="ORG-999"),))

    with pytest.raises(UnknownCodeError):
        builders.build_frcp(samples.header(title="Fiche RCP"), content, PdfCopy(sample_pdf))


def test_proposition_cannot_be_empty(sample_pdf):
    content = dataclasses.replace(samples.frcp_appareil(), proposition=())

    with pytest.raises(BuildError, match="au moins un acte"):
        builders.build_frcp(samples.header(title="Fiche RCP"), content, PdfCopy(sample_pdf))


def test_new_version_without_the_replaced_id_is_refused(sample_pdf):
    with pytest.raises(BuildError, match="remplace"):
        builders.build_pps(samples.header(title="PPS", version=2), samples.pps(), PdfCopy(sample_pdf))


def test_pdf_copy_must_be_a_pdf():
    with pytest.raises(BuildError, match="n'est pas un fichier PDF"):
        builders.build_pps(samples.header(title="PPS"), samples.pps(), PdfCopy(b"<html>not a pdf</html>"))


def test_value_set_helper():
    assert jdv.in_value_set("jdv-nature-discussion-cisis", "ORG-117")
    assert jdv.in_value_set("jdv-nature-discussion-cisis", "ORG-117", "1.2.250.1.213.1.1.4.322")
    assert not jdv.in_value_set("jdv-nature-discussion-cisis", "ORG-117", "2.16.840.1.113883.6.1")
    assert not jdv.in_value_set("jdv-nature-discussion-cisis", "ORG-999")
    assert jdv.value_set("JDV_J07_XdsTypeCode_CISIS").get("34794-8").display_name
    with pytest.raises(KeyError):
        jdv.value_set("../../settings")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"nature_code": "ORG-117", "appareil_code": ""}, "appareil concerné"),
        ({"nature_code": "ORG-132", "treatment_care_code": ""}, "traitement ou les soins"),
        ({"nature_code": "ORG-999"}, "jdv-nature-discussion-cisis"),
    ],
)
def test_incomplete_nature_of_discussion_is_refused(sample_pdf, change, message):
    content = dataclasses.replace(samples.frcp_appareil(), **change)

    with pytest.raises(ValueError, match=message):
        builders.build_frcp(samples.header(title="Fiche RCP"), content, PdfCopy(sample_pdf))


def test_unknown_confidentiality_is_refused(sample_pdf):
    header = dataclasses.replace(samples.header(title="PPS"), confidentiality="X")

    with pytest.raises(BuildError, match="confidentialité"):
        builders.build_pps(header, samples.pps(), PdfCopy(sample_pdf))


def test_restricted_confidentiality_is_written_and_valid(sample_pdf):
    header = dataclasses.replace(samples.header(title="PPS"), confidentiality="R")

    document = builders.build_pps(header, samples.pps(), PdfCopy(sample_pdf))

    assert parse(document).find("cda:confidentialityCode", NS).get("code") == "R"
    assert_valid(document, Volet.PPS_2025)


def test_unknown_general_practitioner_is_stated_not_omitted(sample_pdf):
    content = samples.frcp_transversale()
    assert content.general_practitioner is None

    root = parse(builders.build_frcp(samples.header(title="Fiche RCP"), content, PdfCopy(sample_pdf)))

    gp = root.xpath("cda:participant[cda:functionCode/@code='PCP']", namespaces=NS)
    assert len(gp) == 1
    assert gp[0].get("nullFlavor") == "UNK"
    assert gp[0].get("typeCode") == "INF"
