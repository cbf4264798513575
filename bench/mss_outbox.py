"""Benchmark of the outbox over MSSanté: N sends queued, the local operator killed in the middle and restarted.

    DATABASE_URL=… REDIS_URL=… .venv/bin/python bench/mss_outbox.py [--messages 1000] [--concurrency 4]

Starts the local operator (a real process) and a Celery worker on the given database and Redis, queues
``--messages`` plain MSSanté notices in one transaction (as a cause would), kills the operator (SIGKILL) once
``--stop-at`` of them have left, restarts it ``--down`` seconds later on the same ports and mailboxes, and waits
until every row is sent. Then it checks in the operator's mailboxes that every message arrived exactly once,
prints throughput, retries and recoveries, and deletes its rows. Use a database of your own.
"""

from __future__ import annotations

import argparse
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dcc.settings.test")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=8, help="worker threads")
    parser.add_argument("--stop-at", type=float, default=0.4, help="fraction sent when the operator is killed")
    parser.add_argument("--down", type=float, default=5.0, help="seconds the operator stays down")
    parser.add_argument("--timeout", type=float, default=900.0)
    args = parser.parse_args()

    from tests.interop.mss.operator_process import DIRECTORY, Operator

    state = Path(tempfile.mkdtemp(prefix="mss-bench-"))
    (state / "etat").mkdir()
    (state / "annuaire.txt").write_text(DIRECTORY, encoding="utf-8")
    operator = Operator(state_dir=state / "etat", directory=state / "annuaire.txt")
    operator.start()
    mss_env = {k: str(v) for k, v in operator.settings().items()}
    os.environ.update(mss_env)
    os.environ.update(
        {
            "DCC_OUTBOX_RETRY_DELAYS": "1,2,3,5",
            "DCC_OUTBOX_MAX_ATTEMPTS": "40",
            "DCC_OUTBOX_SENDING_LEASE_SECONDS": "30",
            "DCC_OUTBOX_REQUEUE_GRACE_SECONDS": "5",
        }
    )

    import django

    from dcc.embedded import configure_environment

    configure_environment()  # the embedded servers, when DATABASE_URL / REDIS_URL are unset
    django.setup()
    from django.db import transaction

    # The worker consumes a queue of its own: this process sends there; the rows it re-schedules come back
    # through the requeue below (what the beat task does), so nothing depends on the default queue.
    from dcc.celery import app
    from interop.outbox.enums import OutboxState
    from interop.outbox.models import OutboxMessage
    from interop.outbox.services import outbox_enqueue
    from interop.outbox.tasks import outbox_deliver

    queue = f"bench-mss-{os.getpid()}"
    app.conf.task_default_queue = queue
    log = (state / "worker.log").open("wb")
    worker = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "celery"),
            "-A",
            "dcc",
            "worker",
            "--pool",
            "threads",
            "--concurrency",
            str(args.concurrency),
            "--queues",
            queue,
            "--loglevel",
            "WARNING",
            "--hostname",
            f"bench-mss-{os.getpid()}@%h",
            "--without-mingle",
            "--without-gossip",
        ],
        cwd=BASE_DIR,
        env={**os.environ},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    run = uuid.uuid4().hex[:8]
    n = args.messages
    try:
        from dcc.tasks import ping

        deadline = time.monotonic() + 600
        while True:  # the worker's start (slow on a loaded machine)
            try:
                if ping.apply_async(args=["prêt"], queue=queue).get(timeout=5) == "prêt":
                    break
            except Exception:
                if worker.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"le worker n'a pas démarré : {state / 'worker.log'}") from None
        started = time.monotonic()
        with transaction.atomic():
            for i in range(n):
                outbox_enqueue(
                    channel="mss",
                    kind="gp_notice",
                    recipient_address=f"bench.{run}.{i}@pro.mssante.demo.test",
                    recipient_label=f"Dr BENCH {i}",
                    payload={"subject": f"Essai {i}", "body": "Message d'essai."},
                    source_type="bench",
                    source_id=run,
                )
        queued = time.monotonic() - started
        rows = OutboxMessage.objects.filter(source_type="bench", source_id=run)
        gone = [OutboxState.SENT, OutboxState.DELIVERED, OutboxState.READ]
        stopped_at = restarted_at = None
        last_requeue = time.monotonic()
        while True:
            done = rows.filter(state__in=gone).count()
            failed = rows.filter(state=OutboxState.FAILED).count()
            now = time.monotonic()
            if stopped_at is None and done >= args.stop_at * n:
                operator.process.send_signal(signal.SIGKILL)
                operator.process.wait()
                stopped_at = now
                print(f"opérateur arrêté (SIGKILL) après {done} envois, à {now - started:.1f} s", flush=True)
            if stopped_at is not None and restarted_at is None and now - stopped_at >= args.down:
                operator.start()
                restarted_at = now
                print(f"opérateur redémarré à {now - started:.1f} s", flush=True)
            if now - last_requeue > 20:  # what the beat task does every minute (shorter here)
                print(f"  {now - started:6.1f} s : {dict(Counter(rows.values_list('state', flat=True)))}", flush=True)
                from interop.outbox.delivery import outbox_requeue

                for pk in outbox_requeue():
                    outbox_deliver.delay(pk)
                last_requeue = now
            if done + failed >= n or now - started > args.timeout:
                break
            time.sleep(0.2)
        elapsed = time.monotonic() - started
        states = Counter(rows.values_list("state", flat=True))
        attempts = Counter(rows.values_list("attempts", flat=True))
        confirmed = rows.filter(transitions__detail__startswith="Déjà transmis").distinct().count()
        ids = {f"<{m}>" for m in rows.values_list("message_id", flat=True)}
        store = sqlite3.connect(f"file:{operator.state_dir / 'boites.sqlite3'}?mode=ro", uri=True)
        copies = Counter(
            mid
            for (mid,) in store.execute(
                "SELECT message_id FROM message WHERE mailbox LIKE ? AND deleted = 0", (f"bench.{run}.%",)
            )
        )
        duplicates = sum(1 for mid in ids if copies[mid] > 1)
        missing = sum(1 for mid in ids if copies[mid] == 0)
        print()
        print(f"messages                     : {n} (mis en file en {queued:.1f} s, une transaction)")
        print(f"tous envoyés en              : {elapsed:.1f} s — débit {n / elapsed:.1f} messages/s")
        print(f"opérateur arrêté pendant      : {args.down:.0f} s (SIGKILL à {args.stop_at:.0%} des envois)")
        print(f"états                        : {dict(states)}")
        print(f"tentatives par message       : {dict(sorted(attempts.items()))}")
        print(f"reprises confirmées sans renvoi (copie trouvée) : {confirmed}")
        print(f"reçus exactement une fois    : {n - duplicates - missing} / {n}")
        print(f"doublons                     : {duplicates}   manquants : {missing}")
        return 0 if duplicates == 0 and missing == 0 else 1
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
        log.close()
        operator.stop()
        OutboxMessage.objects.filter(source_type="bench", source_id=run).delete()


if __name__ == "__main__":
    sys.exit(main())
