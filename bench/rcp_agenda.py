"""Benchmark of the RCP catalogue and agenda pages with a region-year of sessions.

Usage (from the repository root, with DATABASE_URL / REDIS_URL pointing at your servers):

    .venv/bin/python bench/rcp_agenda.py [--runs 40] [--keep]

It works on a database of its own (``<your database>_bench``, created and migrated when missing),
fills it once with the demo region plus 255 RCPs, ~8,300 sessions over a year and their attendance,
then requests each page through the full middleware stack (Django test client) and prints, per
page: the number of SQL queries, the median and p95 time, and the median's ratio to a minimal view.
Not a test: figures depend on the machine.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.databases import bench_database_url, ensure_database  # noqa: E402

TARGET_RCPS = 255
TARGET_SESSIONS = 8_300
TARGET_FICHES = 146_500


def setup_django() -> None:
    url = bench_database_url("bench")
    ensure_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dcc.settings.test")
    import django

    from dcc.embedded import configure_environment

    configure_environment()  # the embedded servers, when DATABASE_URL / REDIS_URL are unset
    django.setup()
    from django.conf import settings

    settings.ROOT_URLCONF = "bench.rcp_urls"
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["*"]


def populate() -> None:
    from io import StringIO

    from django.core.management import call_command
    from django.utils import timezone

    from dcc.directory.models import Establishment, Professional
    from rcp.enums import AttendanceMode, Nature, SessionStatus
    from rcp.models import Attendance, Rcp, RcpMember, Session, SpecialtyTag

    call_command("migrate", verbosity=0)
    if Session.objects.count() >= TARGET_SESSIONS:
        populate_dossiers()
        return
    started = time.monotonic()
    call_command("seed_demo", stdout=StringIO())
    rng = random.Random(42)
    establishments = list(Establishment.objects.filter(three_c__isnull=False))
    tags = list(SpecialtyTag.objects.all())
    professionals = list(Professional.objects.filter(specialty__code__startswith="G15_10/SM"))
    titles = [
        "Tumeurs digestives",
        "Sénologie",
        "Urologie",
        "Thorax",
        "Gynécologie",
        "ORL",
        "Hématologie",
        "Dermatologie",
        "Neuro-oncologie",
        "Sarcomes",
        "Thyroïde",
        "Oncogériatrie",
        "Soins de support",
    ]
    new_rcps = []
    for index in range(TARGET_RCPS - Rcp.objects.count()):
        establishment = establishments[index % len(establishments)]
        new_rcps.append(
            Rcp(
                title=f"{titles[index % len(titles)]} {index // len(titles) + 1}",
                three_c_id=establishment.three_c_id,
                establishment=establishment,
                nature=Nature.ORGANE,
            )
        )
    Rcp.objects.bulk_create(new_rcps)
    for rcp in new_rcps:
        rcp.tags.set(rng.sample(tags, 2))
    RcpMember.objects.bulk_create(
        [
            RcpMember(rcp=rcp, professional=professional, specialty_id=professional.specialty_id)
            for rcp in new_rcps
            for professional in rng.sample(professionals, 6)
        ],
        ignore_conflicts=True,
    )
    rcps = list(Rcp.objects.all())
    missing = TARGET_SESSIONS - Session.objects.count()
    today = timezone.localtime().replace(hour=13, minute=0, second=0, microsecond=0)
    sessions = []
    for index in range(missing):
        rcp = rcps[index % len(rcps)]
        starts = today + datetime.timedelta(days=rng.randint(-300, 65))
        past = starts < timezone.now()
        sessions.append(
            Session(
                rcp=rcp,
                starts_at=starts,
                ends_at=starts + datetime.timedelta(minutes=90),
                status=SessionStatus.CLOSED if past else SessionStatus.PLANNED,
            )
        )
    Session.objects.bulk_create(sessions, batch_size=2000)
    members: dict[int, list[RcpMember]] = {}
    for member in RcpMember.objects.all():
        members.setdefault(member.rcp_id, []).append(member)
    attendances = [
        Attendance(
            session=session,
            professional_id=m.professional_id,
            specialty_id=m.specialty_id,
            mode=rng.choice(AttendanceMode.values),
        )
        for session in sessions
        if session.status == SessionStatus.CLOSED
        for m in members.get(session.rcp_id, [])
    ]
    Attendance.objects.bulk_create(attendances, batch_size=5000, ignore_conflicts=True)
    print(f"Données créées en {time.monotonic() - started:.0f} s.")
    populate_dossiers()


def populate_dossiers() -> None:
    """A region-year of dossiers with their fiches (validated on past sessions), visible to their 3C."""
    from dcc.accounts.models import User
    from dcc.records.enums import CareRelationshipKind
    from dcc.records.models import CareRelationship
    from identity.models import Patient
    from rcp.enums import DossierMotive, DossierStatus, SessionStatus
    from rcp.models import Dossier, Fiche, RcpMember, Session

    missing = TARGET_FICHES - Dossier.objects.count()
    if missing <= 0:
        return
    started = time.monotonic()
    rng = random.Random(43)
    author = User.objects.get(email="medecin@demo.dcc.test")
    patients = list(Patient.objects.values_list("pk", flat=True))
    requesters: dict[int, list[int]] = {}
    for rcp_id, professional_id in RcpMember.objects.values_list("rcp_id", "professional_id"):
        requesters.setdefault(rcp_id, []).append(professional_id)
    sessions = list(
        Session.objects.exclude(status=SessionStatus.CANCELLED).values_list("pk", "rcp_id", "rcp__three_c_id", "status")
    )
    per_session = -(-missing // len(sessions))
    now = timezone_now()
    made = 0
    for chunk_start in range(0, len(sessions), 500):
        dossiers = []
        for session_id, rcp_id, three_c_id, status in sessions[chunk_start : chunk_start + 500]:
            for position in range(1, per_session + 1):
                if made >= missing or not requesters.get(rcp_id):
                    break
                made += 1
                closed = status == SessionStatus.CLOSED
                dossiers.append(
                    Dossier(
                        session_id=session_id,
                        patient_id=rng.choice(patients),
                        requesting_doctor_id=rng.choice(requesters[rcp_id]),
                        motive=DossierMotive.FIRST,
                        question="Stratégie ?",
                        status=DossierStatus.VALIDATED if closed else DossierStatus.REGISTERED,
                        position=position,
                        created_by=author,
                    )
                )
                dossiers[-1].three_c_id = three_c_id
        Dossier.objects.bulk_create(dossiers, batch_size=2000)
        Fiche.objects.bulk_create(
            [
                Fiche(
                    dossier=d,
                    topography_code="C18.7",
                    morphology_code="8140/3",
                    case_summary="Cas de banc d'essai.",
                    question=d.question,
                    treatments=[{"rank": 1, "code": "387713003", "detail": ""}],
                    guideline_conform=True,
                    quorum_reached=True if d.status == DossierStatus.VALIDATED else None,
                    validated_by=author if d.status == DossierStatus.VALIDATED else None,
                    validated_at=now if d.status == DossierStatus.VALIDATED else None,
                )
                for d in dossiers
            ],
            batch_size=2000,
        )
        CareRelationship.objects.bulk_create(
            [
                CareRelationship(
                    patient_id=d.patient_id,
                    kind=CareRelationshipKind.THREE_C,
                    three_c_id=d.three_c_id,
                    source=f"rcp.dossier:{d.pk}",
                )
                for d in dossiers
            ],
            batch_size=5000,
        )
    print(f"{made} dossiers et fiches créés en {time.monotonic() - started:.0f} s.")


def timezone_now():
    from django.utils import timezone

    return timezone.now()


def measure(client, url: str, runs: int) -> tuple[int, float, float]:
    from django.db import connection

    response = client.get(url)  # warm-up
    assert response.status_code == 200, (url, response.status_code)
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        client.get(url)
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    p95 = timings[max(0, round(0.95 * len(timings)) - 1)]
    return len(queries), statistics.median(timings), p95


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    setup_django()
    populate()

    from django.test import Client
    from django.utils import timezone

    from dcc.accounts.models import User
    from rcp.models import Attendance, Rcp, Session

    secretary = User.objects.get(email="secretaire.3c@demo.dcc.test")
    doctor = User.objects.get(email="medecin@demo.dcc.test")
    three_c_id = secretary.profile_grants.get().three_cs.get().pk
    rcp = Rcp.objects.filter(three_c_id=three_c_id).order_by("pk").first()
    session = (
        Session.objects.filter(rcp__three_c_id=three_c_id, attendances__isnull=False).order_by("-starts_at").first()
    )
    today = timezone.localdate().isoformat()
    from django.db.models import Count

    from rcp.models import Dossier, Fiche

    busy = (
        Session.objects.filter(rcp__three_c_id=three_c_id, status="ouverte")
        .annotate(n=Count("dossiers"))
        .order_by("-n")
        .first()
    )
    if busy is None:
        busy = Session.objects.filter(rcp__three_c_id=three_c_id, starts_at__gt=timezone.now()).order_by("starts_at")[0]
        busy.status = "ouverte"
        busy.save(update_fields=["status"])
    dossier = Dossier.objects.filter(session=busy).order_by("position").first()
    busy.current_dossier = dossier
    busy.save(update_fields=["current_dossier"])
    regular = (
        Dossier.objects.filter(session__rcp__three_c_id=three_c_id)
        .values("patient_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    print(
        f"Données : {Rcp.objects.count()} RCP, {Session.objects.count()} séances, "
        f"{Attendance.objects.count()} présences, {Fiche.objects.count()} fiches ; séance mesurée : "
        f"{busy.dossiers.count()} dossiers ; patient mesuré : {regular['n']} dossiers."
    )
    pages = [
        ("vue Django minimale", None, "/bench/minimal/"),
        ("catalogue (recherche « dig »)", doctor, "/rcp/?q=dig"),
        ("fiche d'une RCP", secretary, f"/rcp/{rcp.pk}/"),
        ("agenda du 3C (mois)", secretary, f"/rcp/agenda/?date={today}"),
        ("agenda du 3C (semaine)", secretary, f"/rcp/agenda/?vue=semaine&date={today}"),
        ("agenda de tous les 3C (mois, comptes)", secretary, f"/rcp/agenda/?3c=&date={today}"),
        ("agenda de tous les 3C (semaine)", secretary, f"/rcp/agenda/?vue=semaine&3c=&date={today}"),
        ("agenda du médecin (mois)", doctor, f"/rcp/agenda/?mes=1&date={today}"),
        ("page de séance", secretary, f"/rcp/seances/{session.pk}/"),
        ("séance avec ses dossiers", secretary, f"/rcp/seances/{busy.pk}/"),
        ("conduite de séance en direct", secretary, f"/rcp/seances/{busy.pk}/direct/"),
        ("dossier et sa fiche", secretary, f"/rcp/dossiers/{dossier.pk}/"),
        ("formulaire de fiche", secretary, f"/rcp/dossiers/{dossier.pk}/fiche/"),
        ("dossiers RCP d'un patient", secretary, f"/rcp/patients/{regular['patient_id']}/dossiers/"),
        ("flux ICS d'une RCP", None, f"/rcp/ics/rcp/{rcp.ics_token}.ics"),
    ]
    baseline = None
    print(f"{'page':38} {'requêtes':>8} {'médiane':>9} {'p95':>9} {'médiane / minimale':>19}")
    for label, user, url in pages:
        client = Client()
        if user:
            client.force_login(user)
        count, median, p95 = measure(client, url, args.runs)
        baseline = baseline or median
        print(f"{label:38} {count:>8} {median:>7.1f}ms {p95:>7.1f}ms {median / baseline:>9.0f}×")


if __name__ == "__main__":
    main()
