"""The dashboards in the browser: the registry reaches them in one click from its home page, filters, reads a
chart beside its data table and exports a table as CSV; a 3C secretary runs a predefined query on her 3C.

The region is the hand-counted one of ``tests/dashboards/factories.py``; the RCP figures are read from the
summary table (``dcc.dashboards.summary``), built before the journey as the worker does."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from dcc.dashboards import figures, summary
from dcc.dashboards.models import DataExport, QueryRun
from tests.accounts.factories import PASSWORD
from tests.dashboards.factories import build_world
from tests.personas import build_personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db):
    world = build_world(build_personas())
    summary.facts_refresh()
    return world


def login(page: Page, url: str, email: str) -> None:
    page.goto(f"{url}/compte/login/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def cells(section, header: str) -> list[str]:
    row = section.locator("tr").filter(has=section.page.get_by_role("rowheader", name=header, exact=True))
    return [text.strip() for text in row.locator("td").all_inner_texts()]


def test_the_registry_filters_reads_a_chart_with_its_table_and_exports_csv(page: Page, live_server, world):
    registry = world.personas["registry"]
    assert figures.rcp_source() is summary
    login(page, live_server.url, registry.email)
    page.goto(live_server.url + reverse("home"))
    page.get_by_test_id("home-dashboards").click()  # one click from the home page
    expect(page.get_by_role("heading", level=1)).to_have_text("Tableaux de bord")
    expect(page.get_by_role("link", name="Activité RCP")).to_have_attribute("aria-current", "page")

    page.get_by_label("Année").fill("2025")
    page.locator("#f-3c").select_option(label="3C Vienne (test)")
    page.get_by_role("button", name="Afficher", exact=True).click()
    expect(page.get_by_test_id("scope-label")).to_contain_text("3C : 3C Vienne (test)")
    activity = page.get_by_test_id("table-activite-rcp")
    # 3C Vienne, 2025: p1 (10/03, 10/06) and p2 (10/03) presented; 2024: p2 (11/03).
    assert cells(activity, "Dossiers présentés")[0] == "3"
    assert cells(activity, "Dossiers présentés")[2] == "1"
    assert cells(activity, "Patients distincts présentés")[0] == "2"

    per_month = page.get_by_test_id("table-rcp-par-mois")
    canvas = per_month.locator("canvas")
    expect(canvas).to_be_visible()
    drawn = page.evaluate("(id) => { const c = Chart.getChart(id); return c ? c.data.datasets[1].data : null; }",
                          "chart-rcp-par-mois")  # fmt: skip
    assert drawn[2:6] == [2, 0, 0, 1]  # March to June 2025, as in the table beside it
    expect(per_month.get_by_role("table")).to_be_visible()
    assert cells(per_month, "mars 2025")[0] == "2"

    with page.expect_download() as info:
        activity.get_by_role("link", name="CSV : Activité des RCP").click()
    content = Path(info.value.path()).read_bytes()
    assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, for French Excel
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    by_label = {row[0]: row[1:] for row in rows}
    assert by_label["Dossiers présentés"][0] == "3"
    export = DataExport.objects.get(user=registry, kind="tableau")
    assert export.target == "activite-rcp" and "3C Vienne (test)" in export.filters_label


def test_a_3c_secretary_runs_a_predefined_query_on_her_3c(page: Page, live_server, world):
    secretary = world.personas["secretary_3c"]
    login(page, live_server.url, secretary.email)
    page.goto(live_server.url + reverse("dashboards:tools"))
    page.get_by_role("link", name="Requêtes prédéfinies des 3C").click()
    page.get_by_label("Activité des RCP", exact=False).check()
    page.get_by_label("Année").fill("2025")
    page.get_by_role("button", name="Exécuter").click()
    result = page.get_by_test_id("table-requete-activite-rcp")
    expect(result).to_be_visible()
    # Her 3C only: the RCP digestive (two closed sessions, three dossiers, two patients), never the Landes' RCP.
    assert cells(result, "RCP digestive") == ["2", "3", "2"]
    expect(result).not_to_contain_text("RCP sein")
    expect(page.get_by_test_id("runs-per-3c")).to_contain_text("3C Vienne (test)")
    run = QueryRun.objects.get(user=secretary)
    assert (run.query, run.three_c_id, run.rows) == ("activite_rcp", world.personas.three_c.pk, 1)
