"""GP loop fixtures: the recording outbox channel, a dossier whose patient's GP is the gp persona."""

import pytest

from tests.identity.factories import PatientFactory


@pytest.fixture(autouse=True)
def recording_mss_channel(settings):
    """MSSanté messages go to the outbox's recording channel (the real transport is interop.mss's)."""
    settings.DCC_OUTBOX_CHANNELS = {"mss": "tests.interop.outbox.recording_channel"}


@pytest.fixture
def gp_patient(personas):
    """A patient in the hospital's care whose médecin traitant is the gp persona."""
    from dcc.records.enums import CareRelationshipKind
    from dcc.records.services import care_relationship_add

    patient = PatientFactory(general_practitioner=personas["gp"].professional)
    care_relationship_add(
        patient=patient, kind=CareRelationshipKind.TREATING_ESTABLISHMENT, establishment=personas.hospital
    )
    return patient
