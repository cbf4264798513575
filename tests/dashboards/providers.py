"""A figures provider as an app registers one in ``DCC_DASHBOARD_PROVIDERS`` (used by the tests)."""

from dcc.dashboards.tables import Column, Table


def notifications(*, start, end, three_c_ids=None, **filters):
    from rcp.dashboard_selectors import activity

    dossiers = activity(start=start, end=end, three_c_ids=three_c_ids, **filters)["dossiers"]
    return [
        Table(
            "notifications-mt",
            "Notification du médecin traitant",
            [Column("", "text"), Column("Nb")],
            [["Dossiers concernés", dossiers]],
        )
    ]
