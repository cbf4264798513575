"""Activity figures, charts, exports, predefined queries."""

from django.apps import AppConfig
from django.db.models.signals import post_save


class DashboardsConfig(AppConfig):
    name = "dcc.dashboards"
    label = "dashboards"
    verbose_name = "Tableaux de bord"

    def ready(self) -> None:
        from dcc.accounts.navigation import register
        from dcc.dashboards.tasks import facts_refresh_soon

        # The writes that change an RCP figure queue the summary table's incremental refresh (summary.py).
        for model in ("rcp.DossierTransition", "rcp.SessionTransition", "rcp.FicheVersion"):
            post_save.connect(facts_refresh_soon, sender=model, dispatch_uid=f"dashboards-facts-{model}")
        from dcc.dashboards.perms import can_see_own_certificates, can_view_dashboards

        register(
            order=55,
            label="Tableaux de bord",
            section="dashboards",
            url_name="dashboards:index",
            visible=can_view_dashboards,
        )
        register(
            order=56,
            label="Mes attestations",
            section="certificates",
            url_name="dashboards:certificates",
            visible=can_see_own_certificates,
        )
