"""Each table's figures against the counts written out by hand from ``tests/dashboards/factories.py``."""

from __future__ import annotations

import datetime

import pytest

from dcc.dashboards import figures
from dcc.dashboards.filters import StatsScope

pytestmark = pytest.mark.django_db

Y2025 = {"start": datetime.date(2025, 1, 1), "end": datetime.date(2025, 12, 31)}


def rows_of(table) -> dict:
    return {row[0]: row[1:] for row in table.rows}


def tables_of(slug, scope) -> dict:
    return {table.slug: table for table in figures.theme_tables(slug, scope)}


def test_rcp_activity_of_the_region(world):
    tables = tables_of("rcp", StatsScope(**Y2025))

    summary = rows_of(tables["activite-rcp"])
    # [period, share, previous, variation]
    assert summary["Séances tenues (clôturées)"][0::2] == [3, 3]
    assert summary["Séances annulées"][0] == 1
    assert summary["Dossiers présentés"] == [4, None, 3, 33.3]
    assert summary["Patients distincts présentés"][0::2] == [3, 2]
    assert summary["Patients présentés plusieurs fois"] == [1, 33.3, 1, 0.0]
    assert summary["Fiches RCP validées"][0] == 3
    assert summary["Fiches validées avec quorum"][0:2] == [2, 66.7]
    assert summary["Fiches validées hors quorum"][0] == 1
    assert summary["Propositions conformes au référentiel"][0] == 1
    assert summary["Propositions non conformes au référentiel"][0] == 1
    assert summary["Essais cliniques proposés"][0] == 1
    assert summary["Patients inclus dans un essai (PPS)"][0] == 1

    per_three_c = rows_of(tables["rcp-par-3c"])
    assert per_three_c["3C Vienne (test)"] == [2, 3, 2, 1, 200.0]
    assert per_three_c["3C Landes (test)"] == [1, 1, 1, 2, -50.0]
    per_rcp = rows_of(tables["rcp-par-rcp"])
    assert per_rcp["RCP digestive"] == ["3C Vienne (test)", 2, 3, 2, 1, 200.0]

    ages = rows_of(tables["rcp-age-sexe"])
    assert ages["75 à 84 ans"] == [2, 0, 0, 2, 1]
    assert ages["18 à 49 ans"] == [0, 1, 0, 1, 1]
    assert ages["85 ans et plus"] == [1, 0, 0, 1, 1]
    assert ages["Moins de 18 ans"] == [0, 0, 0, 0, 0]

    months = rows_of(tables["rcp-par-mois"])
    assert len(months) == 12
    assert months["mars 2025"] == [2, 1, 100.0]
    assert months["avr. 2025"] == [1, 1, 0.0]
    assert months["mai 2025"] == [0, 1, -100.0]
    assert months["juin 2025"] == [1, 0, None]
    years = rows_of(tables["rcp-par-annee"])
    assert years["2024"] == [3, 3]
    assert years["2025"] == [3, 4]
    chart = tables["rcp-par-3c"].chart
    assert chart["labels"] == ["3C Landes (test)", "3C Vienne (test)"]
    assert chart["datasets"][1] == {"label": "2025", "data": [1, 3]}


def test_rcp_filters_narrow_every_figure(world):
    only_b = StatsScope(**Y2025, three_c_ids=frozenset({world.personas.other_three_c.pk}))
    assert rows_of(tables_of("rcp", only_b)["activite-rcp"])["Dossiers présentés"] == [1, None, 2, -50.0]
    by_rcp = StatsScope(**Y2025, rcp_id=world.rcp_a.pk)
    assert rows_of(tables_of("rcp", by_rcp)["activite-rcp"])["Dossiers présentés"][0] == 3
    by_organ = StatsScope(**Y2025, organ="SEIN")
    assert rows_of(tables_of("rcp", by_organ)["activite-rcp"])["Dossiers présentés"][0] == 1
    by_establishment = StatsScope(**Y2025, establishment_id=world.personas.hospital.pk)
    assert rows_of(tables_of("rcp", by_establishment)["activite-rcp"])["Séances tenues (clôturées)"][0] == 2


def test_a_period_compares_with_the_same_span_a_year_earlier(world):
    spring = StatsScope(start=datetime.date(2025, 3, 1), end=datetime.date(2025, 4, 30))
    summary = rows_of(tables_of("rcp", spring)["activite-rcp"])
    assert summary["Dossiers présentés"] == [3, None, 2, 50.0]
    assert spring.previous_label == "du 01/03/2024 au 30/04/2024"


