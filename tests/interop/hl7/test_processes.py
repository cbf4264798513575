"""``--processes 2``: two listener processes accept on one port; a message sent to both is processed once.

The replay rule lives in the database (unique control id per partner), not in a process's memory: the same
control id sent on connections served by both children is processed exactly once, every other copy answered
with the original ACK. A child killed is restarted by the parent; SIGTERM stops them all.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings

from identity.models import Patient
from interop.hl7.enums import MessageOutcome
from interop.hl7.models import Message
from tests.interop.hl7.conftest import MllpClient, ack_fields, adt

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.integration]


class Forked:
    """``python -m interop.hl7.listener --processes 2``, its port and the pids of its ready children."""

    def __init__(self):
        db = settings.DATABASES["default"]
        url = f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "dcc.settings.test"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "interop.hl7.listener", "--port", "0", "--no-warm-up", "--workers", "2",
             "--processes", "2"],
            cwd=settings.BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        self.ready: list[int] = []
        try:
            self.port = self._announced()
        except BaseException:
            self.process.kill()  # its children die with it
            self.process.wait(30)
            raise
        self.changed = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _announced(self) -> int:
        found = None
        for line in self.process.stdout:  # the parent announces the port once its children accept
            if ready := re.search(r"Processus (\d+) : prêt", line):
                self.ready.append(int(ready.group(1)))
            if found := re.search(r"Écoute MLLP sur 127\.0\.0\.1:(\d+), 2 processus", line):
                break
        assert found, "l'écouteur s'est arrêté sans annoncer son port"
        assert len(self.ready) == 2, self.ready
        return int(found.group(1))

    def _read(self) -> None:
        with self.process.stdout:
            for line in self.process.stdout:
                found = re.search(r"Processus (\d+) : prêt", line)
                if found:
                    with self.changed:
                        self.ready.append(int(found.group(1)))
                        self.changed.notify_all()

    def wait_ready(self, count: int) -> list[int]:
        with self.changed:
            assert self.changed.wait_for(lambda: len(self.ready) >= count, timeout=60), self.ready
            return list(self.ready)


def _connections_held(pid: int, port: int) -> int:
    """Established TCP connections on the listener's ``port`` whose socket this process holds."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):  # a descriptor closed meanwhile
            target = os.readlink(fd)
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    held = 0
    for table in ("tcp", "tcp6"):
        path = Path(f"/proc/{pid}/net/{table}")
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            if local_port == port and fields[3] == "01" and fields[9] in inodes:
                held += 1
    return held


@pytest.mark.skipif(not Path("/proc/self/net/tcp").exists(), reason="needs Linux /proc")
def test_two_processes_on_one_port_both_answer_and_a_message_is_processed_once(partner):
    listener = Forked()
    clients: list[MllpClient] = []
    try:
        children = listener.wait_ready(2)
        message = adt("A28", control_id="FORK-1", ipp="IPP-FORK")
        acks = []
        for _ in range(60):  # new connections until each child has accepted one (the kernel picks the child)
            client = MllpClient(listener.port)
            clients.append(client)
            acks.append(client.send(message))
            if all(_connections_held(pid, listener.port) for pid in children):
                break
        assert all(_connections_held(pid, listener.port) for pid in children), "un seul processus a répondu"
        assert {ack_fields(ack)["MSA"][1] for ack in acks} == {"AA"}
        assert {ack_fields(ack)["MSA"][2] for ack in acks} == {"FORK-1"}
        assert len({ack_fields(ack)["MSH"][10] for ack in acks}) == 1  # every copy got the original ACK
        rows = Message.objects.filter(partner=partner, control_id="FORK-1")
        assert rows.filter(duplicate_of__isnull=True).count() == 1
        assert rows.filter(outcome=MessageOutcome.REPLAY).count() == len(acks) - 1
        assert Patient.objects.filter(local_identifiers__value="IPP-FORK").count() == 1

        os.kill(children[0], signal.SIGKILL)  # a child dies: the parent starts another one
        ready = listener.wait_ready(3)
        assert ready[2] not in children
        client = MllpClient(listener.port)
        clients.append(client)
        ack = client.send(adt("A28", control_id="FORK-2", ipp="IPP-FORK-2"))
        assert ack_fields(ack)["MSA"][1] == "AA"
    finally:
        for client in clients:
            client.close()
        listener.process.send_signal(signal.SIGTERM)
        code = listener.process.wait(60)
    assert code == 0
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(Path(f"/proc/{pid}").exists() for pid in listener.ready):
        time.sleep(0.1)
    assert not any(Path(f"/proc/{pid}/status").exists() for pid in listener.ready)  # no orphan left
