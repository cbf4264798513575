"""Benchmark of the dashboards at region scale, and of a large streamed export.

Usage (from the repository root, with DATABASE_URL / REDIS_URL pointing at your servers):

    .venv/bin/python bench/dashboards.py            # short: 3 years × 13,500 fiches (about 40,000), a minute or two
    .venv/bin/python bench/dashboards.py --full     # a region-decade: 10 years × 110,000 fiches (1.1 M), long
    .venv/bin/python bench/dashboards.py --years 10 --fiches-per-year 40000 [--runs 3]
        [--no-live] [--no-precompute] [--no-delays] [--keep-summary] [--export-rows N]

It works on a database of its own per size (``<your database>_dashbench_<years>y<fiches>``, created and migrated
when missing) and fills it once, in SQL (``INSERT … SELECT generate_series``), with 18 3C, 255 RCPs, weekly sessions
over the years, the presented dossiers with their validated fiche and signed version (at least one per session),
patients (about 60 % of the dossiers), PPS for a third of the fiches (each with one treatment EDP) and about 190
logins per 1,000 fiches.

Then it requests every dashboard page (region, one 3C, ten years) through the full middleware stack and prints,
against the minimal view ``/bench/minimal/`` measured in the same run: the RCP pages computed live (summary table
never built; ``--no-live`` skips them), every page read from the summary table with the cache emptied before each
request (median of ``--runs``), and every page pre-computed by the hourly beat task (``--no-precompute`` skips it);
also the summary table's full rebuild and one incremental refresh. ``--export-rows`` streams a registry CSV of that
many rows (padded with copies when the database holds fewer fiches) and prints the time and the peak Python memory.
Not a test: figures depend on the machine.
"""

from __future__ import annotations

import argparse
import datetime
import os
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.databases import bench_database_url, ensure_database  # noqa: E402


def setup_django(size: str) -> None:
    url = bench_database_url(f"dashbench_{size}")
    ensure_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dcc.settings.test")
    import django

    from dcc.embedded import configure_environment

    configure_environment()  # the embedded servers, when DATABASE_URL / REDIS_URL are unset
    django.setup()
    from django.conf import settings

    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["*"]


def _literal(field) -> str:
    """The SQL literal of a field's default (the columns a bulk INSERT … SELECT does not set)."""
    import json

    if field.has_default():
        value = field.get_default()
        if isinstance(value, list | dict):
            return "'" + json.dumps(value).replace("'", "''") + "'::jsonb"
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return str(value)
        if isinstance(value, str):
            return "'" + value.replace("'", "''") + "'"
        if isinstance(value, datetime.datetime):
            return "now()"
    if field.null:
        return "NULL"
    if field.get_internal_type() in ("CharField", "TextField", "SlugField", "EmailField", "URLField", "FileField"):
        return "''"
    if field.get_internal_type() == "JSONField":
        return "'[]'::jsonb"
    if field.get_internal_type() == "BooleanField":
        return "false"
    if field.get_internal_type() == "DateTimeField":
        return "now()"
    raise ValueError(f"{field.model.__name__}.{field.name} needs a value")


def insert_select(model, values: dict[str, str], source: str) -> int:
    """``INSERT INTO <model> (every column) SELECT <values or defaults> <source>``; returns the row count."""
    from django.db import connection

    columns, expressions = [], []
    for field in model._meta.concrete_fields:
        if field.primary_key or getattr(field, "generated", False):
            continue
        columns.append(connection.ops.quote_name(field.column))
        expressions.append(values.get(field.column) or _literal(field))
    sql = f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) SELECT {', '.join(expressions)} {source}"
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.rowcount


