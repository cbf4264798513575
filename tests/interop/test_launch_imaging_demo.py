"""The demo: launch keys for the personas' establishments (simulator links that work) and the CHU's PACS
served by the DICOM stand-in with synthetic studies of demo patients."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.test import Client

from dcc.accounts.models import User
from identity.models import LocalIdentifier
from interop.imaging import demo as imaging_demo
from interop.imaging import selectors, standin
from interop.imaging.models import Pacs
from interop.launch import demo as launch_demo
from interop.launch.enums import KeyAlgorithm
from interop.launch.models import LaunchKey, SimulatorKey
from interop.launch.services import simulator_token

pytestmark = pytest.mark.django_db(transaction=True)

CHU = "CHU LA MILETRIE - POITIERS"


def test_the_demo_seeds_launch_keys_and_a_pacs_with_studies(demo, tmp_path, settings):
    settings.DCC_IMAGING_STANDIN_STUDIES = str(tmp_path / "studies.json")
    for module in (launch_demo, imaging_demo):  # a second seeding adds nothing
        module.seed({"log": lambda line: None})

    by_establishment: dict[str, list[str]] = {}
    for key in LaunchKey.objects.select_related("establishment"):
        by_establishment.setdefault(key.establishment.name, []).append(key.algorithm)
    assert set(by_establishment[CHU]) == {KeyAlgorithm.ED25519, KeyAlgorithm.ES256}
    assert by_establishment["CH DAX"] == [KeyAlgorithm.ED25519]
    assert SimulatorKey.objects.count() == LaunchKey.objects.count() == 3

    # A simulator link for the demo doctor opens a CHU patient's page.
    doctor = User.objects.select_related("professional").get(email="medecin@demo.dcc.test")
    simulator = SimulatorKey.objects.filter(key__establishment__name=CHU).first()
    local = LocalIdentifier.objects.filter(establishment__name=CHU).order_by("value").first()
    token = simulator_token(simulator=simulator, rpps=doctor.professional.rpps, ipp=local.value, target="patient")
    client = Client()
    response = client.get(f"/appel-contextuel/?jwt={token}")
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200

    # The CHU's PACS is the stand-in, which answers with the seeded studies.
    pacs = Pacs.objects.get(establishment__name=CHU)
    assert (pacs.ae_title, pacs.port) == (standin.DEFAULT_AE, settings.DCC_IMAGING_STANDIN_PORT)
    studies = json.loads(Path(settings.DCC_IMAGING_STANDIN_STUDIES).read_text(encoding="utf-8"))
    assert len({study["patient_id"] for study in studies}) == 6
    server = standin.start(studies=standin.load_studies(Path(settings.DCC_IMAGING_STANDIN_STUDIES)))
    try:
        Pacs.objects.filter(pk=pacs.pk).update(port=server.server_address[1])
        patient = LocalIdentifier.objects.get(establishment=pacs.establishment, value=studies[0]["patient_id"]).patient
        result = selectors.patient_studies(patient)
    finally:
        server.shutdown()
    assert not result.unavailable
    assert len(result.studies) == 3
    # Its viewer links open the stand-in's demo viewer page for each study.
    port = settings.DCC_IMAGING_STANDIN_WEB_PORT
    assert pacs.viewer_url_template == f"http://127.0.0.1:{port}/viewer?StudyInstanceUID={{study_uid}}"
    for row in result.studies:
        assert row.viewer_url == f"http://127.0.0.1:{port}/viewer?StudyInstanceUID={row.study.study_uid}"
        assert standin.viewer_page(standin.load_studies(Path(settings.DCC_IMAGING_STANDIN_STUDIES)),
                                   row.study.study_uid) is not None  # fmt: skip
