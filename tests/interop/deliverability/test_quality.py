"""The MSSanté data-quality page: scope by persona, failures by address, actions, deliverability rate."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from dcc.directory.enums import MssAddressAction, MssAddressStatus
from dcc.directory.models import MssAddress
from dcc.records.enums import CareRelationshipKind
from dcc.records.services import care_relationship_add
from interop.deliverability import selectors
from interop.deliverability.chart import bar_chart
from interop.outbox.enums import Channel, OutboxState
from interop.outbox.models import OutboxMessage
from tests.directory.factories import ProfessionalFactory
from tests.helpers import assert_access
from tests.identity.factories import PatientFactory

pytestmark = pytest.mark.django_db
URL = reverse("deliverability:quality")


def patient_of(three_c):
    patient = PatientFactory()
    care_relationship_add(patient=patient, kind=CareRelationshipKind.THREE_C, three_c=three_c)
    return patient


def message(patient, *, state, address="", professional=None, attempts=1, sent=True, **extra):
    return OutboxMessage.objects.create(
        channel=Channel.MSS, kind="document", state=state, recipient_address=address, professional=professional,
        patient=patient, attempts=attempts, sent_at=timezone.now() if sent else None,
        last_code=extra.pop("code", ""), last_detail=extra.pop("detail", ""), **extra,
    )  # fmt: skip


@pytest.fixture
def returns(personas):
    """Two failures in the personas' 3C (an unknown mailbox, a GP without address), one in the other 3C."""
    ours, theirs = patient_of(personas.three_c), patient_of(personas.other_three_c)
    bouncing = ProfessionalFactory(last_name="Rebondi", mss_address="rebondi@inconnu.mssante.test")
    no_address = ProfessionalFactory(last_name="Sansadresse", mss_address="")
    elsewhere = ProfessionalFactory(last_name="Ailleurs", mss_address="ailleurs@landes.mssante.test")
    message(ours, state=OutboxState.FAILED, address=bouncing.mss_address, professional=bouncing,
            code="5.1.1", detail="Boîte aux lettres inconnue", sent=False)  # fmt: skip
    message(ours, state=OutboxState.FAILED, address=bouncing.mss_address, professional=bouncing,
            code="5.1.1", detail="Boîte aux lettres inconnue", sent=False)  # fmt: skip
    message(ours, state=OutboxState.FAILED, professional=no_address, attempts=0, sent=False,
            code="sans_adresse", detail="Pas d'adresse MSSanté pour ce destinataire.")  # fmt: skip
    for _ in range(3):
        message(ours, state=OutboxState.DELIVERED, address="ok@chu.mssante.test")
    message(theirs, state=OutboxState.FAILED, address=elsewhere.mss_address, professional=elsewhere,
            code="550", detail="Domaine inconnu", sent=False)  # fmt: skip
    message(theirs, state=OutboxState.READ, address="lu@landes.mssante.test")
    return {"bouncing": bouncing, "no_address": no_address, "elsewhere": elsewhere}


def test_access_by_persona(client, personas):
    assert_access(client, personas, URL, allowed={"secretary_3c", "admin"})


def test_a_3c_secretary_sees_only_her_3c(client, personas, returns, django_assert_max_num_queries):
    client.force_login(personas["secretary_3c"])
    with django_assert_max_num_queries(16):
        page = client.get(URL).content.decode()
    assert "rebondi@inconnu.mssante.test" in page and "Boîte aux lettres inconnue" in page
    assert "Sansadresse".upper() in page and "<td>pas d'adresse MSSanté</td>" in page
    assert "ailleurs@landes.mssante.test" not in page
    # 3 delivered out of 5 that left (the recipient without an address never left).
    assert "60,0 %" in page
    client.force_login(personas["admin"])
    page = client.get(URL).content.decode()
    assert "ailleurs@landes.mssante.test" in page and "rebondi@inconnu.mssante.test" in page


def test_rates(personas, returns):
    region = selectors.rate_by_month(three_c_ids=None)
    assert len(region) == 12 and (region[-1].sent, region[-1].delivered) == (7, 4)
    by_three_c = {rate.label: rate for rate in selectors.rate_by_three_c(three_c_ids=None)}
    assert by_three_c[personas.three_c.name].percent == 60.0
    assert by_three_c[personas.other_three_c.name].percent == 50.0
    chart = bar_chart(list(by_three_c.values()))
    assert [bar.below_target for bar in chart.bars] == [True, True]


def test_correct_an_address(client, personas, returns):
    client.force_login(personas["secretary_3c"])
    bouncing = returns["bouncing"]
    response = client.post(
        reverse("deliverability:correct"),
        {"address": bouncing.mss_address, "professional": bouncing.pk, "new_address": "Rebondi@Medecin.MSSante.test"},
    )
    assert response.status_code == 302
    bouncing.refresh_from_db()
    assert bouncing.mss_address == "rebondi@medecin.mssante.test"
    old = MssAddress.objects.get(address="rebondi@inconnu.mssante.test")
    assert old.status == MssAddressStatus.REPLACED and old.replaced_by == "rebondi@medecin.mssante.test"
    assert old.events.get().action == MssAddressAction.CORRECTED and old.status_changed_by == personas["secretary_3c"]
    lines = selectors.permanent_failures(three_c_ids={personas.three_c.pk}, open_only=True)
    assert [line.address for line in lines] == [""]  # only the GP without an address is left to work on
    page = client.get(URL + "?etat=tous").content.decode()
    assert "Corrigée (remplacée) → rebondi@medecin.mssante.test" in page


def test_fill_in_a_missing_address_and_refuse_a_bad_one(client, personas, returns):
    client.force_login(personas["secretary_3c"])
    no_address = returns["no_address"]
    bad = client.post(
        reverse("deliverability:correct"), {"professional": no_address.pk, "new_address": "pas une adresse"}
    )
    assert bad.status_code == 302
    assert "n&#x27;est pas une adresse MSSanté valide" in client.get(URL).content.decode()
    client.post(
        reverse("deliverability:correct"), {"professional": no_address.pk, "new_address": "sans@mg.mssante.test"}
    )
    no_address.refresh_from_db()
    assert no_address.mss_address == "sans@mg.mssante.test"


def test_mark_invalid_and_scope_of_actions(client, personas, returns):
    client.force_login(personas["secretary_3c"])
    elsewhere = returns["elsewhere"]
    assert client.post(reverse("deliverability:mark_invalid"), {"address": elsewhere.mss_address}).status_code == 403
    bouncing = returns["bouncing"]
    client.post(reverse("deliverability:mark_invalid"), {"address": bouncing.mss_address, "note": "Médecin parti"})
    bouncing.refresh_from_db()
    assert bouncing.mss_address == ""
    record = MssAddress.objects.get(address="rebondi@inconnu.mssante.test")
    assert (record.status, record.status_note) == (MssAddressStatus.INVALID, "Médecin parti")


def test_month_start_goes_back_across_years():
    now = timezone.make_aware(datetime.datetime(2027, 2, 15, 10, 0))
    assert selectors.month_start(3, now).date() == datetime.date(2026, 11, 1)
