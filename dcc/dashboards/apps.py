"""Activity figures, charts, exports, predefined queries."""

from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "dcc.dashboards"
    label = "dashboards"
    verbose_name = "Tableaux de bord"
