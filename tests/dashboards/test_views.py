"""The dashboards' pages: who may open them, what a 3C secretary sees, bad input, exports, query budgets."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from dcc.dashboards.enums import ExportKind
from dcc.dashboards.models import DataExport
from tests.helpers import assert_access

pytestmark = pytest.mark.django_db

STATS = ("secretary_3c", "registry", "admin")
EXPORT = ("secretary_3c", "registry", "admin")


@pytest.mark.parametrize("slug", ["rcp", "documents", "identites", "connexions", "notifications"])
def test_theme_pages_allow_the_statistics_profiles_only(client, personas, slug):
    assert_access(client, personas, reverse("dashboards:theme", args=[slug]) + "?annee=2025", allowed=STATS)


def test_index_and_tools_pages(client, personas):
    assert_access(client, personas, reverse("dashboards:index"), allowed=STATS, ok_status=302)
    assert_access(client, personas, reverse("dashboards:tools"), allowed=STATS)


def test_exports_pages_need_the_export_right(client, personas):
    assert_access(client, personas, reverse("dashboards:exports"), allowed=EXPORT)
    assert_access(client, personas, reverse("dashboards:exports_status"), allowed=EXPORT)
    url = reverse("dashboards:export_table", args=["activite-rcp", "csv"]) + "?annee=2025"
    assert_access(client, personas, url, allowed=EXPORT)


def test_the_registry_sees_the_region_with_its_variation(client, world):
    client.force_login(world.personas["registry"])
    response = client.get(reverse("dashboards:theme", args=["rcp"]), {"annee": 2025})
    page = response.content.decode()
    assert response.status_code == 200
    assert "3C Landes (test)" in page and "3C Vienne (test)" in page
    assert "+33,3 %" in page  # dossiers presented 4 vs 3
    assert 'id="chart-data-rcp-par-3c"' in page
    assert "vendor/chartjs/chart.umd.min" in page
    assert "<script>" not in page  # CSP: no inline script, the chart data are JSON blocks


def test_a_3c_secretary_never_sees_another_3c(client, world):
    client.force_login(world.personas["secretary_3c"])
    response = client.get(reverse("dashboards:theme", args=["rcp"]), {"annee": 2025})
    page = response.content.decode()
    assert response.status_code == 200
    assert "3C Landes (test)" not in page
    assert "RCP sein" not in page
    table = {t.slug: t for t in response.context["tables"]}["activite-rcp"]
    assert table.rows[2][1] == 3  # her 3 dossiers, not the region's 4
    other = world.personas.other_three_c.pk
    assert client.get(reverse("dashboards:theme", args=["rcp"]), {"annee": 2025, "3c": other}).status_code == 403
    assert client.get(reverse("dashboards:theme", args=["rcp"]), {"rcp": world.rcp_b.pk}).status_code == 403
    hospital = world.personas.other_hospital.pk
    assert client.get(reverse("dashboards:theme", args=["rcp"]), {"etablissement": hospital}).status_code == 403
    export = reverse("dashboards:export_table", args=["rcp-par-3c", "csv"])
    assert client.get(export, {"3c": other}).status_code == 403
    content = b"".join(client.get(export, {"annee": 2025}).streaming_content).decode("utf-8-sig")
    assert "Landes" not in content and "Vienne" in content


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"annee": "1850"}, "L&#x27;année doit être comprise entre 2000"),
        ({"annee": "abc"}, "Saisissez un nombre entier."),
        ({"debut": "2025-05-01", "fin": "2025-01-01"}, "La fin de la période précède son début."),
        ({"debut": "2001-01-01", "fin": "2025-01-01"}, "La période ne peut pas dépasser dix ans."),
        ({"debut": "2025-01-01"}, "Indiquez les deux dates de la période"),
        ({"debut": "2025-02-31", "fin": "2025-03-01"}, "Saisissez une date valide."),
        ({"3c": "999999"}, "Ce 3C n&#x27;existe pas."),
        ({"3c": "x"}, "Saisissez un nombre entier."),
        ({"rcp": "999999"}, "Cette RCP n&#x27;existe pas."),
        ({"etablissement": "999999"}, "Cet établissement n&#x27;existe pas."),
    ],
)
def test_bad_filters_get_a_french_message(client, personas, query, message):
    client.force_login(personas["registry"])
    response = client.get(reverse("dashboards:theme", args=["rcp"]), query)
    assert response.status_code == 400
    assert message in response.content.decode()
    export = client.get(reverse("dashboards:export_table", args=["activite-rcp", "xlsx"]), query)
    assert export.status_code == 400


def test_unknown_theme_table_or_format_is_a_404(client, personas):
    client.force_login(personas["registry"])
    assert client.get(reverse("dashboards:theme", args=["nope"])).status_code == 404
    assert client.get(reverse("dashboards:export_table", args=["nope", "csv"])).status_code == 404
    assert client.get(reverse("dashboards:export_table", args=["activite-rcp", "pdf"])).status_code == 404


def test_csv_export_round_trip_and_trace(client, world):
    registry = world.personas["registry"]
    client.force_login(registry)
    response = client.get(reverse("dashboards:export_table", args=["rcp-par-3c", "csv"]), {"annee": 2025})
    raw = b"".join(response.streaming_content)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["3C", "Séances tenues", "Dossiers présentés", "Patients distincts", "Dossiers 2024", "Évolution"]
    assert rows[1] == ["3C Landes (test)", "1", "1", "1", "2", "-50"]
    assert rows[2] == ["3C Vienne (test)", "2", "3", "2", "1", "200"]
    trace = DataExport.objects.get()
    assert (trace.user, trace.kind, trace.fmt, trace.target) == (registry, ExportKind.TABLE, "csv", "rcp-par-3c")
    assert trace.filters == {"annee": 2025}
    assert trace.filters_label == "Période : 2025"
    assert trace.rows_done == 2


def test_xlsx_export_round_trip(client, world):
    from openpyxl import load_workbook

    client.force_login(world.personas["admin"])
    response = client.get(reverse("dashboards:export_table", args=["activite-rcp", "xlsx"]), {"annee": 2025})
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].value == "Indicateur" and sheet["A1"].font.bold
    values = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    line = values["Dossiers présentés"]
    assert line[1].value == 4 and isinstance(line[1].value, int)
    assert line[3].value == 3
    assert line[4].value == pytest.approx(33.3)
    assert values["Fiches validées avec quorum"][2].value == pytest.approx(66.7)
    assert workbook["Filtres"]["B1"].value is None and "2025" in workbook["Filtres"]["A2"].value


def test_query_budget_of_the_theme_pages(client, world, django_assert_max_num_queries):
    client.force_login(world.personas["registry"])
    for slug, budget in (("rcp", 40), ("documents", 30), ("identites", 30), ("connexions", 30)):
        with django_assert_max_num_queries(budget):
            assert client.get(reverse("dashboards:theme", args=[slug]), {"annee": 2025}).status_code == 200


def test_navigation_and_registry_home_lead_to_the_dashboards(client, personas):
    client.force_login(personas["registry"])
    page = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("dashboards:index")}" data-testid="home-dashboards"' in page
    client.force_login(personas["doctor"])
    assert f'href="{reverse("dashboards:index")}"' not in client.get(reverse("home")).content.decode()


def test_beat_precomputed_tables_answer_from_the_cache(client, world, django_assert_max_num_queries):
    from dcc.dashboards.cached import refresh_summaries

    assert refresh_summaries(years=(2025,)) == 3 * 4  # region + two 3C, four themes
    client.force_login(world.personas["secretary_3c"])
    with django_assert_max_num_queries(14):
        response = client.get(reverse("dashboards:theme", args=["rcp"]), {"annee": 2025})
    table = {t.slug: t for t in response.context["tables"]}["activite-rcp"]
    assert table.rows[2][1] == 3  # her 3C's pre-computed figures, never the region's
    assert "Chiffres calculés le" in response.content.decode()


def test_the_beat_task_also_precomputes_the_region_decade(client, world, django_assert_max_num_queries):
    import datetime

    from django.core.cache import cache

    from dcc.dashboards.cached import cache_key, decade_scope, refresh_summaries
    from dcc.dashboards.filters import StatsScope

    assert decade_scope(datetime.date(2026, 5, 1)) == StatsScope(
        start=datetime.date(2016, 1, 1), end=datetime.date(2025, 12, 31)
    )
    cache.clear()
    assert refresh_summaries() == (1 + 2 * 3) * 4  # the decade, then region + two 3C for two years
    decade = decade_scope()
    assert cache.get(cache_key("rcp", decade)) is not None
    client.force_login(world.personas["registry"])
    with django_assert_max_num_queries(14):  # from the cache (computed: about 40 queries)
        response = client.get(
            reverse("dashboards:theme", args=["rcp"]),
            {"debut": decade.start.isoformat(), "fin": decade.end.isoformat()},
        )
    assert response.status_code == 200
