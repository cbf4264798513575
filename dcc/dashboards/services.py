"""Writes of the dashboards: the export trace and lifecycle, the region's rules, predefined query runs."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from dcc.dashboards.enums import EXPORT_TRANSITIONS, ExportStatus
from dcc.dashboards.models import DataExport, DataExportTransition


class ExportStateError(Exception):
    pass


def export_record(
    *,
    user,
    kind: str,
    fmt: str,
    target: str,
    scope,
    pseudonymised: bool = False,
    rows: int | None = None,
    status: str = ExportStatus.READY,
) -> DataExport:
    """Trace an export answered at once (who, what, filters): a row already « prêt »."""
    with transaction.atomic():
        export = DataExport.objects.create(
            user=user,
            kind=kind,
            fmt=fmt,
            target=target,
            filters=scope.as_query() if scope else {},
            filters_label=scope.describe() if scope else "",
            pseudonymised=pseudonymised,
            scope_three_c_ids=sorted(scope.three_c_ids) if scope and scope.three_c_ids is not None else None,
            status=status,
            rows_total=rows,
            rows_done=rows or 0,
            finished_at=timezone.now() if status == ExportStatus.READY else None,
        )
        DataExportTransition.objects.create(export=export, to_status=status, note="Export immédiat")
    return export


def export_transition(*, export: DataExport, to_status: str, note: str = "", **fields) -> DataExport:
    """Move ``export`` to ``to_status`` (row locked), with its log line; refuses an impossible change."""
    with transaction.atomic():
        locked = DataExport.objects.select_for_update().get(pk=export.pk)
        if to_status not in EXPORT_TRANSITIONS[locked.status]:
            raise ExportStateError(f"Passage impossible de « {locked.get_status_display()} » à « {to_status} ».")
        DataExportTransition.objects.create(
            export=locked, from_status=locked.status, to_status=to_status, note=note[:500]
        )
        locked.status = to_status
        if to_status in (ExportStatus.READY, ExportStatus.FAILED):
            locked.finished_at = timezone.now()
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.save()
    return locked


def export_progress(*, export_id: int, rows_done: int) -> None:
    DataExport.objects.filter(pk=export_id).update(rows_done=rows_done)


def query_run_record(*, query, user, three_c_id: int, scope, rows: int):
    from dcc.dashboards.models import QueryRun

    return QueryRun.objects.create(
        query=query.key,
        user=user,
        three_c_id=three_c_id,
        parameters=scope.as_query(),
        parameters_label=scope.describe()[:1000],
        rows=rows,
    )


def indemnity_rule_save(*, form, by):
    """A new version of the region's indemnification rule (or the one of the same start date, replaced)."""
    from dcc.dashboards.models import IndemnityRule

    data = {name: form.cleaned_data[name] for name in form.Meta.fields if name != "valid_from"}
    rule, _ = IndemnityRule.objects.update_or_create(
        valid_from=form.cleaned_data["valid_from"], defaults={**data, "updated_by": by}
    )
    return rule


def delay_rule_save(*, form, by):
    from dcc.dashboards.models import DelayRule

    data = {name: form.cleaned_data[name] for name in form.Meta.fields if name != "valid_from"}
    rule, _ = DelayRule.objects.update_or_create(
        valid_from=form.cleaned_data["valid_from"], defaults={**data, "updated_by": by}
    )
    return rule