def populate(years: int, fiches_per_year: int) -> None:
    from io import StringIO

    from django.core.management import call_command
    from django.db import connection

    from dcc.accounts.models import ProfileGrant, User
    from dcc.directory.models import Establishment, Professional, ThreeC
    from dcc.records.models import AccessTrail
    from identity.models import Patient
    from pps.models import Pps
    from rcp.models import Dossier, Fiche, FicheVersion, Rcp, Session

    call_command("migrate", verbosity=0, stdout=StringIO())
    if Rcp.objects.exists():
        print(f"Base déjà remplie : {Fiche.objects.count():,} fiches, {Session.objects.count():,} séances.")
        return
    started = time.monotonic()
    three_cs = [ThreeC.objects.create(name=f"3C banc {n:02}", code=f"banc-{n:02}") for n in range(18)]
    establishments = [
        Establishment.objects.create(
            finess_geo=f"86{n:07}", name=f"CH BANC {n:02}", kind="ch", town="Poitiers", three_c=three_cs[n % 18]
        )
        for n in range(36)
    ]
    organs = ["digestif", "sein", "poumon", "appareil urinaire", "gynécologique", "hématologie", "ORL"]
    Rcp.objects.bulk_create(
        [
            Rcp(
                title=f"RCP banc {n}",
                three_c=establishments[n % 36].three_c,
                establishment=establishments[n % 36],
                organ=organs[n % len(organs)],
            )
            for n in range(255)
        ]
    )
    doctor = Professional.objects.create(
        rpps="10999999999", last_name="BANC", first_name="Marc", profession="10", is_liberal=True
    )
    user = User.objects.create_user(email="banc@bench.dcc.test", password=None, professional=doctor)
    registry = User.objects.create_user(email="registre@bench.dcc.test", password=None)
    ProfileGrant.objects.create(user=registry, profile="registre")
    secretary = User.objects.create_user(email="sec3c@bench.dcc.test", password=None)
    ProfileGrant.objects.create(user=secretary, profile="secretaire_3c").three_cs.add(three_cs[0])
    first_day = datetime.date(datetime.date.today().year - years + 1, 1, 1)
    weeks = years * 52
    total_fiches = years * fiches_per_year
    patients = int(total_fiches * 0.6)
    insert_select(
        Patient,
        {
            "birth_name": "'PATIENT' || g",
            "first_given_name": "'CLAUDE'",
            "given_names": "'CLAUDE'",
            "sex": "CASE WHEN g % 2 = 0 THEN 'F' ELSE 'M' END",
            "birth_date": "date '1930-01-01' + (g % 25000)",
            "birth_place_code": "'86194'",
            "rniv_status": "'provisoire'",
            "origin": "CASE WHEN g % 3 = 0 THEN 'interop' ELSE 'ui' END",
            "created_at": f"timestamp '{first_day}' + (g % ({years} * 365)) * interval '1 day'",
            "updated_at": "now()",
            "created_by_id": str(user.pk),
        },
        f"FROM generate_series(1, {patients}) g",
    )
    first_rcp = Rcp.objects.order_by("pk").first().pk
    insert_select(
        Session,
        {
            "rcp_id": f"{first_rcp} + r",
            "starts_at": f"timestamp '{first_day} 13:00' + w * interval '7 days'",
            "ends_at": f"timestamp '{first_day} 15:00' + w * interval '7 days'",
            "status": "CASE WHEN (r + w) % 50 = 0 THEN 'annulee' ELSE 'cloturee' END",
            "cancel_reason": "CASE WHEN (r + w) % 50 = 0 THEN 'Jour férié' ELSE '' END",
        },
        f"FROM generate_series(0, 254) r, generate_series(0, {weeks - 1}) w",
    )
    per_session = max(1, round(total_fiches / (255 * weeks)))
    first_patient = Patient.objects.order_by("pk").first().pk
    insert_select(
        Dossier,
        {
            "session_id": "s.id",
            "patient_id": f"{first_patient} + ((s.id * 7919 + k * 104729) % {patients})",
            "requesting_doctor_id": str(doctor.pk),
            "motive": "'premiere'",
            "question": "'?'",
            "status": "'valide'",
            "position": "k",
            "created_by_id": str(user.pk),
            "created_at": "s.starts_at",
        },
        f"FROM rcp_session s, generate_series(1, {per_session}) k WHERE s.status = 'cloturee'",
    )
    insert_select(
        Fiche,
        {
            "dossier_id": "d.id",
            "topography_code": "'C18.7'",
            "morphology_code": "'8140/3'",
            "tnm_t": "'T2'",
            "diagnosis_date": "(s.starts_at - interval '30 days')::date",
            "quorum_reached": "(d.id % 20 <> 0)",
            "off_quorum_reason": "CASE WHEN d.id % 20 = 0 THEN 'Absent' ELSE '' END",
            "guideline_conform": "(d.id % 10 <> 0)",
            "guideline_justification": "CASE WHEN d.id % 10 = 0 THEN 'Comorbidités' ELSE '' END",
            "clinical_trial_proposed": "(d.id % 13 = 0)",
            "validated_at": "s.starts_at + interval '2 hours'",
            "validated_by_id": str(user.pk),
            "updated_at": "s.starts_at",
        },
        "FROM rcp_dossier d JOIN rcp_session s ON s.id = d.session_id",
    )
    insert_select(
        FicheVersion,
        {
            "fiche_id": "f.id",
            "version": "1",
            "content": "'{}'::jsonb",
            "signed_by_id": str(user.pk),
            "signed_at": "f.validated_at",
            "quorum_reached": "f.quorum_reached",
        },
        "FROM rcp_fiche f",
    )
    insert_select(
        Pps,
        {
            "patient_id": "d.patient_id",
            "status": "'validated'",
            "rcp_fiche_id": "f.id",
            "author_id": str(user.pk),
            "author_profile": "'annonce_pps'",
            "three_c_id": "r.three_c_id",
            "establishment_id": "r.establishment_id",
            "created_at": "f.validated_at",
            "validated_at": "f.validated_at + interval '10 days'",
        },
        "FROM rcp_fiche f JOIN rcp_dossier d ON d.id = f.dossier_id JOIN rcp_session s ON s.id = d.session_id "
        "JOIN rcp_rcp r ON r.id = s.rcp_id WHERE f.id % 3 = 0",
    )
    logins = total_fiches * 19 // 100
    insert_select(
        AccessTrail,
        {
            "at": f"timestamp '{first_day} 08:00' + (g % ({years} * 365)) * interval '1 day'",
            "user_id": str(user.pk),
            "user_label": "'banc'",
            "action": "'login'",
            "connection_method": "(ARRAY['password','otp','psc','contextual'])[1 + g % 4]",
        },
        f"FROM generate_series(1, {logins}) g",
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"Base remplie en {time.monotonic() - started:.0f} s : {Fiche.objects.count():,} fiches, "
        f"{Session.objects.count():,} séances, {patients:,} patients, {logins:,} connexions."
    )


