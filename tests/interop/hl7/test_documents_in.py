"""Documents in over MLLP (CI-SIS TRANS-CDA 2.1) with the ANS examples: T02, T10, T04, ORU^R01, quarantine."""

from __future__ import annotations

import base64
import datetime as dt
import re

import pytest

from dcc.records.enums import DocumentOrigin, DocumentStatus, TrailAction
from dcc.records.models import AccessTrail, Document, QuarantinedDocument
from identity.enums import INS_OID_TEST, RnivStatus
from interop.hl7.models import Message
from interop.hl7.services import partner_register
from tests.directory.factories import EstablishmentFactory
from tests.identity.factories import PatientFactory
from tests.interop.hl7.conftest import ack_fields, example

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module", autouse=True)
def compiled_rules():
    """Compile the CDA rules once before the first message (10–20 s), not inside an ACK timeout."""
    from interop.cda.validation import warm_up

    warm_up()


@pytest.fixture
def ris(establishment):
    partner, _ = partner_register(application="RIS-Y", facility="Organisation-Y", establishment=establishment)
    return partner


@pytest.fixture
def pat_trois(transactional_db):
    return PatientFactory(
        birth_name="PAT-TROIS", first_given_name="DOMINIQUE", given_names="DOMINIQUE", sex="F",
        birth_date=dt.date(1979, 3, 28), birth_place_code="63220", ins_matricule="279035121518989",
        ins_oid=INS_OID_TEST, rniv_status=RnivStatus.QUALIFIEE,
    )  # fmt: skip


def ans(name: str, control_id: str) -> bytes:
    data = example(name).replace(b"\r\n", b"\r").replace(b"\n", b"\r")
    return data.replace(b"|015|P|2.6|", f"|{control_id}|P|2.6|".encode(), 1)


def test_mdm_t02_files_the_cda_then_t10_replaces_it_then_t04_withdraws_it(mllp, ris, pat_trois):
    fields = ack_fields(mllp.send(ans("ans_MDM_T02_CR_Radio_INIT_N1_Base64.er7", "T02-1")))
    assert fields["MSA"][1:3] == ["AA", "T02-1"], fields
    assert fields["MSH"][8] == "ACK^T02^ACK"
    first = Document.objects.get(patient=pat_trois)
    assert first.origin == DocumentOrigin.INTEROP and first.type_code == "18748-4"
    assert first.document_id == "1.2.250.1.71.4.2.2.120456789.71024000081"
    assert Message.objects.get(control_id="T02-1").document == first

    fields = ack_fields(mllp.send(ans("ans_MDM_T10_CR_Radio_RPLC_N1.er7", "T10-1")))
    assert fields["MSA"][1:3] == ["AA", "T10-1"], fields
    second = Document.objects.get(document_id="1.2.250.1.71.4.2.2.120456789.71024000082")
    first.refresh_from_db()
    assert second.replaces == first and second.version == 2 and first.status == DocumentStatus.REPLACED

    fields = ack_fields(mllp.send(ans("ans_MDM_T04_CR_Radio_DEL_N1.er7", "T04-1")))
    assert fields["MSA"][1:3] == ["AA", "T04-1"], fields
    second.refresh_from_db()
    assert second.status == DocumentStatus.WITHDRAWN
    assert second.transitions.filter(to_status=DocumentStatus.WITHDRAWN).exists()


def test_t10_of_an_unknown_parent_gets_ae_900(mllp, ris, pat_trois):
    fields = ack_fields(mllp.send(ans("ans_MDM_T10_CR_Radio_RPLC_N1.er7", "T10-X")))
    assert fields["MSA"][1] == "AE" and fields["ERR"][5].startswith("900^")
    assert not Document.objects.exists()


