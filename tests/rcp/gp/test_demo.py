"""The demo modules of the GP loop and of the MSSanté returns, on a small world (the whole seed is slow)."""

import datetime

import pytest
from django.utils import timezone

from dcc.accounts.enums import Profile
from dcc.directory.validators import luhn_key
from dcc.records.enums import CareRelationshipKind
from dcc.records.services import care_relationship_add
from interop.deliverability import demo as quality_demo
from interop.deliverability import selectors as quality
from interop.outbox.models import OutboxMessage
from rcp.gp import demo as gp_demo
from rcp.gp import selectors
from rcp.gp.models import GpContribution
from tests.accounts.factories import ProfileGrantFactory, UserFactory
from tests.directory.factories import EstablishmentFactory, ProfessionalFactory, ThreeCFactory
from tests.identity.factories import PatientFactory
from tests.rcp.factories import RcpFactory, RcpMemberFactory, SessionFactory

pytestmark = pytest.mark.django_db
LOG = {"log": lambda line: None}


def test_gp_demo_notifies_three_patients_with_one_contribution():
    three_c = ThreeCFactory()
    secretary = UserFactory(email=gp_demo.SECRETARY_EMAIL)
    ProfileGrantFactory(user=secretary, profile=Profile.SECRETAIRE_3C, three_cs=[three_c])
    gp = ProfessionalFactory(general_practitioner=True)
    gp_user = UserFactory(email=gp_demo.GP_EMAIL, professional=gp)
    ProfileGrantFactory(user=gp_user, profile=Profile.MEDECIN)
    for _ in range(4):
        PatientFactory(general_practitioner=gp)
    rcp = RcpFactory(establishment=EstablishmentFactory(three_c=three_c))
    RcpMemberFactory(rcp=rcp)
    for days in (10, 17, 24):
        start = timezone.now() + datetime.timedelta(days=days)
        SessionFactory(rcp=rcp, starts_at=start, ends_at=start + datetime.timedelta(hours=2))

    gp_demo.seed(LOG)
    gp_demo.seed(LOG)  # idempotent
    assert len(selectors.gp_home(gp).coming) == 3
    assert GpContribution.objects.filter(professional=gp).count() == 1
    assert OutboxMessage.objects.filter(kind="gp_notice", professional=gp).count() == 3


def test_quality_demo_seeds_a_history_and_bounces():
    three_c = ThreeCFactory()
    for _ in range(30):
        care_relationship_add(patient=PatientFactory(), kind=CareRelationshipKind.THREE_C, three_c=three_c)
    for n in range(8):
        body = f"10999{n + 500:05d}"
        ProfessionalFactory(rpps=body + luhn_key(body))

    quality_demo.seed(LOG)
    quality_demo.seed(LOG)  # idempotent
    assert OutboxMessage.objects.filter(source_type=quality_demo.SOURCE).count() == 900 + 12 + 2
    lines = quality.permanent_failures(three_c_ids={three_c.pk}, open_only=True)
    assert len(lines) == 4 and sum(1 for line in lines if not line.address) == 1
    total = sum(rate.sent for rate in quality.rate_by_month(three_c_ids={three_c.pk}))
    assert total > 700  # the sends of the last twelve calendar months
