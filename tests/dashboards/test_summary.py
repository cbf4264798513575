"""The RCP summary table (``dcc.dashboards.summary``): the same figures as the live selectors, hand-counted on the
small region of ``tests/dashboards/factories.py``; an idempotent, incremental refresh; a refresh queued by writes."""

from __future__ import annotations

import datetime

import pytest

from dcc.dashboards import figures, summary, tasks
from dcc.dashboards.filters import StatsScope
from dcc.dashboards.models import DossierFact, SummaryRefresh
from rcp import dashboard_selectors as live
from rcp.enums import DossierStatus
from rcp.models import Dossier, DossierTransition

pytestmark = pytest.mark.django_db

Y2025 = {"start": datetime.date(2025, 1, 1), "end": datetime.date(2025, 12, 31)}
READERS = ("activity", "per_rcp", "per_three_c", "age_sex", "per_month", "per_year")


def fact_rows() -> list[tuple]:
    return list(DossierFact.objects.order_by("dossier_id").values_list())


def scopes(world) -> list[StatsScope]:
    personas = world.personas
    return [
        StatsScope(**Y2025),
        StatsScope(**Y2025).previous(),
        StatsScope(start=datetime.date(2024, 1, 1), end=datetime.date(2025, 12, 31)),
        StatsScope(start=datetime.date(2025, 3, 1), end=datetime.date(2025, 4, 30)),
        StatsScope(start=datetime.date(2025, 3, 5), end=datetime.date(2025, 6, 20)),  # not whole months: no roll-up
        StatsScope(**Y2025, three_c_ids=frozenset({personas.other_three_c.pk})),
        StatsScope(**Y2025, three_c_ids=frozenset({personas.three_c.pk, personas.other_three_c.pk})),
        StatsScope(**Y2025, rcp_id=world.rcp_a.pk),
        StatsScope(**Y2025, organ="SEIN"),
        StatsScope(**Y2025, establishment_id=personas.hospital.pk),
    ]


def test_the_summary_answers_what_the_live_selectors_answer(world):
    assert figures.rcp_source() is live  # never built: the pages compute live
    assert summary.facts_refresh() == {"status": "done", "months": 0, "rows": 7, "documents": 10, "full": True}
    assert figures.rcp_source() is summary
    for scope in scopes(world):
        for name in READERS:
            assert getattr(summary, name)(**scope.filters()) == getattr(live, name)(**scope.filters()), (name, scope)
        periods = (scope.filters(), scope.previous().filters(), {**scope.filters(), "start": scope.end})
        assert summary.activities(*periods) == live.activities(*periods), scope
        for name in ("per_rcp", "per_three_c"):  # counts only (the year before): no distinct patients
            counted = getattr(summary, name)(**scope.filters(), patients=False)
            assert counted == getattr(live, name)(**scope.filters(), patients=False), (name, scope)
            assert all(row["patients"] is None for row in counted)


def test_the_rcp_theme_from_the_summary_gives_the_hand_counted_figures(world):
    summary.facts_refresh()
    tables = {table.slug: table for table in figures.rcp_tables(StatsScope(**Y2025))}
    rows = {row[0]: row[1:] for row in tables["activite-rcp"].rows}
    # 2025: p1 (a1, a2), p2 (a1), p4 (b1) presented; p3 postponed does not count. 2024: p2 (a0), p4 (b0, b00).
    assert rows["Dossiers présentés"] == [4, None, 3, 33.3]
    assert rows["Patients distincts présentés"][0::2] == [3, 2]
    assert rows["Patients présentés plusieurs fois"] == [1, 33.3, 1, 0.0]
    assert rows["Fiches RCP validées"][0] == 3
    assert rows["Fiches validées avec quorum"][0:2] == [2, 66.7]
    assert rows["Fiches validées hors quorum"][0] == 1
    assert rows["Propositions conformes au référentiel"][0] == 1
    assert rows["Propositions non conformes au référentiel"][0] == 1
    assert rows["Essais cliniques proposés"][0] == 1
    assert rows["Séances tenues (clôturées)"][0::2] == [3, 3]
    per_three_c = {row[0]: row[1:] for row in tables["rcp-par-3c"].rows}
    assert per_three_c["3C Vienne (test)"] == [2, 3, 2, 1, 200.0]
    ages = {row[0]: row[1:] for row in tables["rcp-age-sexe"].rows}
    assert ages["75 à 84 ans"] == [2, 0, 0, 2, 1]  # p1, born 1950, twice in 2025
    assert ages["85 ans et plus"] == [1, 0, 0, 1, 1]  # p4, born 1940-02-02, on 2025-04-01
    months = {row[0]: row[1:] for row in tables["rcp-par-mois"].rows}
    assert months["mars 2025"] == [2, 1, 100.0]
    assert {row[0]: row[1:] for row in tables["rcp-par-annee"].rows}["2024"] == [3, 3]
    live_tables = figures.rcp_tables(StatsScope(**Y2025), live=True)
    assert [table.rows for table in live_tables] == [table.rows for table in tables.values()]


