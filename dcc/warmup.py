"""Work done once per server process before the first request (gunicorn ``when_ready``, with ``preload_app``).

Without it the first request of every worker imports every view module (the URLconf is lazy), builds the
French public holidays of the PPS calendars and fills Django's template cache: seconds of latency, paid once
per worker by whoever comes first. With ``preload_app`` the master does it and the forked workers share it.
"""

from __future__ import annotations

import datetime


def warm_up() -> None:
    from django.template.loader import get_template
    from django.urls import get_resolver

    from dcc.workdays import french_holidays

    get_resolver().url_patterns  # noqa: B018 - imports every view module
    year = datetime.date.today().year
    for offset in (-1, 0, 1, 2):
        french_holidays(year + offset)
    for name in ("layout/base.html", "rcp/fiche_form.html", "rcp/dossier_detail.html", "pps/detail.html"):
        get_template(name)
