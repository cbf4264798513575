"""The key pages and the regional trail at region-decade scale, in process, against a minimal view.

Usage (from the repository root, DATABASE_URL pointing at a database filled by ``bench/decade.py``):

    .venv/bin/python bench/decade_pages.py [--runs 30] [--only "trail"]

Logs in the demo personas with a Django test client (full middleware stack, sessions, cache), requests every key
page ``--runs`` times over the newest objects each persona may open (the decade's rows: a dossier, fiche, record,
documents of patients among 540,000), and the regional trail page (20 million lines) with each of its filters, and
prints p50/p95 in ms, the most queries one request made, and the ratio to the minimal view ``/bench/minimal/``
measured in the same run, with the machine load. Every request must answer 200. Not a test: figures depend on
the machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
LIMIT = 30
PERSONAS = {
    "doctor": "medecin@demo.dcc.test",
    "secretary_3c": "secretaire.3c@demo.dcc.test",
    "annonce_nurse": "annonce@demo.dcc.test",
    "admin": "admin@demo.dcc.test",
}


def _targets() -> dict:
    """The newest objects each page may open (the decade's rows when there are some)."""
    from dcc.accounts.models import User
    from dcc.records.models import Document
    from identity.selectors import visible_patients
    from pps.models import Pps
    from rcp.models import Dossier

    doctor = User.objects.get(email=PERSONAS["doctor"])
    nurse = User.objects.get(email=PERSONAS["annonce_nurse"])
    patients = visible_patients(doctor)
    dossiers = list(Dossier.objects.filter(patient__in=patients).order_by("-pk").values_list("pk", flat=True)[:LIMIT])
    documents = list(
        Document.objects.filter(patient__in=patients).order_by("-pk").values_list("pk", "patient_id")[:LIMIT]
    )
    pps = list(Pps.objects.filter(patient__in=visible_patients(nurse)).order_by("-pk").values_list("pk", flat=True))
    newest_trail_patient = Document.objects.order_by("-pk").values_list("patient_id", flat=True).first()
    return {
        "dossiers": dossiers,
        "patients": [patient for _pk, patient in documents],
        "documents": [pk for pk, _patient in documents],
        "pps": pps[:LIMIT],
        "trail_patient": newest_trail_patient,
    }


def pages(targets: dict) -> list[tuple[str, str, list[str], dict]]:
    """(label, persona, urls cycled through, headers)."""
    from django.urls import reverse

    today = time.strftime("%Y-%m-%d")
    month_start = time.strftime("%Y-%m-01")
    trail = reverse("records:trail")
    patient = targets["trail_patient"]
    return [
        ("vue minimale", "doctor", ["/bench/minimal/"], {}),
        ("accueil", "doctor", [reverse("home")], {}),
        ("agenda", "secretary_3c", [reverse("rcp:agenda")], {}),
        (
            "recherche patient",
            "doctor",
            [f"{reverse('identity:search')}?q={name}" for name in ("MART", "DUBOIS MARIE", "LEROY", "GIRARD JEAN")],
            {},
        ),
        ("dossier RCP", "doctor", [reverse("rcp:dossier", args=[pk]) for pk in targets["dossiers"]], {}),
        ("fiche RCP", "doctor", [reverse("rcp:fiche", args=[pk]) for pk in targets["dossiers"]], {}),
        ("dossier patient", "doctor", [reverse("identity:detail", args=[pk]) for pk in targets["patients"]], {}),
        ("documents du dossier", "doctor", [reverse("records:documents", args=[pk]) for pk in targets["patients"]], {}),
        ("document", "doctor", [reverse("records:document_detail", args=[pk]) for pk in targets["documents"]], {}),
        ("PPS (liste)", "annonce_nurse", [reverse("pps:home")], {}),
        ("PPS", "annonce_nurse", [reverse("pps:detail", args=[pk]) for pk in targets["pps"]], {}),
        ("traces (sans filtre)", "admin", [trail], {}),
        ("traces : page 200", "admin", [f"{trail}?page=200"], {}),
        ("traces : utilisateur", "admin", [f"{trail}?user=DÉCENNIE"], {}),
        ("traces : utilisateur rare", "admin", [f"{trail}?user=zzz-personne"], {}),
        ("traces : patient", "admin", [f"{trail}?patient={patient}"], {}),
        ("traces : action", "admin", [f"{trail}?action=login"], {}),
        ("traces : un mois", "admin", [f"{trail}?start={month_start}&end={today}"], {}),
        (
            "traces : tous les filtres",
            "admin",
            [f"{trail}?user=DÉCENNIE&patient={patient}&action=read&start=2016-01-01&end={today}"],
            {},
        ),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="requests per page (default 30)")
    parser.add_argument("--only", default="", help="only the pages whose label contains this text")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    from dcc.embedded import configure_environment

    configure_environment()  # the embedded servers, when DATABASE_URL / REDIS_URL are unset
    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from dcc.accounts.models import User

    settings.ROOT_URLCONF = "bench.rcp_urls"
    clients = {}
    for persona, email in PERSONAS.items():
        clients[persona] = Client()
        clients[persona].force_login(User.objects.get(email=email))
    targets = _targets()
    print(f"Charge avant : {open('/proc/loadavg').read().strip()}")  # noqa: SIM115
    minimal = None
    print(f"{'page':<28} {'p50':>8} {'p95':>8} {'max':>8} {'req.':>5} {'p95/minimale':>13}")
    for label, persona, urls, headers in pages(targets):
        if args.only and args.only not in label and label != "vue minimale":
            continue
        if not urls:
            print(f"{label:<28} aucun objet visible")
            continue
        client = clients[persona]
        for url in urls[:2]:  # the persona's first page: menu, session, connection's prepared statements
            client.get(url, HTTP_HOST="127.0.0.1", **headers)
        times, queries = [], 0
        for run in range(args.runs):
            url = urls[run % len(urls)]
            with CaptureQueriesContext(connection) as captured:
                began = time.perf_counter()
                response = client.get(url, HTTP_HOST="127.0.0.1", **headers)
                times.append(time.perf_counter() - began)
            if response.status_code != 200:
                raise SystemExit(f"{label} : {url} a répondu {response.status_code}")
            queries = max(queries, len(captured.captured_queries))
        p50 = statistics.median(times) * 1000
        p95 = statistics.quantiles(times, n=20, method="inclusive")[18] * 1000
        if minimal is None:
            minimal = p95
        print(
            f"{label:<28} {p50:>6.1f}ms {p95:>6.1f}ms {max(times) * 1000:>6.0f}ms {queries:>5} {p95 / minimal:>12.1f}×"
        )
    print(f"Charge après : {open('/proc/loadavg').read().strip()}")  # noqa: SIM115
    return 0


if __name__ == "__main__":
    sys.exit(main())