def test_documents_produced_and_imported(world):
    tables = tables_of("documents", StatsScope(**Y2025))
    produced = rows_of(tables["documents-produits"])
    assert produced["Fiches RCP"] == [4, 2, 2, 100.0]
    assert produced["CR de concertation"] == [1, 1, 0, None]
    assert produced["PPS"] == [1, 1, 1, 0.0]
    assert produced["PPAC"] == [1, 1, 0, None]
    assert produced["Total"] == [7, None, 3, 133.3]
    imported = rows_of(tables["documents-importes"])
    # [documents, patients, previous, variation, to date]
    assert imported["Fiches RCP"] == [1, 1, 0, None, 1]
    assert imported["PPS"] == [0, 0, 1, -100.0, 1]
    assert imported["Autres documents"] == [1, 1, 0, None, 1]
    assert imported["Total"] == [2, 2, 1, 100.0, 3]


def test_documents_of_one_three_c(world):
    mine = StatsScope(**Y2025, three_c_ids=frozenset({world.personas.three_c.pk}))
    tables = tables_of("documents", mine)
    produced = rows_of(tables["documents-produits"])
    assert produced["Fiches RCP"][0:2] == [3, 1]
    assert produced["PPS"][0] == 1
    imported = rows_of(tables["documents-importes"])
    assert imported["Total"] == [1, 1, 1, 0.0, 2]


def test_identities_by_creator_profile_and_year(world):
    table = tables_of("identites", StatsScope(**Y2025))["identites"]
    assert table.header()[1:3] == ["2024", "2025"]
    rows = rows_of(table)
    # [2024, 2025, period, share, previous, variation]
    assert rows["Secrétaire 3C"] == [0, 1, 1, 33.3, 0, None]
    assert rows["Interopérabilité"] == [0, 1, 1, 33.3, 0, None]
    assert rows["Médecin équipe hospitalière"] == [0, 1, 1, 33.3, 0, None]
    assert rows["Médecin généraliste"] == [1, 0, 0, 0.0, 1, -100.0]


def test_identities_of_one_three_c_follow_care_relationships(world):
    mine = StatsScope(**Y2025, three_c_ids=frozenset({world.personas.three_c.pk}))
    rows = rows_of(tables_of("identites", mine)["identites"])
    assert rows["Secrétaire 3C"][1] == 1
    assert sum(row[1] for row in rows.values()) == 1


def test_logins_by_method_and_profile(world):
    tables = tables_of("connexions", StatsScope(**Y2025))
    methods = rows_of(tables["connexions-mode"])
    # [users, % users, logins, % logins, previous logins, variation]
    assert methods["Identifiant / mot de passe"] == [1, 33.3, 2, 50.0, 1, 100.0]
    assert methods["Pro Santé Connect"] == [1, 33.3, 1, 25.0, 0, None]
    assert methods["Appel contextuel"] == [1, 33.3, 1, 25.0, 0, None]
    assert methods["Total"] == [3, None, 4, None, 1, 300.0]
    profiles = rows_of(tables["connexions-profil"])
    assert profiles["Médecin, Pharmacien, Interne"][0:4] == [2, 66.7, 2, 50.0]
    assert profiles["Secrétaire RCP/3C"][0:4] == [1, 33.3, 2, 50.0]
    assert profiles["Lecture seule + CRCDC + Registre + ARC"][2:4] == [0, 0.0]


def test_logins_of_one_three_c(world):
    mine = StatsScope(**Y2025, three_c_ids=frozenset({world.personas.three_c.pk}))
    methods = rows_of(tables_of("connexions", mine)["connexions-mode"])
    assert methods["Total"][0:3] == [2, None, 3]


def test_notifications_without_provider_show_no_figure(world, settings):
    settings.DCC_DASHBOARD_PROVIDERS = {}
    assert figures.theme_tables("notifications", StatsScope(**Y2025)) == []


def test_notifications_read_the_registered_provider(world, settings):
    settings.DCC_DASHBOARD_PROVIDERS = {"notifications": "tests.dashboards.providers.notifications"}
    tables = figures.theme_tables("notifications", StatsScope(**Y2025))
    assert [table.slug for table in tables] == ["notifications-mt"]
    assert tables[0].rows == [["Dossiers concernés", 4]]