def test_the_refresh_is_idempotent(world):
    summary.facts_refresh()
    first = fact_rows()
    assert summary.facts_refresh(full=True)["rows"] == 7
    assert fact_rows() == first
    again = summary.facts_refresh()  # nothing written since: no month rewritten
    assert (again["months"], again["rows"], again["full"]) == (0, 0, False)
    assert fact_rows() == first
    # Rewriting a month that did not change gives the same rows.
    assert summary.facts_refresh(months=[datetime.date(2025, 3, 1)])["rows"] == 2
    assert fact_rows() == first


def test_the_incremental_refresh_rewrites_only_the_months_written_to(world):
    summary.facts_refresh()
    state = SummaryRefresh.objects.get()
    march = Dossier.objects.get(session=world.sessions["a1"], patient=world.patients["p2"])
    Dossier.objects.filter(pk=march.pk).update(status=DossierStatus.TO_REPRESENT)
    DossierTransition.objects.create(
        dossier=march, from_status=DossierStatus.PRESENTED, to_status=DossierStatus.TO_REPRESENT
    )
    assert summary.changed_months(state.watermark) == [datetime.date(2025, 3, 1)]
    result = summary.facts_refresh()
    assert (result["months"], result["rows"]) == (1, 2)
    assert summary.activity(**StatsScope(**Y2025).filters())["dossiers"] == 4  # à représenter still counts
    Dossier.objects.filter(pk=march.pk).update(status=DossierStatus.POSTPONED)
    DossierTransition.objects.create(dossier=march, from_status=DossierStatus.TO_REPRESENT, to_status="reporte")
    summary.facts_refresh()
    assert summary.activity(**StatsScope(**Y2025).filters())["dossiers"] == 3
    assert not DossierFact.objects.filter(dossier_id=march.pk).exists()
    assert summary.activity(**StatsScope(**Y2025).filters()) == live.activity(**StatsScope(**Y2025).filters())


def test_a_write_queues_one_refresh_on_commit(world, monkeypatch, django_capture_on_commit_callbacks):
    from django.core.cache import cache

    queued = []
    monkeypatch.setattr(tasks.refresh_facts, "apply_async", lambda *args, **kwargs: queued.append(args))
    cache.delete(tasks.QUEUED_KEY)
    dossier = Dossier.objects.filter(session=world.sessions["a1"]).first()
    with django_capture_on_commit_callbacks(execute=True):
        DossierTransition.objects.create(dossier=dossier, from_status="valide", to_status="valide")
        DossierTransition.objects.create(dossier=dossier, from_status="valide", to_status="valide")
    assert queued == [()]  # two writes, one refresh
    monkeypatch.setattr(summary, "facts_refresh", lambda **kwargs: {"status": "done"})
    tasks.refresh_facts()  # the task clears the mark: the next write queues again
    with django_capture_on_commit_callbacks(execute=True):
        DossierTransition.objects.create(dossier=dossier, from_status="valide", to_status="valide")
    assert queued == [(), ()]


def test_a_second_refresh_waits_for_none_while_one_runs(world):
    from django.db import connections

    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [summary.LOCK_KEY])
        assert summary.facts_refresh()["status"] == "busy"
        assert not SummaryRefresh.objects.exists()
    finally:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [summary.LOCK_KEY])
        other.close()
    assert summary.facts_refresh()["status"] == "done"