def test_an_unknown_patient_is_quarantined_with_ae_902(mllp, ris):
    fields = ack_fields(mllp.send(ans("ans_MDM_T02_CR_Radio_INIT_N1_Base64.er7", "Q-1")))
    assert fields["MSA"][1] == "AE"
    assert fields["ERR"][3].startswith("207^") and fields["ERR"][5].startswith("902^")
    assert "quarantaine" in fields["ERR"][8]
    assert QuarantinedDocument.objects.get().origin == DocumentOrigin.INTEROP
    # The same message again: the first ACK, no second quarantined copy.
    again = ack_fields(mllp.send(ans("ans_MDM_T02_CR_Radio_INIT_N1_Base64.er7", "Q-1")))
    assert again["MSA"] == fields["MSA"] and QuarantinedDocument.objects.count() == 1


def test_an_ins_disagreeing_with_the_traits_is_quarantined_with_904(mllp, ris, pat_trois):
    pat_trois.birth_name = "AUTRE"
    pat_trois.save()
    fields = ack_fields(mllp.send(ans("ans_MDM_T02_CR_Radio_INIT_N1_Base64.er7", "Q-2")))
    assert fields["MSA"][1] == "AE" and fields["ERR"][5].startswith("904^")


def test_oru_r01_files_the_cda(mllp, ris, pat_trois):
    text = ans("ans_MDM_T02_CR_Radio_INIT_N1_Base64.er7", "ORU-1").decode("utf-8")
    text = text.replace("MDM^T02^MDM_T02", "ORU^R01^ORU_R01").replace("|2.6|", "|2.5|", 1)
    match = re.search(r"\^text\^XML\^Base64\^([^|\r]+)", text)
    cda = base64.b64decode(match.group(1)).replace(b"71024000081", b"71024000091")
    text = text.replace(match.group(1), base64.b64encode(cda).decode())
    fields = ack_fields(mllp.send(text))
    assert fields["MSA"][1:3] == ["AA", "ORU-1"], fields
    assert fields["MSH"][8] == "ACK^R01^ACK"
    assert Document.objects.get(patient=pat_trois).document_id.endswith("71024000091")


def test_bad_base64_gets_ae_102(mllp, ris, pat_trois):
    text = ans("ans_MDM_T02_CR_Radio_INIT_N1_Base64.er7", "B64-1").decode("utf-8")
    text = re.sub(r"\^Base64\^[A-Za-z]", "^Base64^*", text, count=1)
    fields = ack_fields(mllp.send(text))
    assert fields["MSA"][1] == "AE" and fields["ERR"][3].startswith("102^") and "Base64" in fields["ERR"][8]


def oru(name: str, control_id: str, order: str) -> str:
    """An ANS MDM example carried as ORU^R01 with ORC-1 = ``order`` (NW new, RO replacement, CA withdrawal)."""
    text = ans(name, control_id).decode("utf-8")
    text = re.sub(r"\|MDM\^T\d\d\^MDM_T02\|", "|ORU^R01^ORU_R01|", text, count=1).replace("|2.6|", "|2.5|", 1)
    text = re.sub(r"\rTXA\|[^\r]*", "", text)
    if "\rORC|" in text:
        return re.sub(r"\rORC\|[^|\r]*", f"\rORC|{order}", text, count=1)
    return text.replace("\rOBX|1|", f"\rORC|{order}\rOBX|1|", 1)


def test_oru_r01_replaces_then_withdraws_its_document(mllp, ris, pat_trois):
    fields = ack_fields(mllp.send(oru("ans_MDM_T02_CR_Radio_INIT_N1_Base64.er7", "ORU-NW", "NW")))
    assert fields["MSA"][1:3] == ["AA", "ORU-NW"], fields
    first = Document.objects.get(patient=pat_trois)

    fields = ack_fields(mllp.send(oru("ans_MDM_T10_CR_Radio_RPLC_N1.er7", "ORU-RO", "RO")))
    assert fields["MSA"][1:3] == ["AA", "ORU-RO"], fields
    second = Document.objects.get(document_id="1.2.250.1.71.4.2.2.120456789.71024000082")
    first.refresh_from_db()
    assert second.replaces == first and second.version == 2 and first.status == DocumentStatus.REPLACED
    assert Message.objects.get(control_id="ORU-RO").document == second

    fields = ack_fields(mllp.send(oru("ans_MDM_T10_CR_Radio_RPLC_N1.er7", "ORU-CA", "CA")))
    assert fields["MSA"][1:3] == ["AA", "ORU-CA"], fields
    second.refresh_from_db()
    assert second.status == DocumentStatus.WITHDRAWN
    assert second.transitions.filter(to_status=DocumentStatus.WITHDRAWN, note__contains="ORU-CA").exists()
    assert AccessTrail.objects.filter(patient_id=pat_trois.pk, object_id=str(second.pk), action=TrailAction.DELETE)


