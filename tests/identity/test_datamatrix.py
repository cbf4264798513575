"""INS DataMatrix: 2D-Doc framing, ECC200 symbol, round trip through a real decoder (zxing-cpp)."""

import datetime
import io

import pytest
import zxingcpp
from PIL import Image

from identity import datamatrix
from tests.identity.factories import PatientFactory

pytestmark = pytest.mark.django_db


def _read(png: bytes) -> zxingcpp.Barcode:
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)).convert("L"))
    assert len(results) == 1
    return results[0]


@pytest.mark.parametrize(
    "traits",
    [
        {"birth_name": "L'HERMITTE-OEUVRARD", "given_names": "ZOE MARIE-ANNE", "birth_place_code": "17300"},
        {"birth_name": "ORSINI", "given_names": "JEAN-BAPTISTE", "birth_place_code": "2A004", "male": True},
        {"birth_name": "NDIAYE", "given_names": "AMINATA", "birth_place_code": "99341"},
        {"birth_name": "X" * 100, "given_names": "A", "birth_place_code": "", "ins_matricule": "254038619440111"},
    ],
)
def test_round_trip_through_zxing(traits):
    patient = PatientFactory(qualified=True, first_given_name=traits["given_names"].split(" ")[0], **traits)
    symbol = datamatrix.encode(patient, issued=datetime.date(2026, 11, 25))
    barcode = _read(symbol.png())
    assert barcode.format == zxingcpp.BarcodeFormat.DataMatrix
    assert barcode.symbology_identifier == "]d1"  # ECC200
    decoded = datamatrix.decode(barcode.bytes.decode("ascii"))
    assert decoded["values"] == symbol.values
    assert decoded["values"]["ins_matricule"] == patient.ins_matricule
    assert decoded["header"]["issued"] == f"{(datetime.date(2026, 11, 25) - datetime.date(2000, 1, 1)).days:04X}"
    assert decoded["header"]["country"] == "FR" and decoded["signature"] == "" and not symbol.signed


def test_header_is_26_characters_and_fields_are_gs_terminated():
    patient = PatientFactory(qualified=True, birth_name="DURAND", given_names="ANNE", first_given_name="ANNE")
    payload = datamatrix.encode(patient).payload
    assert payload.startswith("DC04") and payload[26:28] == "I1"
    assert f"I3DURAND{datamatrix.GS}" in payload
    assert datamatrix.GS not in payload[26 : 26 + 2 + 15]  # fixed-length matricule: no separator


def test_only_qualified_identities_get_a_datamatrix():
    with pytest.raises(datamatrix.DataMatrixError, match="qualifiée"):
        datamatrix.encode(PatientFactory(retrieved=True))


def test_decode_refuses_foreign_payloads():
    with pytest.raises(datamatrix.DataMatrixError, match="2D-Doc"):
        datamatrix.decode("hello")
    with pytest.raises(datamatrix.DataMatrixError, match="inconnu"):
        datamatrix.decode(datamatrix.header(issued=None) + "ZZ12")
