"""The HL7 demo: partners, stored messages with every ACK code, one identity-vigilance item; idempotent."""

import pytest

from dcc.accounts import demo as accounts_demo
from dcc.directory import demo as directory_demo
from identity import demo as identity_demo
from identity.enums import IdentityOrigin
from identity.models import Patient
from interop.hl7 import demo
from interop.hl7.models import Message, Partner, VigilanceItem

pytestmark = pytest.mark.django_db


def test_demo_hl7_traffic():
    lines = []
    context = {"log": lines.append}
    for module in (directory_demo, accounts_demo, identity_demo, demo):
        module.seed(context)
    assert Partner.objects.count() == 2
    assert set(Message.objects.values_list("ack_code", flat=True)) == {"AA", "AE", "AR"}
    assert VigilanceItem.objects.count() == 1
    corsican = Patient.objects.get(birth_name="SANTONI")
    assert corsican.birth_place_code == "2A004" and corsican.origin == IdentityOrigin.INTEROP
    assert Patient.objects.get(birth_name="D'ARTOIS-LEFEVRE").used_name == "MOREAU-DURAND"
    demo.seed(context)
    assert Message.objects.count() == 6
