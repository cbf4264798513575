from __future__ import annotations

from dataclasses import dataclass

import pytest

from dcc.records.enums import CareRelationshipKind
from dcc.records.services import care_relationship_add
from tests.identity.factories import LocalIdentifierFactory, PatientFactory
from tests.interop.launch.factories import SigningKey, signing_key


@dataclass
class LaunchWorld:
    personas: object
    dpi: SigningKey
    patient: object
    ipp: str

    @property
    def doctor(self):
        return self.personas["doctor"]

    @property
    def rpps(self) -> str:
        return self.doctor.professional.rpps

    def token(self, **extra) -> str:
        values = {"rpps": self.rpps, "ipp": self.ipp, **extra}
        return self.dpi.sign(**values)


@pytest.fixture
def world(personas) -> LaunchWorld:
    """The test CHU with a registered key; a qualified patient with an IPP there, in the CHU's care."""
    patient = PatientFactory(qualified=True)
    LocalIdentifierFactory(patient=patient, establishment=personas.hospital, value="IPP-DPI-0001")
    care_relationship_add(patient=patient, kind=CareRelationshipKind.TREATING_ESTABLISHMENT,
                          establishment=personas.hospital)  # fmt: skip
    return LaunchWorld(personas=personas, dpi=signing_key(personas.hospital), patient=patient, ipp="IPP-DPI-0001")
