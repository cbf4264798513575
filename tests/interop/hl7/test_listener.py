"""The MLLP listener over real sockets: ACK codes, replays, partners and bad input that must not stop it."""

from __future__ import annotations

import socket
import time

import pytest
from django.core.management import call_command

from identity.models import Patient
from interop.hl7.enums import MessageOutcome
from interop.hl7.models import Message
from interop.hl7.protocol import START_BLOCK
from tests.interop.hl7.conftest import MllpClient, ack_fields, adt, example, msh

pytestmark = pytest.mark.django_db(transaction=True)


def test_each_ack_code(mllp, partner):
    accepted = ack_fields(mllp.send(adt("A28", control_id="C-AA", ipp="IPP-AA")))
    assert accepted["MSA"][1:3] == ["AA", "C-AA"] and "ERR" not in accepted

    error = ack_fields(mllp.send(adt("A28", control_id="C-AE", ipp="IPP-AE", birth_date="19541399")))
    assert error["MSA"][1:3] == ["AE", "C-AE"]
    assert error["ERR"][3].startswith("102^") and "PID-7" in error["ERR"][8]
    assert error["ERR"][2] == "PID^1^7"

    rejected = ack_fields(mllp.send(adt("A28", control_id="C-AR").replace("|P|2.5^FRA", "|X|2.5^FRA")))
    assert rejected["MSA"][1:3] == ["AR", "C-AR"] and rejected["ERR"][3].startswith("202^")
    outcomes = dict(Message.objects.values_list("control_id", "ack_code"))
    assert outcomes == {"C-AA": "AA", "C-AE": "AE", "C-AR": "AR"}


def test_a_replay_returns_the_original_ack_and_is_not_processed_twice(mllp, partner):
    message = adt("A28", control_id="REPLAY-1", ipp="IPP-R")
    first = mllp.send(message)
    second = mllp.send(message)
    assert first == second
    assert Patient.objects.filter(local_identifiers__value="IPP-R").count() == 1
    original, replay = Message.objects.order_by("pk")
    assert replay.duplicate_of == original and replay.outcome == MessageOutcome.REPLAY
    # The same control id from another partner is another message.
    from interop.hl7.services import partner_register

    partner_register(application="GAM2", facility="CHTEST", establishment=partner.establishment)
    other = mllp.send(message.replace("|GAM|CHTEST|", "|GAM2|CHTEST|").replace("IPP-R", "IPP-R2"))
    assert ack_fields(other)["MSA"][1] == "AA"
    assert Patient.objects.filter(local_identifiers__value="IPP-R2").count() == 1


def test_an_unknown_partner_gets_an_ar_in_french(mllp, partner):
    fields = ack_fields(mllp.send(adt("A28", control_id="U-1").replace("|GAM|CHTEST|", "|INCONNU|AILLEURS|")))
    assert fields["MSA"][1:3] == ["AR", "U-1"]
    assert "Partenaire inconnu" in fields["ERR"][8]
    stored = Message.objects.get(control_id="U-1")
    assert stored.partner is None and stored.sending_application == "INCONNU" and stored.ack_code == "AR"


def test_a_partner_not_allowed_to_send_that_type_gets_an_ar(mllp, establishment):
    from interop.hl7.services import partner_register

    partner_register(application="GAM", facility="CHTEST", establishment=establishment, kinds=["MDM"])
    fields = ack_fields(mllp.send(adt("A28", control_id="NA-1")))
    assert fields["MSA"][1] == "AR" and fields["ERR"][3].startswith("200^") and "autorisé" in fields["ERR"][8]


def test_an_unknown_trigger_event_gets_an_ar_and_the_listener_keeps_serving(mllp, partner):
    admission = example("ans_SGL_admission.er7").replace(b"|GAM|CHU-X|", b"|GAM|CHTEST|")
    fields = ack_fields(mllp.send(admission))
    assert fields["MSA"][1:3] == ["AR", "3975"]
    assert fields["ERR"][3].startswith("201^") and "ADT^A01" in fields["ERR"][8] and "non supporté" in fields["ERR"][8]
    stored = Message.objects.get(control_id="3975")
    assert (stored.ack_code, stored.error_code, stored.message_type) == ("AR", "201", "ADT^A01")
    assert ack_fields(mllp.send(adt("A28", ipp="IPP-AFTER")))["MSA"][1] == "AA"


def test_missing_msh10_gets_an_ar_and_is_stored(mllp, partner):
    fields = ack_fields(mllp.send(adt("A28", control_id="")))
    assert fields["MSA"][1:3] == ["AR", ""]
    assert fields["ERR"][3].startswith("101^") and "MSH-10" in fields["ERR"][8]
    assert Message.objects.get().error_code == "101"


