"""Sustained ADT ingestion over MLLP with ACKs, and no message lost or processed twice across a restart.

Usage (on a disposable, migrated database: the bench's partner, messages and patients stay there)::

    DATABASE_URL=postgres://... REDIS_URL=redis://... python bench/hl7_mllp.py -n 2000 -c 4 [--restart]

First, the same clients send the same messages to a bare MLLP echo (``bench/mllp_echo.py``, the reference:
framing and sockets only). Then it starts the real listener (``python -m interop.hl7.listener --port 0``) as a
subprocess, opens ``-c`` connections and sends, on each, A28 (create) then A31 (update) messages one after the
other (MLLP waits for each ACK). With ``--restart``, the listener is killed (SIGKILL, the worst case) once a third
of the messages are acknowledged and started again; each client reconnects and sends its unacknowledged message
again with the same control id. At the end it prints the SQL statements of one A28 and one A31, messages/s, the
ratio DCC / echo (the figure to compare between runs on a shared machine), ACK latency p50/p95, and checks in the
database that every control id was processed exactly once with an AA, and one patient exists per A28.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dcc.settings.dev")

import django  # noqa: E402

from dcc.embedded import configure_environment  # noqa: E402

configure_environment()  # the embedded servers, when DATABASE_URL / REDIS_URL are unset
django.setup()

from dcc.directory.models import Establishment  # noqa: E402
from identity.models import LocalIdentifier  # noqa: E402
from identity.nir import compute_key  # noqa: E402
from interop.hl7.enums import MessageOutcome  # noqa: E402
from interop.hl7.models import Message  # noqa: E402
from interop.hl7.services import partner_register  # noqa: E402

FIRST = ["MARIE", "JEAN", "HÉLÈNE", "PIERRE", "ANNE", "PAUL", "LUCIE", "ANDRÉ", "ODILE", "ZOÉ"]
NAMES = ["MARTIN", "BERNARD", "D'ALMEIDA", "LEFÈVRE", "GARÇON", "DUPONT-NOËL", "ROUX", "FOURNIER"]


def start_listener(workers: int, command: list[str] | None = None, processes: int = 1) -> tuple[subprocess.Popen, int]:
    command = command or [
        sys.executable,
        "-m",
        "interop.hl7.listener",
        "--port",
        "0",
        "--workers",
        str(workers),
        "--processes",
        str(processes),
        "--no-warm-up",
    ]
    env = {**os.environ, "DJANGO_DEBUG": os.environ.get("DJANGO_DEBUG", "false")}  # as deployed: no query log
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    while True:
        line = process.stdout.readline()
        if not line:
            raise SystemExit(f"l'écouteur s'est arrêté (code {process.wait()})")
        found = re.search(r"Écoute MLLP sur [^:]+:(\d+)", line)
        if found:
            threading.Thread(target=lambda: [None for _ in process.stdout], daemon=True).start()
            return process, int(found.group(1))


def message(run: str, index: int, trigger: str, oid: str, offset: int = 0) -> str:
    """A28/A31 of patient ``index``; its INS is unique for ``offset + index`` < 999,000 (``offset``: the patients
    earlier runs created, so that a run on a used database creates its patients instead of updating others)."""
    index, number = offset + index, index
    sex = "F" if index % 2 else "M"
    year, month = 1930 + index % 70, 1 + index % 12
    dept = "2A" if index % 7 == 0 else "86"
    body = f"{'2' if sex == 'F' else '1'}{year % 100:02d}{month:02d}{dept}{index % 1000:03d}{index // 1000 + 1:03d}"
    ins = body + compute_key(body)
    place = f"2A{index % 1000:03d}" if index % 7 == 0 else f"86{index % 1000:03d}"
    first = FIRST[index % len(FIRST)]
    name = NAMES[index % len(NAMES)]
    used = "^~DURAND^" + first + "^^^^^D" if trigger == "A31" else ""
    return (
        f"MSH|^~\\&|BENCH{run}|BENCH|DCC|ARS|20261203120000||ADT^{trigger}^ADT_A05|{run}-{trigger}-{number}|P|"
        f"2.5^FRA^2.11|||||FRA|UNICODE UTF-8||||2.11^IHE_FRANCE-2.11-PAM\r"
        f"EVN||20261203120000\r"
        f"PID|1||B{run}{number}^^^BENCH&{oid}&ISO^PI~{ins}^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.10&ISO^INS||"
        f"{name}^{first}^{first}^^^^L{used}||{year}{month:02d}15|{sex}|||^^^^^^BDL^^{place}"
        f"|||||||||||||||||||||VALI\rPV1|1|N\r"
    )


class Client(threading.Thread):
    def __init__(self, bench, messages: list[tuple[str, str]]):
        super().__init__(daemon=True)
        self.bench, self.messages, self.latencies, self.retries = bench, messages, [], 0

    def connect(self):
        while True:
            try:
                return socket.create_connection(("127.0.0.1", self.bench.port), timeout=60)
            except OSError:
                time.sleep(0.1)

    def run(self):
        sock, buffer = self.connect(), b""
        for control_id, text in self.messages:
            data = b"\x0b" + text.encode("utf-8") + b"\x1c\r"
            while True:
                started = time.perf_counter()
                try:
                    sock.sendall(data)
                    while b"\x1c\r" not in buffer:
                        chunk = sock.recv(65536)
                        if not chunk:
                            raise ConnectionError
                        buffer += chunk
                except OSError:
                    self.retries += 1
                    sock.close()
                    buffer = b""
                    time.sleep(0.05)
                    sock = self.connect()
                    continue
                frame, buffer = buffer.split(b"\x1c\r", 1)
                ack = frame[1:].decode()
                assert f"MSA|AA|{control_id}" in ack, ack
                self.latencies.append(time.perf_counter() - started)
                self.bench.acked()
                break
        sock.close()


def start_echo() -> tuple[subprocess.Popen, int]:
    """The reference: a bare MLLP echo (asyncio, one process, an AA per frame, no parsing and no database)."""
    return start_listener(0, command=[sys.executable, str(ROOT / "bench" / "mllp_echo.py")])


class Bench:
    def __init__(self, args, start=None):
        self.args, self.lock, self.count = args, threading.Lock(), 0
        self.start = start or (lambda: start_listener(args.workers, processes=args.processes))
        self.restart_at = args.n // 3 if args.restart and start is None else None
        self.restarted = threading.Event()
        self.process, self.port = self.start()

    def acked(self):
        with self.lock:
            self.count += 1
            restart = self.restart_at is not None and self.count == self.restart_at
        if restart:
            threading.Thread(target=self.restart, daemon=True).start()

    def restart(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        self.process, new_port = self.start()
        self.port = new_port  # clients reconnect to the new port
        self.restarted.set()

    def run(self, per_client: list[list]) -> tuple[float, list]:
        clients = [Client(self, items) for items in per_client]
        started = time.perf_counter()
        for client in clients:
            client.start()
        for client in clients:
            client.join()
        elapsed = time.perf_counter() - started
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(60)
        except subprocess.TimeoutExpired:
            print("l'écouteur ne s'est pas arrêté en 60 s après SIGTERM : arrêt forcé")
            self.process.kill()
        return elapsed, clients


def statements_per_message(establishment, oid: str, offset: int) -> dict[str, int]:
    """SQL statements of one A28 (creation) and one A31 (update) through the listener's processing."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from interop.hl7.processing import process

    run = uuid.uuid4().hex[:6].upper()
    partner_register(application=f"BENCH{run}", facility="BENCH", establishment=establishment, kinds=["ADT"])
    counts = {}
    for trigger in ("A28", "A31"):
        with CaptureQueriesContext(connection) as queries:
            assert process(message(run, 0, trigger, oid, offset).encode("utf-8")).code == "AA"
        counts[trigger] = len(queries.captured_queries)
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=2000, help="messages (half A28, half A31)")
    parser.add_argument("-c", type=int, default=4, help="connections")
    parser.add_argument("--workers", type=int, default=4, help="listener threads (per process)")
    parser.add_argument("--processes", type=int, default=2, help="listener processes on the one port")
    parser.add_argument("--restart", action="store_true", help="kill and restart the listener during the run")
    parser.add_argument("--no-reference", action="store_true", help="skip the bare MLLP echo reference run")
    args = parser.parse_args()
    run = uuid.uuid4().hex[:6].upper()
    establishment, _ = Establishment.objects.get_or_create(
        finess_geo="860999990",
        defaults={"name": "CH BANC HL7", "kind": "CH", "town": "Poitiers", "oid": "1.2.250.1.999.8"},
    )
    oid = establishment.oid or "1.2.250.1.999.8"
    offset = LocalIdentifier.objects.filter(establishment=establishment).count()
    statements = statements_per_message(establishment, oid, offset)
    offset += 1
    partner, _ = partner_register(
        application=f"BENCH{run}", facility="BENCH", establishment=establishment, kinds=["ADT"]
    )
    patients = args.n // 2
    per_client: list[list] = [[] for _ in range(args.c)]
    for index in range(patients):
        for trigger in ("A28", "A31"):
            per_client[index % args.c].append((f"{run}-{trigger}-{index}", message(run, index, trigger, oid, offset)))
    reference = None
    if not args.no_reference:
        reference, _ = Bench(args, start=start_echo).run(per_client)
    bench = Bench(args)
    elapsed, clients = bench.run(per_client)

    latencies = sorted(x for client in clients for x in client.latencies)
    sent = sum(len(items) for items in per_client)
    print(
        f"{sent} messages ADT (A28 + A31) sur {args.c} connexions, {args.processes} processus d'écoute de "
        f"{args.workers} threads"
    )
    print(f"requêtes SQL par message : A28 (création) {statements['A28']}, A31 (mise à jour) {statements['A31']}")
    print(f"débit : {sent / elapsed:.0f} messages/s ({elapsed:.1f} s)")
    if reference is not None:
        print(
            f"référence, écho MLLP nu (mêmes clients, même machine, même exécution) : {sent / reference:.0f} "
            f"messages/s ; rapport DCC / écho : {reference / elapsed:.3f}"
        )
    print(
        f"latence de l'accusé : p50 {statistics.median(latencies) * 1000:.1f} ms, "
        f"p95 {latencies[int(len(latencies) * 0.95)] * 1000:.1f} ms"
    )
    if args.restart:
        print(
            f"redémarrage de l'écouteur (SIGKILL) après {bench.restart_at} accusés ; "
            f"{sum(c.retries for c in clients)} envoi(s) repris après reconnexion"
        )
    messages = Message.objects.filter(partner=partner)
    processed = messages.filter(duplicate_of__isnull=True, replayed_from__isnull=True)
    per_id = dict(
        processed.values_list("control_id").annotate(n=django.db.models.Count("pk")).values_list("control_id", "n")
    )
    expected = {control_id for items in per_client for control_id, _ in items}
    lost = expected - set(per_id)
    twice = [cid for cid, n in per_id.items() if n > 1]
    not_aa = processed.exclude(ack_code="AA").count()
    created = LocalIdentifier.objects.filter(value__startswith=f"B{run}").values("patient").distinct().count()
    replays = messages.filter(outcome=MessageOutcome.REPLAY).count()
    print(
        f"contrôle : {len(per_id)} identifiants traités, {len(lost)} perdu(s), {len(twice)} traité(s) deux fois, "
        f"{not_aa} sans AA, {replays} rejeu(x) reconnu(s), {created} patients créés pour {patients} A28"
    )
    ok = not lost and not twice and not not_aa and created == patients
    print("RÉSULTAT :", "OK" if ok else "ÉCHEC")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
