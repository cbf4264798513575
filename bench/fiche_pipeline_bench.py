"""Benchmark of the stored fiche pipeline: ``document_generate`` on ``rcp.ficheversion`` (snapshot → FRCP inputs,
PDF/A-1b, CDA, validation, files and rows written), as the worker runs it.

    DATABASE_URL=… REDIS_URL=… .venv/bin/python bench/fiche_pipeline_bench.py [--fiches 200]
    DATABASE_URL=… REDIS_URL=… .venv/bin/python bench/fiche_pipeline_bench.py --fiches 60 --workers 1,2,4

Builds a synthetic RCP session with ``--fiches`` validated fiches inside one transaction that is rolled back at
the end (files go to a temporary folder), so the database is left as it was. Prints median and p95 per
document, the throughput of one worker (one process, sequential) and the one-off compilation time of the rules.

With ``--workers``, for each count given: ``--fiches`` new fiches are committed in a database of the bench's own
(``<your database>_pipebench``, created afresh, dropped at the end) and that many worker processes (forked, each
with its own connection and its rules compiled before the clock starts) file them in parallel, as Celery's
prefork workers would; it prints the documents per second of the whole pool and its ratio to the first count of
the same run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dcc.settings.test")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only")


class Rollback(Exception):
    """Raised to undo the benchmark's rows."""


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))]


def validated_fiches(count: int) -> list:
    """``count`` validated fiches of one session with quorum (every third one validated without, with a reason)."""
    from rcp.models import MentionCategory, SpecialtyTag
    from rcp.reference import ensure_reference_data
    from rcp.services.dossiers import dossier_register
    from rcp.services.fiches import fiche_save, fiche_validate
    from tests.personas import build_personas
    from tests.rcp.factories import FILLED_FICHE
    from tests.rcp.fiche_documents import fiche_world
    from tests.records.documents_helpers import record_patient

    ensure_reference_data(MentionCategory, SpecialtyTag)
    personas = build_personas()
    world = fiche_world(personas)
    world["rcp"].max_dossiers = count + 1
    world["rcp"].save(update_fields=["max_dossiers"])
    doctor = personas["doctor"]
    fiches = []
    for n in range(count):
        dossier = world["dossier"]
        if n:
            dossier = dossier_register(
                session=world["session"],
                patient=record_patient(personas),
                requesting_doctor=doctor.professional,
                motive="premiere",
                question="Chirurgie première ?",
                by=doctor,
            )
            fiche_save(
                fiche=dossier.fiche, data={**FILLED_FICHE, "appareil_code": "76752008"}, expected_revision=1, by=doctor
            )
        fiches.append(fiche_validate(fiche=dossier.fiche, by=doctor))
    return fiches


def file_versions(version_ids: list[int]) -> tuple[list[float], int]:
    """File each fiche version as the worker does; the time of each and how many failed."""
    from dcc.records.enums import GenerationStatus
    from interop.filing import document_generate

    times, failed = [], 0
    for version_id in version_ids:
        t0 = time.perf_counter()
        generation = document_generate(source_type="rcp.ficheversion", source_id=version_id)
        times.append(time.perf_counter() - t0)
        failed += generation.status != GenerationStatus.SUCCEEDED
    return times, failed


def _file_share(warm_up_id: int, version_ids: list[int], ready, results) -> None:
    """A worker process: compile the rules and file one fiche (a long-lived worker's first document pays for
    loading fonts and templates), wait for the others, file its fiches, report its timings."""
    from django.db import connections

    from interop.cda import validation

    connections.close_all()  # never the parent's socket
    validation.warm_up()
    file_versions([warm_up_id])
    ready.wait()
    began = time.monotonic()
    times, failed = file_versions(version_ids)
    results.put((began, time.monotonic(), times, failed))
    connections.close_all()


def parallel(counts: list[int], fiches: int) -> None:
    import multiprocessing

    from django.core.management import call_command
    from django.db import connections

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    version_ids = [fiche.versions.get().pk for fiche in validated_fiches(fiches * len(counts) + sum(counts))]
    print(f"Base du banc migrée, {len(version_ids)} fiches validées en {time.perf_counter() - started:.0f} s")
    connections.close_all()
    context = multiprocessing.get_context("fork")
    reference = None
    print(f"{'workers':>8} {'documents':>10} {'durée':>8} {'documents/s':>12} {'× 1er':>7} {'médiane':>9} {'p95':>9}")
    remaining = iter(version_ids)
    for count in counts:
        warm_ups, batch = [next(remaining) for _ in range(count)], [next(remaining) for _ in range(fiches)]
        ready, results = context.Barrier(count), context.Queue()
        workers = [
            context.Process(target=_file_share, args=(warm_ups[index], batch[index::count], ready, results))
            for index in range(count)
        ]
        for worker in workers:
            worker.start()
        reports = [results.get() for _ in workers]
        for worker in workers:
            worker.join()
        times = [elapsed for report in reports for elapsed in report[2]]
        wall = max(report[1] for report in reports) - min(report[0] for report in reports)
        rate = len(times) / wall
        reference = reference or rate
        print(
            f"{count:>8} {len(times):>10} {wall:>7.1f}s {rate:>12.2f} {rate / reference:>6.2f}× "
            f"{statistics.median(times) * 1000:>7.0f}ms {percentile(times, 0.95) * 1000:>7.0f}ms"
            + (f"  ({sum(report[3] for report in reports)} en échec)" if any(report[3] for report in reports) else "")
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fiches", type=int, default=200)
    parser.add_argument("--workers", help="nombres de workers en parallèle, séparés par des virgules (ex. 1,2,4)")
    args = parser.parse_args()
    if args.workers:
        from bench.databases import bench_database_url, drop_database, ensure_database

        url = bench_database_url("pipebench")
        ensure_database(url, fresh=True)
        os.environ["DATABASE_URL"] = url

    import logging

    import django
    from django.conf import settings

    media = tempfile.TemporaryDirectory()
    from dcc.embedded import configure_environment

    configure_environment()  # the embedded servers, when DATABASE_URL / REDIS_URL are unset
    django.setup()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": media.name}},
    }
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    if args.workers:
        try:
            parallel([int(count) for count in args.workers.split(",")], args.fiches)
        finally:
            media.cleanup()
            from django.db import connections

            connections.close_all()
            drop_database(url)
        return
    from django.db import transaction

    from interop.cda import validation

    started = time.perf_counter()
    validation.warm_up()
    compile_time = time.perf_counter() - started

    try:
        with transaction.atomic():
            times, failed = file_versions([fiche.versions.get().pk for fiche in validated_fiches(args.fiches)])
            raise Rollback
    except Rollback:
        pass
    finally:
        media.cleanup()

    median, p95 = statistics.median(times) * 1000, percentile(times, 0.95) * 1000
    print(f"Fiches RCP classées (pipeline stocké, écritures comprises) : {len(times)}, en échec : {failed}")
    print(f"Compilation des règles (une fois par worker)   {compile_time:8.1f} s")
    print(f"Par document                                    médiane {median:8.1f} ms   p95 {p95:8.1f} ms")
    print(f"Débit d'un worker (séquentiel)                  {len(times) / sum(times):8.2f} documents/s")


if __name__ == "__main__":
    main()
