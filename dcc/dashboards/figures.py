"""The region's tables, as the yearly activity report shows them, built from each app's dashboard selectors.

Each theme function takes a :class:`~dcc.dashboards.filters.StatsScope` and returns its tables; every count
is compared with the same span one year earlier (columns « N-1 » and « Évolution »).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from dcc.dashboards import summary
from dcc.dashboards.filters import StatsScope, shift_year
from dcc.dashboards.providers import notifications_tables
from dcc.dashboards.tables import Column, Table, chart, share, variation
from rcp import dashboard_selectors as rcp_selectors

MONTHS = ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."]
VAR = Column("Évolution", "var")


@dataclass(frozen=True)
class Theme:
    slug: str
    label: str
    build: Callable[[StatsScope], list[Table]]
    intro: str = ""


# --- Documents ---------------------------------------------------------------------------------


def documents_tables(scope: StatsScope) -> list[Table]:
    from dcc.records import dashboard_selectors as records
    from pps import dashboard_selectors as pps
    from rcp import dashboard_selectors as rcp

    from_summary = summary.state() is not None  # the summary table once built, else live (same answers)

    def produced(target: StatsScope):
        filters = target.filters()
        if from_summary:
            counts = summary.documents_produced(**filters)
            fiches, concertations = counts["fiche"], counts["concertation"]
            programmes = {"pps": counts["pps"], "ppac": counts["ppac"]}
        else:
            fiches, concertations = rcp.fiches_produced(**filters), rcp.concertations_produced(**filters)
            programmes = pps.programmes_produced(**filters)
        return [
            ("Fiches RCP", *fiches),
            ("CR de concertation", *concertations),
            ("PPS", *programmes["pps"]),
            ("PPAC", *programmes["ppac"]),
        ]

    with summary.reading():
        now, before = produced(scope), produced(scope.previous())
    rows = [
        [label, n, patients, old[1], variation(n, old[1])]
        for (label, n, patients), old in zip(now, before, strict=True)
    ]
    total, total_before = sum(row[1] for row in rows), sum(row[3] for row in rows)
    rows.append(["Total", total, None, total_before, variation(total, total_before)])
    produced_table = Table(
        "documents-produits",
        "Documents produits dans le DCC",
        [
            Column("Document", "text"),
            Column("Nb documents"),
            Column("Nb patients distincts"),
            Column(f"Nb documents {scope.previous_label}"),
            VAR,
        ],
        rows,
        note="Chaque version validée compte pour un document (une fiche amendée compte deux fois).",
        chart=chart(
            "bar",
            [row[0] for row in rows[:-1]],
            [
                (scope.previous_label, [row[3] for row in rows[:-1]]),
                (scope.period_label, [row[1] for row in rows[:-1]]),
            ],
        ),
    )
    filters = scope.filters()
    imported, imported_before = (
        records.documents_imported(**filters),
        records.documents_imported(**scope.previous().filters()),
    )
    imported_rows = []
    for key, label in records.IMPORTED_KINDS:
        n, patients = imported["period"][key]
        old = imported_before["period"][key][0]
        imported_rows.append([label, n, patients, old, variation(n, old), imported["to_date"][key]])
    imported_rows.append(
        [
            "Total",
            imported["total"],
            imported["patients"],
            imported_before["total"],
            variation(imported["total"], imported_before["total"]),
            sum(imported["to_date"].values()),
        ]
    )
    imported_table = Table(
        "documents-importes",
        "Documents importés",
        [
            Column("Document", "text"),
            Column("Nb documents"),
            Column("Nb patients distincts"),
            Column(f"Nb documents {scope.previous_label}"),
            VAR,
            Column("Total à date"),
        ],
        imported_rows,
        note="Documents déposés, reçus par interopérabilité ou repris d'un autre système ; « Total à date » : "
        "depuis l'ouverture du DCC jusqu'à la fin de la période. Le filtre RCP ne s'applique pas.",
        chart=chart(
            "bar",
            [row[0] for row in imported_rows[:-1]],
            [
                (scope.previous_label, [row[3] for row in imported_rows[:-1]]),
                (scope.period_label, [row[1] for row in imported_rows[:-1]]),
            ],
        ),
    )
    return [produced_table, imported_table]


# --- Identities --------------------------------------------------------------------------------

CREATOR_CATEGORIES = [
    ("secretaire_3c", "Secrétaire 3C"),
    ("interop", "Interopérabilité"),
    ("medecin", "Médecin équipe hospitalière"),
    ("secretaire_medicale", "Secrétaire médicale"),
    ("annonce_pps", "Annonce"),
    ("generaliste", "Médecin généraliste"),
    ("autre", "Autres (administrateur, reprise, INSi sans utilisateur)"),
]


def creator_counts(rows: list[dict]) -> dict[tuple[int, str], int]:
    """(year, creator category) → identities, from ``identity.dashboard_selectors.identities_created`` rows."""
    from dcc.accounts import dashboard_selectors as accounts
    from dcc.directory.models import GENERAL_PRACTICE_CODES

    user_ids = {row["created_by"] for row in rows if row["created_by"]}
    main = accounts.main_profiles(user_ids)
    gps = accounts.general_practitioner_users(user_ids, GENERAL_PRACTICE_CODES) if user_ids else set()
    known = {key for key, _ in CREATOR_CATEGORIES}
    counts: dict[tuple[int, str], int] = {}
    for row in rows:
        if row["origin"] == "interop":
            category = "interop"
        elif row["created_by"] in gps and main.get(row["created_by"]) == "medecin":
            category = "generaliste"
        else:
            category = main.get(row["created_by"], "autre") if row["created_by"] else "autre"
            category = category if category in known else "autre"
        counts[(row["year"], category)] = counts.get((row["year"], category), 0) + row["count"]
    return counts


def identities_tables(scope: StatsScope) -> list[Table]:
    from identity import dashboard_selectors as identity

    # One read from the start of the reference span to the end of the period, split by year afterwards.
    first = scope.previous().start
    rows = identity.identities_created(**{**scope.filters(), "start": first})
    counts = creator_counts(rows)
    years = list(range(first.year, scope.end.year + 1))
    if scope.is_calendar_year:
        now = {key: n for (year, key), n in counts.items() if year == scope.start.year}
        before = {key: n for (year, key), n in counts.items() if year == scope.start.year - 1}
    else:
        now, before = ({}, {})
        for target, span in ((now, scope), (before, scope.previous())):
            for (_, key), n in creator_counts(identity.identities_created(**span.filters())).items():
                target[key] = target.get(key, 0) + n

    table_rows = []
    period_total = 0
    for key, label in CREATOR_CATEGORIES:
        n, old = now.get(key, 0), before.get(key, 0)
        period_total += n
        table_rows.append([label] + [counts.get((year, key), 0) for year in years] + [n, old, variation(n, old)])
    for row in table_rows:
        row.insert(len(years) + 2, share(row[len(years) + 1], period_total))
    columns = [
        Column("Profil du créateur", "text"),
        *[Column(str(year)) for year in years],
        Column(f"Période {scope.period_label}"),
        Column("Part", "pct"),
        Column(f"Période {scope.previous_label}"),
        VAR,
    ]
    return [
        Table(
            "identites",
            "Nouvelles identités par profil du créateur",
            columns,
            table_rows,
            note="Profil principal de l'utilisateur qui a créé l'identité ; « Interopérabilité » : identités reçues "
            "des établissements (HL7). Un médecin dont la spécialité est la médecine générale compte comme "
            "médecin généraliste.",
            chart=chart(
                "doughnut",
                [row[0] for row in table_rows],
                [
                    (scope.period_label, [row[len(years) + 1] for row in table_rows]),
                ],
                unit="identités",
            ),
        )
    ]


# --- Logins ------------------------------------------------------------------------------------

LOGIN_PROFILE_GROUPS = [
    ("medecin", "Médecin, Pharmacien, Interne", {"medecin"}),
    ("secretaire_medicale", "Secrétaire médicale", {"secretaire_medicale"}),
    ("secretaire_3c", "Secrétaire RCP/3C", {"secretaire_3c"}),
    ("annonce_pps", "Annonce PPS", {"annonce_pps"}),
    ("lecture", "Lecture seule + CRCDC + Registre + ARC", {"lecture_seule", "crcdc", "registre", "arc"}),
    ("admin_regional", "Administrateur régional", {"admin_regional"}),
    ("", "Sans profil", {""}),
]


def login_figures(scope: StatsScope) -> dict:
    """Users and logins by method group and by profile group, distinct users, total logins."""
    from dcc.accounts import dashboard_selectors as accounts
    from dcc.records import dashboard_selectors as records

    user_ids = None
    if scope.three_c_ids is not None or scope.establishment_id:
        user_ids = accounts.users_in_scope(three_c_ids=scope.three_c_ids, establishment_id=scope.establishment_id)
    per_user = records.login_counts(start=scope.start, end=scope.end, user_ids=user_ids)
    main = accounts.main_profiles({user_id for user_id, _, _ in per_user})
    method_group = {method: key for key, _, methods in records.METHOD_GROUPS for method in methods}
    profile_group = {profile: key for key, _, profiles in LOGIN_PROFILE_GROUPS for profile in profiles}
    by_method: dict[str, list] = {}
    by_profile: dict[str, list] = {}
    for user_id, method, n in per_user:
        for target, key in (
            (by_method, method_group.get(method, "password")),
            (by_profile, profile_group.get(main.get(user_id, ""), "")),
        ):
            entry = target.setdefault(key, [set(), 0])
            entry[0].add(user_id)
            entry[1] += n
    return {
        "by_method": {key: (len(users), logins) for key, (users, logins) in by_method.items()},
        "by_profile": {key: (len(users), logins) for key, (users, logins) in by_profile.items()},
        "users": len({user_id for user_id, _, _ in per_user}),
        "logins": sum(n for _, _, n in per_user),
    }


def logins_tables(scope: StatsScope) -> list[Table]:
    from dcc.records import dashboard_selectors as records

    now, before = login_figures(scope), login_figures(scope.previous())
    columns = [
        Column("", "text"),
        Column("Nb utilisateurs"),
        Column("% utilisateurs", "pct"),
        Column("Nb connexions"),
        Column("% connexions", "pct"),
        Column(f"Nb connexions {scope.previous_label}"),
        VAR,
    ]
    tables = []
    for slug, title, groups, first in (
        (
            "connexions-mode",
            "Connexions par mode de connexion",
            [(k, label) for k, label, _ in records.METHOD_GROUPS],
            "Mode de connexion",
        ),
        (
            "connexions-profil",
            "Connexions par profil",
            [(k, label) for k, label, _ in LOGIN_PROFILE_GROUPS],
            "Profil principal",
        ),
    ):
        key = "by_method" if slug == "connexions-mode" else "by_profile"
        rows = []
        for group, label in groups:
            users, logins = now[key].get(group, (0, 0))
            old = before[key].get(group, (0, 0))[1]
            if group == "" and not users and not old:
                continue
            rows.append(
                [
                    label,
                    users,
                    share(users, now["users"]),
                    logins,
                    share(logins, now["logins"]),
                    old,
                    variation(logins, old),
                ]
            )
        rows.append(
            [
                "Total",
                now["users"],
                None,
                now["logins"],
                None,
                before["logins"],
                variation(now["logins"], before["logins"]),
            ]
        )
        tables.append(
            Table(
                slug,
                title,
                [Column(first, "text"), *columns[1:]],
                rows,
                note=(
                    "Un utilisateur compte une fois par mode utilisé : la somme des utilisateurs peut dépasser le "
                    "nombre d'utilisateurs distincts (ligne Total)."
                    if slug == "connexions-mode"
                    else "Chaque utilisateur compte sous son profil principal (celui qui choisit sa page d'accueil)."
                ),
                chart=chart(
                    "doughnut" if slug == "connexions-mode" else "bar",
                    [row[0] for row in rows[:-1]],
                    [(f"Connexions {scope.period_label}", [row[3] for row in rows[:-1]])],
                    unit="connexions",
                ),
            )
        )
    return tables


# --- RCP activity ------------------------------------------------------------------------------

ACTIVITY_LINES = [
    ("held", "Séances tenues (clôturées)"),
    ("cancelled", "Séances annulées"),
    ("dossiers", "Dossiers présentés"),
    ("patients", "Patients distincts présentés"),
    ("several", "Patients présentés plusieurs fois"),
    ("late", "Dossiers inscrits hors délai"),
    ("validated", "Fiches RCP validées"),
    ("quorum", "Fiches validées avec quorum"),
    ("off_quorum", "Fiches validées hors quorum"),
    ("conform", "Propositions conformes au référentiel"),
    ("not_conform", "Propositions non conformes au référentiel"),
    ("trial", "Essais cliniques proposés"),
    ("inclusions", "Patients inclus dans un essai (PPS)"),
]


def rcp_source(*, live: bool = False):
    """Where the RCP theme reads its dossier figures: the summary table (``dcc.dashboards.summary``) once the
    Celery task has built it, else the live selectors of ``rcp`` (same functions, same answers)."""
    return rcp_selectors if live or summary.state() is None else summary


def rcp_tables(scope: StatsScope, *, live: bool = False) -> list[Table]:
    rcp = rcp_source(live=live)
    if rcp is summary:
        with summary.reading():
            return _rcp_tables(scope, rcp)
    return _rcp_tables(scope, rcp)


def _rcp_tables(scope: StatsScope, rcp) -> list[Table]:
    from pps import dashboard_selectors as pps

    filters, previous = scope.filters(), scope.previous().filters()
    now, before = rcp.activities(filters, previous)
    now, before = (
        {**now, "inclusions": pps.trial_inclusions(**filters)},
        {**before, "inclusions": pps.trial_inclusions(**previous)},
    )
    of_whole = {
        "several": "patients",
        "late": "dossiers",
        "quorum": "validated",
        "off_quorum": "validated",
        "conform": "validated",
        "not_conform": "validated",
        "trial": "validated",
        "inclusions": "patients",
    }
    summary = Table(
        "activite-rcp",
        "Activité des RCP",
        [
            Column("Indicateur", "text"),
            Column(scope.period_label),
            Column("Part", "pct"),
            Column(scope.previous_label),
            VAR,
        ],
        [
            [
                label,
                now[key],
                share(now[key], now[of_whole[key]]) if key in of_whole else None,
                before[key],
                variation(now[key], before[key]),
            ]
            for key, label in ACTIVITY_LINES
        ],
        note="Dossiers présentés : présentés, validés ou à représenter, datés par leur séance. Part : des patients "
        "présentés, des dossiers ou des fiches validées selon la ligne.",
    )

    def keyed(rows, key):
        return {row[key]: row for row in rows}

    # The year before only shows its dossiers: no distinct patients to count there.
    per_three_c = rcp.per_three_c(**filters)
    per_three_c_before = keyed(rcp.per_three_c(**previous, patients=False), "three_c_id")
    three_c_rows = [
        [
            row["three_c"],
            row["sessions"],
            row["dossiers"],
            row["patients"],
            per_three_c_before.get(row["three_c_id"], {}).get("dossiers", 0),
            variation(row["dossiers"], per_three_c_before.get(row["three_c_id"], {}).get("dossiers", 0)),
        ]
        for row in per_three_c
    ]
    three_c_table = Table(
        "rcp-par-3c",
        "Dossiers présentés par 3C",
        [
            Column("3C", "text"),
            Column("Séances tenues"),
            Column("Dossiers présentés"),
            Column("Patients distincts"),
            Column(f"Dossiers {scope.previous_label}"),
            VAR,
        ],
        three_c_rows,
        chart=chart(
            "bar",
            [row[0] for row in three_c_rows],
            [
                (scope.previous_label, [row[4] for row in three_c_rows]),
                (scope.period_label, [row[2] for row in three_c_rows]),
            ],
            unit="dossiers",
        ),
    )
    per_rcp_before = keyed(rcp.per_rcp(**previous, patients=False), "rcp_id")
    rcp_rows = [
        [
            row["rcp"],
            row["three_c"],
            row["sessions"],
            row["dossiers"],
            row["patients"],
            per_rcp_before.get(row["rcp_id"], {}).get("dossiers", 0),
            variation(row["dossiers"], per_rcp_before.get(row["rcp_id"], {}).get("dossiers", 0)),
        ]
        for row in rcp.per_rcp(**filters)
    ]
    rcp_table = Table(
        "rcp-par-rcp",
        "Dossiers présentés par RCP",
        [
            Column("RCP", "text"),
            Column("3C", "text"),
            Column("Séances tenues"),
            Column("Dossiers présentés"),
            Column("Patients distincts"),
            Column(f"Dossiers {scope.previous_label}"),
            VAR,
        ],
        rcp_rows,
    )
    bands = [label for _, _, label in rcp_selectors.AGE_BANDS]
    by_band: dict[str, dict] = {label: {"M": 0, "F": 0, "other": 0, "patients": 0} for label in bands}
    for row in rcp.age_sex(**filters):
        entry = by_band[row["band"]]
        entry[row["sex"] if row["sex"] in ("M", "F") else "other"] += row["dossiers"]
        entry["patients"] += row["patients"]
    age_rows = [
        [label, entry["M"], entry["F"], entry["other"], entry["M"] + entry["F"] + entry["other"], entry["patients"]]
        for label, entry in by_band.items()
    ]
    age_table = Table(
        "rcp-age-sexe",
        "Dossiers présentés par âge et sexe des patients",
        [
            Column("Âge à la séance", "text"),
            Column("Hommes"),
            Column("Femmes"),
            Column("Autre / inconnu"),
            Column("Dossiers"),
            Column("Patients distincts"),
        ],
        age_rows,
        note="Un patient présenté à deux âges différents dans la période compte dans les deux tranches.",
        chart=chart(
            "bar",
            bands,
            [("Hommes", [row[1] for row in age_rows]), ("Femmes", [row[2] for row in age_rows])],
            stacked=True,
            unit="dossiers",
        ),
    )
    months_now = dict(rcp.per_month(**filters))
    months_before = dict(rcp.per_month(**previous))
    month_rows = []
    day = datetime.date(scope.start.year, scope.start.month, 1)
    while day <= scope.end:
        old = months_before.get(shift_year(day, -1), 0)
        month_rows.append(
            [f"{MONTHS[day.month - 1]} {day.year}", months_now.get(day, 0), old, variation(months_now.get(day, 0), old)]
        )
        day = datetime.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    month_table = Table(
        "rcp-par-mois",
        "Dossiers présentés par mois",
        [Column("Mois", "text"), Column("Dossiers présentés"), Column("Même mois un an plus tôt"), VAR],
        month_rows,
        chart=chart(
            "line",
            [row[0] for row in month_rows],
            [
                ("Un an plus tôt", [row[2] for row in month_rows]),
                ("Dossiers présentés", [row[1] for row in month_rows]),
            ],
            unit="dossiers",
        ),
    )
    first_year = scope.end.year - 4
    years = rcp.per_year(**{**filters, "start": datetime.date(first_year, 1, 1)})
    year_rows = [[str(year), held, dossiers] for year, dossiers, held in years]
    year_table = Table(
        "rcp-par-annee",
        "Tendance sur cinq ans",
        [Column("Année", "text"), Column("Séances tenues"), Column("Dossiers présentés")],
        year_rows,
        note=f"Années {first_year} à {scope.end.year} (jusqu'à la fin de la période), mêmes filtres.",
        chart=chart(
            "line",
            [row[0] for row in year_rows],
            [
                ("Dossiers présentés", [row[2] for row in year_rows]),
                ("Séances tenues", [row[1] for row in year_rows]),
            ],
        ),
    )
    return [summary, three_c_table, rcp_table, age_table, month_table, year_table]


THEMES = [
    Theme("rcp", "Activité RCP", rcp_tables),
    Theme("documents", "Documents", documents_tables),
    Theme("identites", "Identités", identities_tables),
    Theme("connexions", "Connexions", logins_tables),
    Theme(
        "notifications",
        "Médecin traitant et MSSanté",
        notifications_tables,
        intro="Notification du médecin traitant avant la RCP (dossiers concernés, consultations par le médecin "
        "traitant, médecins distincts) et délivrabilité des envois MSSanté.",
    ),
]
THEMES_BY_SLUG = {theme.slug: theme for theme in THEMES}


def theme_tables(slug: str, scope: StatsScope) -> list[Table]:
    return THEMES_BY_SLUG[slug].build(scope)


def find_table(slug: str, scope: StatsScope) -> Table | None:
    for theme in THEMES:
        for table in theme.build(scope) if _theme_has(theme, slug) else []:
            if table.slug == slug:
                return table
    return None


TABLE_THEMES = {
    "documents-produits": "documents",
    "documents-importes": "documents",
    "identites": "identites",
    "connexions-mode": "connexions",
    "connexions-profil": "connexions",
    "activite-rcp": "rcp",
    "rcp-par-3c": "rcp",
    "rcp-par-rcp": "rcp",
    "rcp-age-sexe": "rcp",
    "rcp-par-mois": "rcp",
    "rcp-par-annee": "rcp",
}


def _theme_has(theme: Theme, slug: str) -> bool:
    return TABLE_THEMES.get(slug) == theme.slug or (theme.slug == "notifications" and slug not in TABLE_THEMES)
