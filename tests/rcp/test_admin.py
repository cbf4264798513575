"""The Django admin pages of the RCP models open (superuser) and list the demo-like data."""

import pytest
from django.urls import reverse

from tests.accounts.factories import UserFactory
from tests.rcp.factories import AttendanceFactory, RcpMemberFactory, RecurrenceFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", ["mentioncategory", "specialtytag", "rcp", "session", "attendance", "codelistentry"])
def test_admin_changelists_open(client, model):
    member = RcpMemberFactory()
    RecurrenceFactory(rcp=member.rcp)
    attendance = AttendanceFactory(session__rcp=member.rcp)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get(reverse(f"admin:rcp_{model}_changelist")).status_code == 200
    assert client.get(reverse("admin:rcp_rcp_change", args=[member.rcp.pk])).status_code == 200
    assert client.get(reverse("admin:rcp_session_change", args=[attendance.session.pk])).status_code == 200