def test_wrong_encoding_characters_get_an_ar(mllp, partner):
    text = adt("A28", control_id="ENC-1").replace("MSH|^~\\&|", "MSH|^~#&|", 1)
    fields = ack_fields(mllp.send(text))
    assert fields["MSA"][1:3] == ["AR", "ENC-1"] and "encodage" in fields["ERR"][8]
    stored = Message.objects.get(control_id="ENC-1")
    assert stored.ack_code == "AR" and stored.outcome == MessageOutcome.REJECTED and "encodage" in stored.error_text
    assert ack_fields(mllp.send(adt("A28", ipp="IPP-AFTER-ENC")))["MSA"][1] == "AA"


def test_bytes_not_in_the_announced_charset_get_an_ar(mllp, partner):
    data = adt("A28", control_id="CS-1", birth_name="HÉLÈNE").encode("latin-1")  # says UTF-8
    fields = ack_fields(mllp.send(data))
    assert fields["MSA"][1] == "AR" and "UTF-8" in fields["ERR"][8]
    assert Message.objects.get(control_id="CS-1").ack_code == "AR"
    assert ack_fields(mllp.send(adt("A28", ipp="IPP-AFTER-CS")))["MSA"][1] == "AA"


def test_truncated_frames_are_stored_and_do_not_stop_the_listener(listener, partner):
    # A frame whose message is cut inside MSH (no MSH-10 reached).
    one = MllpClient(listener.port)
    fields = ack_fields(one.send("MSH|^~\\&|GAM|CHTE"))
    assert fields["MSA"][1] == "AR"
    # A frame without its end block, then the connection closes.
    one.send_raw(START_BLOCK + adt("A28", control_id="CUT-1").encode()[:120])
    one.close()
    deadline = time.monotonic() + 10
    while not Message.objects.filter(control_id="CUT-1").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    cut = Message.objects.get(control_id="CUT-1")
    assert cut.ack_code == "AR" and "tronquée" in cut.error_text
    # Garbage before the start block is skipped; the next message is answered.
    two = MllpClient(listener.port)
    two.send_raw(b"\x00garbage\r\n")
    assert ack_fields(two.send(adt("A28", ipp="IPP-NEXT")))["MSA"][1] == "AA"
    two.close()


def test_a_stalled_connection_does_not_block_the_others(listener, partner):
    stalled = socket.create_connection(("127.0.0.1", listener.port))
    stalled.sendall(START_BLOCK + b"MSH|^~\\&|GAM|CHTEST|")  # never finished
    other = MllpClient(listener.port, timeout=10)
    assert ack_fields(other.send(adt("A28", ipp="IPP-FREE")))["MSA"][1] == "AA"
    other.close()
    stalled.close()


def test_a_20_mb_obx_gets_an_ar_and_the_next_message_is_served(mllp, partner, settings):
    body = "A" * (20 * 1024 * 1024)
    mdm = "\r".join([
        msh("T02", message_type="MDM", structure="MDM_T02", control_id="BIG-1", version="2.6"),
        "EVN||20261203101500", "PID|1||IPP1^^^CHTEST&1.2.250.1.999.1.1&ISO^PI||DUPONT^MARIE^MARIE^^^^L||19540312|F",
        "PV1|1|N", "TXA|1|11488-4|TEXT", f"OBX|1|ED|11488-4^Note^LN||^text^XML^Base64^{body}||||||F",
    ])  # fmt: skip
    fields = ack_fields(mllp.send(mdm))
    assert fields["MSA"][1:3] == ["AR", "BIG-1"]
    assert "trop volumineux" in fields["ERR"][8]
    stored = Message.objects.get(control_id="BIG-1")
    assert stored.size > 20 * 1024 * 1024 and len(stored.raw) <= 64 * 1024
    assert ack_fields(mllp.send(adt("A28", ipp="IPP-AFTER-BIG")))["MSA"][1] == "AA"


def test_hl7_ingest_runs_files_through_the_same_processing(partner, tmp_path, capsys):
    path = tmp_path / "a28.hl7"
    path.write_text(adt("A28", control_id="FILE-1", ipp="IPP-FILE").replace("\r", "\n"), encoding="utf-8")
    call_command("hl7_ingest", str(path))
    out = capsys.readouterr().out
    assert "MSA|AA|FILE-1" in out
    assert Message.objects.get(control_id="FILE-1").peer.startswith("fichier a28.hl7")
    call_command("hl7_ingest", str(path))
    assert Message.objects.filter(control_id="FILE-1", outcome=MessageOutcome.REPLAY).count() == 1


def test_hl7_partner_command(establishment, capsys):
    call_command("hl7_partner", "add", "--application", "DPI", "--facility", "CHX", "--establishment",
                 establishment.finess_geo, "--send", "ADT,MDM")  # fmt: skip
    from interop.hl7.models import Partner

    partner = Partner.objects.get(application="DPI")
    assert partner.allowed_kinds == ["ADT", "MDM"] and partner.establishment == establishment
    assert "déclaré" in capsys.readouterr().out
