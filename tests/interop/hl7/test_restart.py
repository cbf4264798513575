"""No message lost or processed twice when the listener process is killed (SIGKILL) under traffic and restarted.

The senders behave as integration engines do: a message without an ACK is sent again, with the same control
id, once the listener is back. Either it had committed (the resend is a replay: the original ACK) or not (it
is processed now): every control id ends processed exactly once, with an AA.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest
from django.conf import settings
from django.db.models import Count

from identity.models import Patient
from identity.nir import compute_key
from interop.hl7.enums import MessageOutcome
from interop.hl7.models import Message
from tests.interop.hl7.conftest import adt

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.integration]

PATIENTS_PER_SENDER, SENDERS, KILL_AFTER = 12, 3, 20


def _listener() -> tuple[subprocess.Popen, int]:
    db = settings.DATABASES["default"]
    url = f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "dcc.settings.test"}
    process = subprocess.Popen(
        [sys.executable, "-m", "interop.hl7.listener", "--port", "0", "--no-warm-up", "--workers", "3"],
        cwd=settings.BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    line = process.stdout.readline()
    found = re.search(r"Écoute MLLP sur 127\.0\.0\.1:(\d+)", line)
    assert found, line

    def drain() -> None:  # reads the listener's output to its end, then closes it
        with process.stdout:
            for _ in process.stdout:
                pass

    process.drain = threading.Thread(target=drain, daemon=True)
    process.drain.start()
    return process, int(found.group(1))


def _messages(sender: int) -> list[tuple[str, str]]:
    items = []
    for number in range(PATIENTS_PER_SENDER):
        body = f"2{54 + sender:02d}0386194{number + 1:03d}"
        ins, birth = body + compute_key(body), f"19{54 + sender}0312"
        common = {"ipp": f"RST-{sender}-{number}", "ins": ins, "birth_date": birth}
        items.append((f"R{sender}-{number}-A28", adt("A28", control_id=f"R{sender}-{number}-A28", **common)))
        items.append((f"R{sender}-{number}-A31", adt("A31", control_id=f"R{sender}-{number}-A31", used_name="DURAND",
                                                      **common)))  # fmt: skip
    return items


class Traffic:
    def __init__(self):
        self.lock, self.acked, self.resent = threading.Lock(), 0, 0
        self.process, self.port = _listener()
        self.killed = threading.Event()
        self.errors: list[str] = []

    def ack_received(self) -> None:
        with self.lock:
            self.acked += 1
            kill = self.acked == KILL_AFTER
        if kill:  # while the other senders have messages in flight
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()
            self.process.drain.join(10)
            self.process, self.port = _listener()
            self.killed.set()

    def connect(self) -> socket.socket:
        deadline = time.monotonic() + 60
        while True:
            try:
                return socket.create_connection(("127.0.0.1", self.port), timeout=60)
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def send_all(self, items: list[tuple[str, str]]) -> None:
        sock, buffer = self.connect(), b""
        try:
            for control_id, text in items:
                while True:
                    try:
                        sock.sendall(b"\x0b" + text.encode("utf-8") + b"\x1c\r")
                        while b"\x1c\r" not in buffer:
                            chunk = sock.recv(65536)
                            if not chunk:
                                raise ConnectionError
                            buffer += chunk
                    except OSError:  # the listener died: reconnect and send the same message again
                        with self.lock:
                            self.resent += 1
                        sock.close()
                        buffer = b""
                        self.killed.wait(60)
                        sock = self.connect()
                        continue
                    frame, buffer = buffer.split(b"\x1c\r", 1)
                    if f"MSA|AA|{control_id}" not in frame.decode("utf-8"):
                        self.errors.append(frame.decode("utf-8"))
                    self.ack_received()
                    break
        finally:
            sock.close()


def test_a_listener_killed_under_traffic_loses_nothing_and_processes_nothing_twice(partner):
    traffic = Traffic()
    batches = [_messages(sender) for sender in range(SENDERS)]
    threads = [threading.Thread(target=traffic.send_all, args=(items,)) for items in batches]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(300)
    finally:
        traffic.process.terminate()
        traffic.process.wait(30)
        traffic.process.drain.join(10)

    assert traffic.killed.is_set() and not traffic.errors, traffic.errors
    expected = {control_id for items in batches for control_id, _ in items}
    processed = Message.objects.filter(partner=partner, duplicate_of__isnull=True, replayed_from__isnull=True)
    per_id = dict(processed.values_list("control_id").annotate(n=Count("pk")).values_list("control_id", "n"))
    assert set(per_id) == expected  # none lost
    assert set(per_id.values()) == {1}  # none processed twice
    assert set(processed.values_list("ack_code", flat=True)) == {"AA"}
    assert Patient.objects.filter(local_identifiers__value__startswith="RST-").count() == SENDERS * PATIENTS_PER_SENDER
    assert not Patient.objects.filter(local_identifiers__value__startswith="RST-", used_name="").exists()
    # Every resend either found its message committed (a replay with the original ACK) or processed it now.
    replays = Message.objects.filter(partner=partner, outcome=MessageOutcome.REPLAY).count()
    assert replays <= traffic.resent