def add_treatments() -> None:
    """One treatment EDP per PPS (surgery or chemotherapy, 5–44 days after the session), for the delays page's
    « RCP → traitement »; added once, also to a database filled before this step existed."""
    from django.db import connection

    from pps.models import PpsElement

    if PpsElement.objects.exists():
        return
    started = time.monotonic()
    added = insert_select(
        PpsElement,
        {
            "pps_id": "p.id",
            "kind": "CASE WHEN p.id % 2 = 0 THEN 'chirurgie' ELSE 'chimiotherapie' END",
            "planned_date": "(p.validated_at - interval '10 days')::date + 5 + (p.id % 40)::integer",
            "position": "1",
        },
        "FROM pps_pps p WHERE p.programme = 'pps'",
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE pps_ppselement")
    print(f"EDP de traitement ajoutés : {added:,} en {time.monotonic() - started:.0f} s")


def measure_pages(runs: int, *, live: bool, precompute: bool, delays: bool, rebuild: bool = True) -> None:
    """Each page against the minimal view (``/bench/minimal/``, same middleware stack, same run): computed live
    (the summary table never built: one run, the RCP pages only, unless ``--no-live``), from the summary table
    (cache emptied before every request), and pre-computed (after the hourly beat task filled the cache)."""
    from django.conf import settings
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from dcc.accounts.models import User
    from dcc.dashboards.cached import refresh_summaries
    from dcc.dashboards.models import DossierFact, SummaryRefresh
    from dcc.dashboards.summary import facts_refresh
    from dcc.directory.models import ThreeC

    settings.ROOT_URLCONF = "bench.rcp_urls"
    year = datetime.date.today().year - 1
    first_three_c = ThreeC.objects.order_by("pk").first().pk
    pages = [
        f"/tableaux-de-bord/theme/{slug}/?annee={year}"
        for slug in ("rcp", "documents", "identites", "connexions", "notifications")
    ]
    pages += [
        f"/tableaux-de-bord/theme/rcp/?annee={year}&3c={first_three_c}",
        f"/tableaux-de-bord/theme/rcp/?debut={year - 9}-01-01&fin={year}-12-31",
        f"/tableaux-de-bord/indemnisation/?annee={year}",
    ]
    if delays:  # from the summary table (the first presentations) and the PPS (first treatments)
        pages.append(f"/tableaux-de-bord/delais/?annee={year}")
    client = Client()
    client.force_login(User.objects.get(email="registre@bench.dcc.test"))

    def get(url):
        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            response = client.get(url, HTTP_HOST="127.0.0.1")
            elapsed = time.perf_counter() - began
        assert response.status_code == 200, (url, response.status_code)
        return elapsed, len(captured.captured_queries)

    def uncached(url):
        cache.clear()
        return get(url)

    get("/bench/minimal/")
    minimal = statistics.median(get("/bench/minimal/")[0] for _ in range(max(runs, 5)))
    print(f"\nVue minimale (/bench/minimal/, même pile de middlewares) : {minimal * 1000:.1f} ms")
    cold = {}
    if live:
        SummaryRefresh.objects.all().delete()  # the pages read live until the table is built
        cold = {url: uncached(url) for url in pages if "/theme/rcp/" in url}
    if rebuild or not SummaryRefresh.objects.exists():
        began = time.perf_counter()
        built = facts_refresh(full=True)
        print(
            f"Tables de synthèse reconstruites : {built['rows']:,} dossiers, {built['documents']:,} documents en "
            f"{time.perf_counter() - began:.1f} s ({DossierFact.objects.count():,} lignes)"
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE dashboards_dossierfact")
        cursor.execute("SELECT max(id) FROM rcp_dossier")
        last = cursor.fetchone()[0]
        cursor.execute("UPDATE rcp_fiche SET updated_at = now() WHERE dossier_id = %s", [last])
    began = time.perf_counter()
    step = facts_refresh()
    print(
        f"Rafraîchissement incrémental (une fiche modifiée) : {step['months']} mois, "
        f"{time.perf_counter() - began:.2f} s"
    )
    summary_times = {}
    for url in pages:
        summary_times[url] = sorted(uncached(url) for _ in range(runs))[runs // 2]
        print(f"  {url} : {summary_times[url][0] * 1000:.0f} ms", flush=True)
    if precompute:
        began = time.perf_counter()
        refreshed = refresh_summaries(years=(year,))
        print(
            f"Tâche de pré-calcul (région + {ThreeC.objects.count()} 3C, {refreshed} thèmes) : "
            f"{time.perf_counter() - began:.0f} s"
        )
    print(
        f"\n{'page':<64} {'direct':>9} {'synthèse':>9} {'req.':>5} {'/minimale':>10} "
        f"{'pré-calculé':>12} {'/minimale':>10}"
    )
    for url in pages:
        warm = statistics.median(get(url)[0] for _ in range(runs)) if precompute else None
        direct = f"{cold[url][0] * 1000:>6.0f} ms" if url in cold else f"{'—':>9}"
        elapsed, queries = summary_times[url]
        cached = f"{warm * 1000:>9.0f} ms {warm / minimal:>9.0f}×" if warm else f"{'—':>12} {'—':>10}"
        print(f"{url:<64} {direct} {elapsed * 1000:>6.0f} ms {queries:>5} {elapsed / minimal:>9.0f}× {cached}")


def measure_export(rows: int) -> None:
    from dcc.dashboards.enums import ExportKind
    from dcc.dashboards.exports import DETAIL_EXPORTS
    from dcc.dashboards.filters import StatsScope
    from dcc.dashboards.writers import write_csv

    class Sink:
        size = 0

        def write(self, chunk):
            self.size += len(chunk)

    definition = DETAIL_EXPORTS[ExportKind.REGISTRY]
    scope = StatsScope(start=datetime.date(2000, 1, 1), end=datetime.date.today())
    columns = definition.columns(pseudonymised=True)

    def source():
        produced = 0
        last = None
        for row in definition.rows(scope, pseudonymised=True):
            produced += 1
            last = row
            yield row
            if produced >= rows:
                return
        while produced < rows and last is not None:  # pad with copies of the last row (the writer's side)
            produced += 1
            yield last

    sink = Sink()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    marks = []

    def progress(done):
        if done % 200_000 == 0:
            marks.append((done, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))

    began = time.perf_counter()
    written = write_csv(sink, columns, source(), progress=progress)
    elapsed = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        f"\nExport registre CSV pseudonymisé : {written:,} lignes, {sink.size / 1e6:.0f} Mo en {elapsed:.0f} s ; "
        f"pic de mémoire du processus {before / 1024:.0f} Mo avant, {after / 1024:.0f} Mo après"
    )
    for done, rss in marks:
        print(f"  après {done:>9,} lignes : pic {rss / 1024:.0f} Mo")


SHORT = {"years": 3, "fiches_per_year": 13_500}
FULL = {"years": 10, "fiches_per_year": 110_000}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="a region-decade: 10 years × 110,000 fiches (long)")
    parser.add_argument("--years", type=int)
    parser.add_argument("--fiches-per-year", type=int)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--export-rows", type=int, default=0, help="also stream a registry CSV of that many rows")
    parser.add_argument("--skip-pages", action="store_true", help="only the streamed export")
    parser.add_argument("--no-live", action="store_true", help="skip the pages computed live (minutes at full size)")
    parser.add_argument(
        "--no-precompute",
        action="store_true",
        help="skip the hourly pre-computation (region + 18 3C: long at full size)",
    )
    parser.add_argument("--no-delays", action="store_true", help="skip the delays page")
    parser.add_argument(
        "--keep-summary", action="store_true", help="keep the summary tables of a previous run (no full rebuild)"
    )
    args = parser.parse_args()
    size = FULL if args.full else SHORT
    years = args.years or size["years"]
    per_year = args.fiches_per_year or size["fiches_per_year"]
    setup_django(f"{years}y{per_year}")
    populate(years, per_year)
    add_treatments()
    if not args.skip_pages:
        measure_pages(
            args.runs,
            live=not args.no_live,
            precompute=not args.no_precompute,
            delays=not args.no_delays,
            rebuild=not args.keep_summary,
        )
    if args.export_rows:
        measure_export(args.export_rows)


if __name__ == "__main__":
    main()
