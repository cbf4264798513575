"""C-FIND against a real PACS: an Orthanc instance of the test's own (temporary storage, ephemeral
ports, loopback only), fed with synthetic DICOM files made with pydicom through its REST API.

Orthanc comes from the Debian package ``orthanc`` (``.ci/run`` installs it): without it the test is
skipped, except in CI where its absence is a failure.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from interop.imaging import dicom, selectors
from interop.imaging.models import Pacs
from interop.imaging.synthetic import instance_bytes
from tests.identity.factories import LocalIdentifierFactory, PatientFactory
from tests.interop.imaging.conftest import studies_of

ORTHANC = Path("/usr/sbin/Orthanc")
IN_CI = os.environ.get("CI", "").lower() == "true"
AE_TITLE = "ORTHANC-TEST"

pytestmark = pytest.mark.integration


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _http(url: str, data: bytes | None = None) -> bytes:
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/dicom"} if data else {})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read()


@pytest.fixture(scope="module")
def orthanc(tmp_path_factory):
    if not ORTHANC.exists():
        if IN_CI:
            pytest.fail("Orthanc est requis en CI (.ci/run installe le paquet Debian orthanc)")
        pytest.skip("Orthanc absent : apt-get install orthanc")
    root = tmp_path_factory.mktemp("orthanc")
    dicom_port, http_port = _free_port(), _free_port()
    config = {
        "Name": "DCC-TEST",
        "StorageDirectory": str(root / "storage"),
        "IndexDirectory": str(root / "storage"),
        "HttpServerEnabled": True,
        "HttpPort": http_port,
        "RemoteAccessAllowed": False,
        "AuthenticationEnabled": False,
        "DicomServerEnabled": True,
        "DicomAet": AE_TITLE,
        "DicomPort": dicom_port,
        "DicomCheckCalledAet": True,
        "DicomModalities": {"dcc": ["DCC", "127.0.0.1", 104]},
        "DicomAlwaysAllowFind": False,
        "Plugins": [],
        "HttpDescribeErrors": True,
        "StorageCompression": False,
    }
    config_file = root / "orthanc.json"
    config_file.write_text(json.dumps(config))
    log = (root / "orthanc.log").open("w")
    process = subprocess.Popen([str(ORTHANC), str(config_file)], stdout=log, stderr=subprocess.STDOUT, cwd=root)
    base = f"http://127.0.0.1:{http_port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            _http(f"{base}/system")
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                log.close()
                pytest.fail(f"Orthanc n'a pas démarré : voir {root / 'orthanc.log'}")
            time.sleep(0.2)
    yield {"base": base, "dicom_port": dicom_port}
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


@pytest.fixture(scope="module")
def uploaded(orthanc):
    """Two studies of IPP-ORTHANC-1 and one of another patient, uploaded as DICOM files (REST POST /instances)."""
    studies = [*studies_of("IPP-ORTHANC-1"), *studies_of("IPP-ORTHANC-2", "AUTRE^PATIENTE")[:1]]
    for study in studies:
        answer = json.loads(_http(f"{orthanc['base']}/instances", instance_bytes(study)))
        assert answer["Status"] in {"Success", "AlreadyStored"}
    return studies


def test_c_find_against_orthanc_returns_the_patients_studies(orthanc, uploaded):
    found = dicom.find_studies(
        host="127.0.0.1", port=orthanc["dicom_port"], called_ae=AE_TITLE, patient_ids=["IPP-ORTHANC-1"],
        calling_ae="DCC",
    )  # fmt: skip

    assert [(s.study_date.isoformat(), s.modality, s.description) for s in found] == [
        ("2026-11-14", "MR", "IRM hépatique"),
        ("2026-10-02", "CT", "Scanner thoraco-abdomino-pelvien"),
    ]
    assert {s.study_uid for s in found} == {s.study_uid for s in uploaded[:2]}
    assert {s.accession for s in found} == {"ACC0001", "ACC0002"}


def test_orthanc_refuses_an_undeclared_calling_ae(orthanc, uploaded):
    with pytest.raises(dicom.PacsUnavailable):
        dicom.find_studies(
            host="127.0.0.1", port=orthanc["dicom_port"], called_ae=AE_TITLE, patient_ids=["IPP-ORTHANC-1"],
            calling_ae="INCONNU",
        )  # fmt: skip


@pytest.mark.django_db
def test_the_patient_studies_come_from_orthanc(orthanc, uploaded, personas, settings):
    settings.DCC_IMAGING_CALLING_AE = "DCC"
    patient = PatientFactory()
    LocalIdentifierFactory(patient=patient, establishment=personas.hospital, value="IPP-ORTHANC-1")
    Pacs.objects.create(establishment=personas.hospital, name="Orthanc", ae_title=AE_TITLE, host="127.0.0.1",
                        port=orthanc["dicom_port"])  # fmt: skip

    result = selectors.patient_studies(patient)

    assert not result.unavailable
    assert [row.study.modality for row in result.studies] == ["MR", "CT"]
