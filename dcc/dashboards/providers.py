"""Figures of the apps that register a provider in ``settings.DCC_DASHBOARD_PROVIDERS`` (optional sections)."""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string

from dcc.dashboards.filters import StatsScope
from dcc.dashboards.tables import Table


def provider(name: str):
    """The callable registered under ``name`` in ``settings.DCC_DASHBOARD_PROVIDERS``, or ``None``."""
    path = getattr(settings, "DCC_DASHBOARD_PROVIDERS", {}).get(name)
    return import_string(path) if path else None


def notifications_tables(scope: StatsScope) -> list[Table]:
    """GP notification before the RCP and MSSanté deliverability: from the provider ``"notifications"``.

    The provider takes the keyword filters of every selector and returns a list of :class:`Table` (or of
    dicts with the same fields). Without a provider the page says there is no data yet, never a number.
    """
    figures = provider("notifications")
    if figures is None:
        return []
    tables = []
    for item in figures(**scope.filters()):
        tables.append(item if isinstance(item, Table) else Table(**item))
    return tables
