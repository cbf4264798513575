"""The catalogue of predefined queries: the extractions the 3C ask the region for, run on one 3C's data.

Each query takes a :class:`StatsScope` restricted to one 3C and returns a :class:`Table`; every run is logged
(``QueryRun``) so the region counts the requests per 3C.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from dcc.dashboards import delays
from dcc.dashboards.filters import StatsScope
from dcc.dashboards.tables import Column, Table, share


@dataclass(frozen=True)
class PredefinedQuery:
    key: str
    label: str
    description: str
    run: Callable[[StatsScope], Table]


def _rcp_activity(scope: StatsScope) -> Table:
    from rcp import dashboard_selectors as rcp

    rows = [[row["rcp"], row["sessions"], row["dossiers"], row["patients"]] for row in rcp.per_rcp(**scope.filters())]
    return Table(
        "requete-activite-rcp",
        "Activité des RCP du 3C",
        [Column("RCP", "text"), Column("Séances tenues"), Column("Dossiers présentés"), Column("Patients distincts")],
        rows,
    )


def _organ_patients(scope: StatsScope) -> Table:
    from rcp import dashboard_selectors as rcp

    rows = []
    for organ in rcp.organs(three_c_ids=scope.three_c_ids):
        figures = rcp.activity(**{**scope.filters(), "organ": organ})
        if figures["dossiers"]:
            rows.append([organ, figures["dossiers"], figures["patients"], figures["several"]])
    return Table(
        "requete-organe",
        "Patients présentés par organe",
        [
            Column("Organe", "text"),
            Column("Dossiers présentés"),
            Column("Patients distincts"),
            Column("Patients présentés plusieurs fois"),
        ],
        rows,
    )


def _delays(scope: StatsScope) -> Table:
    rule = delays.current_rule()
    return delays.distribution_tables(scope, delays.patient_delays(scope), rule)[1]


def _quality(scope: StatsScope) -> Table:
    from rcp import dashboard_selectors as rcp

    rows = []
    for row in rcp.per_rcp(**scope.filters()):
        figures = rcp.activity(**{**scope.filters(), "rcp_id": row["rcp_id"]})
        rows.append(
            [
                row["rcp"],
                figures["validated"],
                figures["off_quorum"],
                share(figures["off_quorum"], figures["validated"]),
                figures["not_conform"],
                figures["late"],
            ]
        )
    return Table(
        "requete-qualite",
        "Qualité des fiches par RCP",
        [
            Column("RCP", "text"),
            Column("Fiches validées"),
            Column("Hors quorum"),
            Column("% hors quorum", "pct"),
            Column("Non conformes au référentiel"),
            Column("Inscriptions hors délai"),
        ],
        rows,
    )


QUERIES = {
    query.key: query
    for query in (
        PredefinedQuery(
            "activite_rcp", "Activité des RCP", "Séances tenues, dossiers et patients par RCP.", _rcp_activity
        ),
        PredefinedQuery(
            "patients_organe",
            "Patients présentés par organe",
            "Dossiers, patients et patients présentés plusieurs fois, par organe.",
            _organ_patients,
        ),
        PredefinedQuery(
            "delais",
            "Délais de prise en charge",
            "Diagnostic → première RCP → premier traitement, par organe.",
            _delays,
        ),
        PredefinedQuery(
            "qualite",
            "Qualité des fiches",
            "Hors quorum, non-conformités et inscriptions hors délai par RCP.",
            _quality,
        ),
    )
}
