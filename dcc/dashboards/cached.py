"""The dashboards' pre-computed pages: every theme for the region and each 3C, kept in the Django cache (Redis).

The beat task ``dashboards.refresh_summaries`` fills it hourly; the pages read it first and compute any other filter
(from the summary table, ``dcc.dashboards.summary``, or live) and keep it for the next request.
"""

from __future__ import annotations

import datetime
import hashlib
import json

from django.core.cache import cache
from django.utils import timezone

from dcc.dashboards.figures import THEMES, theme_tables
from dcc.dashboards.filters import StatsScope
from dcc.dashboards.tables import Table
from dcc.directory.dashboard_selectors import three_cs_in_scope

CACHE_SECONDS = 2 * 3600
CACHE_VERSION = 1


def cache_key(slug: str, scope: StatsScope) -> str:
    filters = scope.filters()
    filters["three_c_ids"] = sorted(filters["three_c_ids"]) if filters["three_c_ids"] is not None else None
    digest = hashlib.sha256(json.dumps(filters, default=str, sort_keys=True).encode()).hexdigest()[:24]
    return f"dcc:dashboards:v{CACHE_VERSION}:{slug}:{digest}"


def cached_theme_tables(slug: str, scope: StatsScope, *, refresh: bool = False) -> tuple[list[Table], object]:
    """The theme's tables and when they were computed: from the cache the beat task fills, else computed now.

    The beat task (``dashboards.refresh_summaries``, hourly) pre-computes the region and every 3C for the current
    and the previous year, so the pages people open most answer from Redis; any other filter is computed live
    and kept for the next request.
    """
    key = cache_key(slug, scope)
    if not refresh:
        hit = cache.get(key)
        if hit is not None:
            return hit["tables"], hit["at"]
    tables = theme_tables(slug, scope)
    now = timezone.now()
    if slug != "notifications":
        cache.set(key, {"tables": tables, "at": now}, CACHE_SECONDS)
    return tables, now


def decade_scope(today: datetime.date | None = None) -> StatsScope:
    """The region over the ten calendar years up to the previous one (the longest period the filters allow)."""
    last = (today or timezone.localdate()).year - 1
    return StatsScope(start=datetime.date(last - 9, 1, 1), end=datetime.date(last, 12, 31))


def refresh_summaries(*, years=None) -> int:
    """Pre-compute the themes for the region and each 3C, for the current and the previous calendar year, and (by
    default) the region's last ten years: distinct patients over a decade of dossiers take seconds to count, so the
    decade view answers from the cache too."""
    today = timezone.localdate()
    scopes = [] if years else [decade_scope(today)]
    years = years or (today.year, today.year - 1)
    for year in years:
        span = {"start": datetime.date(year, 1, 1), "end": datetime.date(year, 12, 31)}
        scopes.append(StatsScope(**span))
        scopes += [
            StatsScope(**span, three_c_ids=frozenset({pk})) for pk in three_cs_in_scope().values_list("pk", flat=True)
        ]
    count = 0
    for scope in scopes:
        for theme in THEMES:
            if theme.slug != "notifications":
                cached_theme_tables(theme.slug, scope, refresh=True)
                count += 1
    return count
