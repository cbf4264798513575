"""Benchmark of the document pipeline: PDF/A-1b, CDA FRCP 2025.01, validation (XSD + six ANS schematrons).

    .venv/bin/python bench/documents_bench.py [--fiches 200]

Prints median and p95 per step and for the whole pipeline per fiche, the throughput of one worker (one process,
sequential), the one-off compilation time of the rules, how many times each schematron was compiled, and the
ratio of our PDF time to WeasyPrint rendering a bare two-page page.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dcc.settings.test")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def line(label: str, values: list[float]) -> str:
    median, p95 = statistics.median(values) * 1000, percentile(values, 0.95) * 1000
    return f"{label:<34} médiane {median:8.1f} ms   p95 {p95:8.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fiches", type=int, default=200)
    args = parser.parse_args()

    import logging

    import django

    from dcc.embedded import configure_environment

    configure_environment()  # the embedded servers, when DATABASE_URL / REDIS_URL are unset
    django.setup()
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    from weasyprint import HTML

    from interop.cda import builders, samples, validation
    from interop.cda.inputs import PdfCopy
    from interop.pdf.layouts import frcp_document
    from interop.pdf.render import render_document

    started = time.perf_counter()
    validation.warm_up()
    compile_time = time.perf_counter() - started

    bare_html = "<p>Page 1</p><p style='break-before: page'>Page 2</p>"
    HTML(string=bare_html).write_pdf()  # fonts and caches, as for our renderer below
    render_document(frcp_document(samples.header(title="x"), samples.frcp_appareil(), issuer="3C"))

    pdf_times, cda_times, validate_times, total_times = [], [], [], []
    invalid = 0
    for n in range(args.fiches):
        header = samples.header(n, title="Fiche RCP")
        content = samples.frcp_appareil() if n % 2 == 0 else samples.frcp_transversale()
        t0 = time.perf_counter()
        pdf = render_document(frcp_document(header, content, issuer="3C Vienne Nord Deux-Sèvres"))
        t1 = time.perf_counter()
        document = builders.build_frcp(header, content, PdfCopy(pdf))
        t2 = time.perf_counter()
        result = validation.validate_cda(document.xml)
        t3 = time.perf_counter()
        invalid += not result.valid
        pdf_times.append(t1 - t0)
        cda_times.append(t2 - t1)
        validate_times.append(t3 - t2)
        total_times.append(t3 - t0)

    bare_times = []
    for _ in range(max(10, args.fiches // 10)):
        t0 = time.perf_counter()
        HTML(string=bare_html).write_pdf()
        bare_times.append(time.perf_counter() - t0)

    print(f"Fiches RCP traitées : {args.fiches} (appareil et transversale alternées), invalides : {invalid}")
    print(f"Compilation des règles (XSD + 7 schematrons, une fois par processus) : {compile_time:.1f} s")
    print(line("PDF/A-1b (WeasyPrint)", pdf_times))
    print(line("CDA FRCP 2025.01", cda_times))
    print(line("Validation XSD + 6 schematrons", validate_times))
    print(line("Chaîne complète par fiche", total_times))
    print(f"Débit d'un worker : {1 / statistics.mean(total_times):.2f} fiches/s")
    print(line("WeasyPrint, page nue de 2 pages", bare_times))
    print(f"Rapport PDF fiche / page nue : {statistics.median(pdf_times) / statistics.median(bare_times):.1f}")
    counts = validation.compilation_counts()
    print(f"Compilations par schematron : {sorted(set(counts.values()))} ({len(counts)} schematrons)")


if __name__ == "__main__":
    main()
