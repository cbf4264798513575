import pytest

from dcc.records.enums import CareRelationshipKind
from dcc.records.services import care_relationship_add
from tests.identity.factories import PatientFactory


@pytest.fixture
def hospital_patient(personas):
    """A patient treated in the personas' hospital (seen by its doctor, secretary and annonce nurse)."""
    patient = PatientFactory()
    care_relationship_add(
        patient=patient, kind=CareRelationshipKind.TREATING_ESTABLISHMENT, establishment=personas.hospital
    )
    return patient