def test_oru_r01_cannot_replace_or_withdraw_another_senders_document(mllp, ris, pat_trois, establishment):
    fields = ack_fields(mllp.send(oru("ans_MDM_T02_CR_Radio_INIT_N1_Base64.er7", "ORU-OWN", "NW")))
    assert fields["MSA"][1] == "AA", fields
    other = EstablishmentFactory(name="CH AUTRE")
    partner_register(application="RIS-Z", facility="Organisation-Z", establishment=other)

    def from_other(name: str, control_id: str, order: str) -> str:
        return oru(name, control_id, order).replace("|RIS-Y|Organisation-Y|", "|RIS-Z|Organisation-Z|", 1)

    replaced = ack_fields(mllp.send(from_other("ans_MDM_T10_CR_Radio_RPLC_N1.er7", "Z-RO", "RO")))
    assert replaced["MSA"][1] == "AE" and replaced["ERR"][5].startswith("901^"), replaced
    assert "remplacer" in replaced["ERR"][8]
    withdrawn = ack_fields(mllp.send(from_other("ans_MDM_T02_CR_Radio_INIT_N1_Base64.er7", "Z-CA", "CA")))
    assert withdrawn["MSA"][1] == "AE" and withdrawn["ERR"][5].startswith("901^"), withdrawn
    document = Document.objects.get(patient=pat_trois)
    assert document.status == DocumentStatus.CURRENT and Document.objects.count() == 1


def test_oru_r01_replacement_or_withdrawal_of_an_unknown_document_gets_ae_900(mllp, ris, pat_trois):
    replaced = ack_fields(mllp.send(oru("ans_MDM_T10_CR_Radio_RPLC_N1.er7", "RO-X", "RO")))
    assert replaced["MSA"][1] == "AE" and replaced["ERR"][5].startswith("900^"), replaced
    withdrawn = ack_fields(mllp.send(oru("ans_MDM_T10_CR_Radio_RPLC_N1.er7", "CA-X", "CA")))
    assert withdrawn["MSA"][1] == "AE" and withdrawn["ERR"][5].startswith("900^"), withdrawn
    unknown = ack_fields(mllp.send(oru("ans_MDM_T02_CR_Radio_INIT_N1_Base64.er7", "XX-X", "XX")))
    assert unknown["MSA"][1] == "AE" and unknown["ERR"][3].startswith("103^"), unknown
    assert not Document.objects.exists()


def test_a_t02_cannot_make_a_new_version_of_another_senders_document(mllp, ris, pat_trois):
    assert ack_fields(mllp.send(ans("ans_MDM_T02_CR_Radio_INIT_N1_Base64.er7", "OWN-1")))["MSA"][1] == "AA"
    partner_register(application="RIS-Z", facility="Organisation-Z", establishment=EstablishmentFactory())
    # The T10 example's CDA (relatedDocument RPLC of the first one), sent as a T02 by another establishment.
    text = ans("ans_MDM_T10_CR_Radio_RPLC_N1.er7", "Z-T02").decode("utf-8")
    text = text.replace("MDM^T10^MDM_T02", "MDM^T02^MDM_T02")
    text = text.replace("|RIS-Y|Organisation-Y|", "|RIS-Z|Organisation-Z|", 1)

    fields = ack_fields(mllp.send(text))

    assert fields["MSA"][1] == "AE" and fields["ERR"][5].startswith("901^"), fields
    assert Document.objects.get().status == DocumentStatus.CURRENT