def test_a_session_moved_to_another_month_leaves_both_months_right(world):
    from rcp.models import Session, SessionTransition

    summary.facts_refresh()
    moved = world.sessions["a2"]  # 10/06/2025, p1 validated
    Session.objects.filter(pk=moved.pk).update(
        starts_at=moved.starts_at + datetime.timedelta(days=30), ends_at=moved.ends_at + datetime.timedelta(days=30)
    )
    SessionTransition.objects.create(session=moved, from_status=moved.status, to_status=moved.status, note="Déplacée")
    result = summary.facts_refresh()
    assert result["months"] == 1  # July, where the session now is
    months = dict(summary.per_month(**StatsScope(**Y2025).filters()))
    assert months.get(datetime.date(2025, 6, 1)) is None and months[datetime.date(2025, 7, 1)] == 1
    for scope in (StatsScope(**Y2025), StatsScope(start=datetime.date(2025, 6, 1), end=datetime.date(2025, 7, 31))):
        for name in READERS:
            assert getattr(summary, name)(**scope.filters()) == getattr(live, name)(**scope.filters()), name


def test_a_write_never_fails_for_the_refresh_it_asks_for(world, monkeypatch, django_capture_on_commit_callbacks):
    from django.core.cache import cache

    def broker_away(*args, **kwargs):
        raise ConnectionRefusedError

    dossier = Dossier.objects.filter(session=world.sessions["a1"]).first()
    cache.delete(tasks.QUEUED_KEY)
    monkeypatch.setattr(tasks.refresh_facts, "apply_async", broker_away)
    with django_capture_on_commit_callbacks(execute=True):
        DossierTransition.objects.create(dossier=dossier, from_status="valide", to_status="valide")
    monkeypatch.setattr(tasks.cache, "add", broker_away)  # the cache away too
    with django_capture_on_commit_callbacks(execute=True):
        DossierTransition.objects.create(dossier=dossier, from_status="valide", to_status="valide")
    assert DossierTransition.objects.filter(dossier=dossier, note="").count() >= 2


def test_the_delays_from_the_summary_equal_the_live_ones(world):
    from dcc.dashboards import delays

    live_delays = {scope: delays.patient_delays(scope) for scope in scopes(world)}
    summary.facts_refresh()
    assert figures.rcp_source() is summary
    for scope in [*scopes(world), StatsScope(start=datetime.date(2024, 4, 1), end=datetime.date(2024, 12, 31))]:
        assert summary.first_presentations(**scope.filters()) == live.first_presentations(**scope.filters()), scope
    for scope, expected in live_delays.items():
        assert delays.patient_delays(scope) == expected, scope
        assert [delay.patient_id for delay in expected] == sorted(delay.patient_id for delay in expected)
        assert delays._unpack(delays._pack(expected)) == expected  # the cached form gives the same delays
    assert delays.cached_patient_delays(StatsScope(**Y2025)) == delays.cached_patient_delays(StatsScope(**Y2025))
    # The hand-counted case (tests/dashboards/test_tools.py): p1 alone is first presented in 2025.
    (p1,) = delays.patient_delays(StatsScope(**Y2025))
    assert (p1.patient_id, p1.three_c, p1.organ, p1.to_rcp, p1.to_treatment) == (
        world.patients["p1"].pk,
        "3C Vienne (test)",
        "digestif",
        68,
        43,
    )
    # 2024: p2 (RCP A) and p4 (RCP B, presented twice); from April, p4 only (p2 was presented in March).
    first_2024 = summary.first_presentations(start=datetime.date(2024, 1, 1), end=datetime.date(2024, 12, 31))
    assert {pk: row["first_rcp"] for pk, row in first_2024.items()} == {
        world.patients["p2"].pk: datetime.date(2024, 3, 11),
        world.patients["p4"].pk: datetime.date(2024, 4, 2),
    }
    assert list(summary.first_presentations(start=datetime.date(2024, 4, 1), end=datetime.date(2024, 12, 31))) == [
        world.patients["p4"].pk
    ]


def test_a_diagnosis_date_corrected_on_the_fiche_reaches_the_delays(world):
    from rcp.models import Fiche

    summary.facts_refresh()
    fiche = Fiche.objects.get(dossier__session=world.sessions["a1"], dossier__patient=world.patients["p1"])
    fiche.diagnosis_date = datetime.date(2025, 2, 1)
    fiche.save()
    summary.facts_refresh()
    first = summary.first_presentations(**Y2025)
    assert first[world.patients["p1"].pk]["diagnosis"] == datetime.date(2025, 2, 1)
    assert first == live.first_presentations(**Y2025)


