"""Safe parsing of untrusted CDA: hostile or broken files are refused with a French reason, nothing read from disk."""

from __future__ import annotations

import datetime as dt

import pytest

from interop.cda import builders, samples
from interop.cda.inputs import PdfCopy
from interop.cda.parsing import UnsafeDocumentError, parse_cda, parse_xml_safely

from .conftest import example

SECRET = "SECRET-DU-SERVEUR-42"


@pytest.fixture
def secret_file(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_text(SECRET)
    return path


def test_external_entity_is_refused_and_the_file_is_not_read(secret_file):
    data = (
        f'<?xml version="1.0"?><!DOCTYPE ClinicalDocument [<!ENTITY xxe SYSTEM "{secret_file.as_uri()}">]>'
        '<ClinicalDocument xmlns="urn:hl7-org:v3"><title>&xxe;</title></ClinicalDocument>'
    ).encode()

    with pytest.raises(UnsafeDocumentError, match="DTD") as refused:
        parse_cda(data)

    assert SECRET not in str(refused.value)


def test_dtd_hidden_after_a_long_prologue_is_still_refused(secret_file):
    padding = "<!--" + "x" * 10_000 + "-->"
    data = (
        f'<?xml version="1.0"?>{padding}<!DOCTYPE r [<!ENTITY xxe SYSTEM "{secret_file.as_uri()}">]><r>&xxe;</r>'
    ).encode()

    with pytest.raises(UnsafeDocumentError):
        parse_xml_safely(data)


def test_parser_never_expands_entities_even_past_the_prefilter(secret_file):
    # The parser itself is configured without DTD loading or entity resolution: defence in depth.
    data = f'<!DOCTYPE r SYSTEM "{secret_file.as_uri()}"><r>texte</r>'.encode()

    with pytest.raises(UnsafeDocumentError, match="DTD"):
        parse_xml_safely(data)


def test_billion_laughs_is_refused_quickly():
    entities = "".join(f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    data = f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY l0 "ha">{entities}]><r>&l9;</r>'.encode()

    with pytest.raises(UnsafeDocumentError, match=r"DTD|entités"):
        parse_xml_safely(data)


def test_non_xml_file_named_xml_is_refused():
    with pytest.raises(UnsafeDocumentError, match="n'est pas un document XML bien formé"):
        parse_cda(b"%PDF-1.4 this is a pdf renamed to .xml")


def test_empty_file_is_refused():
    with pytest.raises(UnsafeDocumentError, match="vide"):
        parse_cda(b"   ")


def test_oversized_file_is_refused_before_parsing():
    data = b"<r>" + b"a" * (2 * 1024 * 1024) + b"</r>"

    with pytest.raises(UnsafeDocumentError, match="trop volumineux"):
        parse_cda(data, max_bytes=1024 * 1024)


def test_too_deep_document_is_refused():
    data = b"<r>" + b"<a>" * 100 + b"</a>" * 100 + b"</r>"

    with pytest.raises(UnsafeDocumentError, match="imbriqué"):
        parse_xml_safely(data)


def test_xml_that_is_not_a_cda_is_refused():
    with pytest.raises(UnsafeDocumentError, match="ClinicalDocument"):
        parse_cda(b'<?xml version="1.0"?><html><body/></html>')


def test_official_frcp_header_is_read():
    _, summary = parse_cda(example("CANCER-FRCP_2025.01_Appareil.xml"))

    assert summary.code == "34794-8"
    assert summary.code_system == "2.16.840.1.113883.6.1"
    assert summary.title.startswith("FRCP ONCO PAYS DE LA LOIRE")
    assert summary.patient.ins == "279035121518989"
    assert summary.patient.ins_oid == "1.2.250.1.213.1.4.10"
    assert ("1.2.3.4.567.8.9.10", "1234567890121") in summary.patient.local_ids
    assert summary.patient.birth_family_name == "PAT-TROIS"
    assert summary.patient.given_names == ("DOMINIQUE", "MARIE-LOUISE")
    assert summary.patient.first_given_name == "DOMINIQUE"
    assert summary.patient.birth_place_code == "51215"
    assert summary.patient.birth_date == dt.date(1979, 3, 28)
    assert summary.patient.sex == "F"
    assert summary.effective_time == dt.datetime(2019, 2, 18, 9, 49, 14, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert summary.version == 1
    assert "1.2.250.1.213.1.1.1.8" in summary.template_ids
    assert summary.has_structured_body


def test_produced_n1_round_trips(sample_pdf):
    document = builders.build_n1(samples.header(7, title="Attestation"), PdfCopy(sample_pdf), document_code="34794-8")

    _, summary = parse_cda(document.xml)

    patient = samples.patient(7)
    assert summary.patient.ins == patient.ins
    assert summary.patient.local_ids == ((patient.ipp_root, patient.ipp),)
    assert summary.patient.given_names == ("MARIE", "LOUISE")
    assert summary.patient.first_given_name == "MARIE"
    assert summary.patient.used_family_name == "DEMO-EXEMPLE"
    assert summary.patient.birth_place_code == "86194"
    assert summary.document_id == document.document_id
    assert summary.nonxml_media_type == "application/pdf"
    assert not summary.has_structured_body


def test_default_limit_refuses_a_file_bigger_than_30_mb():
    data = b"<ClinicalDocument>" + b" " * (31 * 1024 * 1024) + b"</ClinicalDocument>"

    with pytest.raises(UnsafeDocumentError, match="limite est de 30 Mo"):
        parse_cda(data)


def test_bytes_are_required():
    with pytest.raises(UnsafeDocumentError, match="octets"):
        parse_xml_safely("<r/>")  # type: ignore[arg-type]
