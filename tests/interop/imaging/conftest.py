from __future__ import annotations

import contextlib
import datetime
import socket
import threading
from dataclasses import dataclass

import pytest

from dcc.records.enums import CareRelationshipKind
from dcc.records.services import care_relationship_add
from interop.imaging import standin
from interop.imaging.models import Pacs
from interop.imaging.synthetic import SyntheticStudy
from tests.identity.factories import LocalIdentifierFactory, PatientFactory

IPP = "IPP-IMG-0001"


def studies_of(patient_id: str, name: str = "TESTIMAGERIE^ANNE") -> list[SyntheticStudy]:
    base = {"patient_name": name, "birth_date": datetime.date(1954, 3, 12), "sex": "F"}
    return [
        SyntheticStudy(patient_id=patient_id, study_date=datetime.date(2026, 10, 2), modality="CT",
                       description="Scanner thoraco-abdomino-pelvien", accession="ACC0001", **base),
        SyntheticStudy(patient_id=patient_id, study_date=datetime.date(2026, 11, 14), modality="MR",
                       description="IRM hépatique", accession="ACC0002", **base),
    ]  # fmt: skip


@dataclass
class ImagingWorld:
    personas: object
    patient: object
    pacs: Pacs
    server: object


@pytest.fixture
def pacs_server():
    """The DICOM stand-in on an ephemeral port, with two studies of ``IPP`` and one of somebody else."""
    server = standin.start(studies=[*studies_of(IPP), *studies_of("IPP-AUTRE", "AUTRE^PERSONNE")[:1]])
    yield server
    stop(server)


def stop(server) -> None:
    """Shut the stand-in down (tests stop it early to play a PACS that is gone; teardown stops it again)."""
    with contextlib.suppress(ValueError):  # already shut down
        server.shutdown()


@pytest.fixture
def imaging(personas, pacs_server) -> ImagingWorld:
    patient = PatientFactory(birth_name="TESTIMAGERIE", first_given_name="ANNE")
    LocalIdentifierFactory(patient=patient, establishment=personas.hospital, value=IPP)
    care_relationship_add(patient=patient, kind=CareRelationshipKind.TREATING_ESTABLISHMENT,
                          establishment=personas.hospital)  # fmt: skip
    pacs = Pacs.objects.create(
        establishment=personas.hospital, name="PACS du CHU test", ae_title=standin.DEFAULT_AE, host="127.0.0.1",
        port=pacs_server.server_address[1], viewer_url_template="https://pacs.chu.test/viewer?study={study_uid}",
    )  # fmt: skip
    return ImagingWorld(personas=personas, patient=patient, pacs=pacs, server=pacs_server)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def silent_pacs():
    """A TCP server that accepts connections and never answers (a hung PACS)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    accepted, stop = [], threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join(timeout=2)
    for connection in accepted:
        connection.close()
    listener.close()
