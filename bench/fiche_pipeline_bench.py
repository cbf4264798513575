"""Benchmark of the stored fiche pipeline: ``document_generate`` on ``rcp.ficheversion`` (snapshot → FRCP inputs,
PDF/A-1b, CDA, validation, files and rows written), as the worker runs it.

    DATABASE_URL=… REDIS_URL=… .venv/bin/python bench/fiche_pipeline_bench.py [--fiches 200]

Builds a synthetic RCP session with ``--fiches`` validated fiches inside one transaction that is rolled back at
the end (files go to a temporary folder), so the database is left as it was. Prints median and p95 per
document, the throughput of one worker (one process, sequential) and the one-off compilation time of the rules.
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fiches", type=int, default=200)
    args = parser.parse_args()

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
    from django.db import transaction

    from dcc.records.enums import GenerationStatus
    from interop.cda import validation
    from interop.filing import document_generate

    started = time.perf_counter()
    validation.warm_up()
    compile_time = time.perf_counter() - started

    times, failed = [], 0
    try:
        with transaction.atomic():
            fiches = validated_fiches(args.fiches)
            for fiche in fiches:
                version = fiche.versions.get()
                t0 = time.perf_counter()
                generation = document_generate(source_type="rcp.ficheversion", source_id=version.pk)
                times.append(time.perf_counter() - t0)
                failed += generation.status != GenerationStatus.SUCCEEDED
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