def test_the_documents_theme_from_the_summary_equals_the_live_one(world):
    from pps import dashboard_selectors as pps

    def live_documents(**filters):
        programmes = pps.programmes_produced(**filters)
        return {
            "fiche": live.fiches_produced(**filters),
            "concertation": live.concertations_produced(**filters),
            "pps": programmes["pps"],
            "ppac": programmes["ppac"],
        }

    live_tables = [table.rows for table in figures.documents_tables(StatsScope(**Y2025))]
    summary.facts_refresh()
    for scope in scopes(world):
        assert summary.documents_produced(**scope.filters()) == live_documents(**scope.filters()), scope
    # 2025: fiche versions of d1 (v1, v2), d2 (a2), b1 — p1 and p4; p2's concertation; p1's PPS and PPAC.
    assert summary.documents_produced(**Y2025) == {
        "fiche": (4, 2),
        "concertation": (1, 1),
        "pps": (1, 1),
        "ppac": (1, 1),
    }
    assert [table.rows for table in figures.documents_tables(StatsScope(**Y2025))] == live_tables


def test_a_document_signed_after_the_refresh_is_counted_by_the_next_one(world):
    from django.utils import timezone

    from rcp.models import FicheVersion

    summary.facts_refresh()
    today = timezone.localdate()
    span = {"start": today.replace(day=1), "end": today}
    before = summary.documents_produced(**span)["fiche"]
    version = FicheVersion.objects.order_by("pk").first()
    FicheVersion.objects.create(
        fiche=version.fiche, version=9, content={}, signed_by=version.signed_by, signed_at=timezone.now()
    )
    assert summary.documents_produced(**span)["fiche"] == before  # not yet refreshed
    result = summary.facts_refresh()
    assert (result["full"], result["documents"]) == (False, 1)
    assert summary.documents_produced(**span)["fiche"] == live.fiches_produced(**span) == (before[0] + 1, 1)
    again = summary.facts_refresh()  # nothing written since: the month is not rewritten
    assert again["documents"] == 0


def test_the_delays_follow_an_earlier_dossier_withdrawn_and_a_pps_validated_after_the_refresh(world):
    from dcc.dashboards import delays
    from pps.models import Pps
    from tests.pps.factories import PpsElementFactory, PpsFactory

    summary.facts_refresh()
    year = StatsScope(**Y2025)
    # p2's only 2024 dossier is postponed: p2's first presentation is now 10/03/2025.
    earlier = Dossier.objects.get(session=world.sessions["a0"], patient=world.patients["p2"])
    Dossier.objects.filter(pk=earlier.pk).update(status=DossierStatus.POSTPONED)
    DossierTransition.objects.create(dossier=earlier, from_status=DossierStatus.VALIDATED, to_status="reporte")
    # and a PPS with a surgery on 20/03/2025 is validated for p1 (before the trial EDP of 22/04).
    from django.utils import timezone

    pps = PpsFactory(
        patient=world.patients["p1"],
        three_c=world.personas.three_c,
        validated_at=timezone.now(),
        author=earlier.created_by,
    )
    PpsElementFactory(pps=pps, kind="chirurgie", planned_date=datetime.date(2025, 3, 20))
    assert Pps.objects.filter(patient=world.patients["p1"]).count() == 3
    stale = {item.patient_id: item for item in delays.patient_delays(year)}
    assert world.patients["p2"].pk not in stale and stale[world.patients["p1"].pk].to_treatment == 43
    summary.facts_refresh()
    fresh = {item.patient_id: item for item in delays.patient_delays(year)}
    assert fresh[world.patients["p1"].pk].to_treatment == 10  # 10/03 → 20/03
    assert fresh[world.patients["p2"].pk].first_rcp == datetime.date(2025, 3, 10)
    assert summary.first_presentations(**year.filters()) == live.first_presentations(**year.filters())
    SummaryRefresh.objects.all().delete()  # live again
    assert {item.patient_id: item for item in delays.patient_delays(year)} == fresh


@pytest.mark.django_db(transaction=True)
def test_a_committed_refresh_leaves_the_facts_readable_from_their_indexes_alone():
    """The distinct patients are counted with index-only scans: every page of the facts must be all-visible once a
    refresh has committed, or each scan reads the table too (a region-decade's ten-year page: 1 s → 3 s)."""
    from django.db import connection

    from tests.dashboards.factories import build_world
    from tests.personas import build_personas

    build_world(build_personas())
    assert summary.facts_refresh()["status"] == "done"
    with connection.cursor() as cursor:
        cursor.execute("SELECT relpages, relallvisible FROM pg_class WHERE oid = 'dashboards_dossierfact'::regclass")
        pages, all_visible = cursor.fetchone()
    assert pages >= 1 and all_visible == pages
