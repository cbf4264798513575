"""Figures of the patient record for the dashboards (``dcc.dashboards``): imported documents, logins.

Every function takes the same keyword filters: ``start``/``end`` (dates, inclusive), ``three_c_ids`` (``None``
for the whole region), ``establishment_id``; the RCP filters of the other apps do not apply here.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Q
from django.utils import timezone

from dcc.records.enums import DocumentOrigin, TrailAction
from dcc.records.models import AccessTrail, Document

FRCP_CODE = "34794-8"
PPS_CODE = "18776-5"
IMPORTED_KINDS = [("fiches", "Fiches RCP"), ("pps", "PPS"), ("autres", "Autres documents")]


def local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def period_bounds(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """[start 00:00, end + 1 day 00:00) in local time."""
    return local_midnight(start), local_midnight(end + datetime.timedelta(days=1))


def _imported(*, three_c_ids=None, establishment_id=None):
    documents = Document.objects.exclude(origin=DocumentOrigin.PRODUCED)
    if three_c_ids is not None:
        documents = documents.filter(establishment__three_c_id__in=three_c_ids)
    if establishment_id:
        documents = documents.filter(establishment_id=establishment_id)
    return documents


def _kind_of(type_code: str) -> str:
    return {FRCP_CODE: "fiches", PPS_CODE: "pps"}.get(type_code, "autres")


def documents_imported(*, start, end, three_c_ids=None, establishment_id=None, **_ignored) -> dict:
    """Imported documents (every origin but « produit par le DCC ») of the period and to date, by kind.

    ``{"period": {kind: (documents, patients)}, "to_date": {kind: documents}, "patients": distinct, "total"}``.
    """
    low, high = period_bounds(start, end)
    documents = _imported(three_c_ids=three_c_ids, establishment_id=establishment_id)
    in_period = documents.filter(created_at__gte=low, created_at__lt=high)
    kind = {"fiches": Q(type_code=FRCP_CODE), "pps": Q(type_code=PPS_CODE)}
    kind["autres"] = ~kind["fiches"] & ~kind["pps"]
    aggregates = {}
    for key, condition in kind.items():
        aggregates[f"{key}_n"] = Count("id", filter=condition)
        aggregates[f"{key}_p"] = Count("patient_id", filter=condition, distinct=True)
    aggregates["patients"] = Count("patient_id", distinct=True)
    figures = in_period.aggregate(**aggregates)
    to_date = documents.filter(created_at__lt=high).aggregate(
        **{key: Count("id", filter=condition) for key, condition in kind.items()}
    )
    return {
        "period": {key: (figures[f"{key}_n"], figures[f"{key}_p"]) for key in kind},
        "to_date": to_date,
        "patients": figures["patients"],
        "total": sum(figures[f"{key}_n"] for key in kind),
    }


# Connection methods as the regional report groups them.
METHOD_GROUPS = [
    ("password", "Identifiant / mot de passe", {"password", "otp"}),
    ("contextual", "Appel contextuel", {"contextual"}),
    ("psc", "Pro Santé Connect", {"psc"}),
]


def login_counts(*, start, end, user_ids=None, **_ignored) -> list[tuple[int, str, int]]:
    """``(user_id, connection_method, logins)`` of the period (one query), for ``user_ids`` when given."""
    low, high = period_bounds(start, end)
    lines = AccessTrail.objects.filter(action=TrailAction.LOGIN, user__isnull=False, at__gte=low, at__lt=high)
    if user_ids is not None:
        lines = lines.filter(user_id__in=user_ids)
    return list(lines.values_list("user_id", "connection_method").annotate(n=Count("id")).order_by())
