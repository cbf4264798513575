"""RCP fixtures: reference mentions/tags (restored after transactional tests), an RCP of the personas' 3C."""

import pytest

from tests.directory.factories import PlaceOfPracticeFactory, ProfessionalFactory
from tests.rcp.factories import RcpFactory, RcpMemberFactory, SessionFactory


@pytest.fixture(autouse=True)
def rcp_reference_data(request):
    if (
        "db" not in request.fixturenames
        and "transactional_db" not in request.fixturenames
        and (request.node.get_closest_marker("django_db") is None)
    ):
        return
    from rcp.models import MentionCategory, SpecialtyTag
    from rcp.reference import ensure_reference_data

    ensure_reference_data(MentionCategory, SpecialtyTag)


@pytest.fixture
def world(personas):
    """An RCP of the personas' 3C (at their hospital) with the doctor as a member, and one session ahead."""
    rcp = RcpFactory(title="Tumeurs digestives", establishment=personas.hospital)
    RcpMemberFactory(rcp=rcp, professional=personas["doctor"].professional)
    surgeon = PlaceOfPracticeFactory(establishment=personas.hospital, professional=ProfessionalFactory(surgeon=True))
    RcpMemberFactory(rcp=rcp, professional=surgeon.professional)
    other_rcp = RcpFactory(title="Thorax", establishment=personas.other_hospital)
    session = SessionFactory(rcp=rcp)
    return {"rcp": rcp, "session": session, "other_rcp": other_rcp, "other_session": SessionFactory(rcp=other_rcp)}
