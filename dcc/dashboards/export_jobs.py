"""Large exports: the request (a pending row, the task queued on commit), the task ``dashboards.run_export`` and
the worker's side (write the file row by row, report progress, store it, trace it).

The task lives here with what it runs and what queues it, so the services never import the worker's code;
``dcc.dashboards.tasks`` re-exports it for Celery's discovery."""

from __future__ import annotations

import logging
import tempfile

from celery import shared_task
from django.core.files import File
from django.db import transaction

from dcc.dashboards import services
from dcc.dashboards.certificates import certificates_of_export, write_zip
from dcc.dashboards.enums import ExportKind, ExportStatus
from dcc.dashboards.exports import DETAIL_EXPORTS, file_name, write_export
from dcc.dashboards.filters import scope_from_export
from dcc.dashboards.models import DataExport, DataExportTransition

logger = logging.getLogger(__name__)


def export_request(
    *, user, kind: str, fmt: str, target: str, scope, pseudonymised: bool = False, extra: dict | None = None
) -> DataExport:
    """Queue a large export for the worker (on commit); the row is the trace and carries the progress.

    ``extra``: parameters of the export beyond the dashboard filters (e.g. the doctor of a certificate ZIP)."""
    with transaction.atomic():
        export = DataExport.objects.create(
            user=user,
            kind=kind,
            fmt=fmt,
            target=target,
            filters={**scope.as_query(), **(extra or {})},
            filters_label=scope.describe(),
            scope_three_c_ids=sorted(scope.three_c_ids) if scope.three_c_ids is not None else None,
            pseudonymised=pseudonymised,
        )
        DataExportTransition.objects.create(export=export, to_status=ExportStatus.PENDING, note="Demandé")
        run_export.delay_on_commit(export.pk)
    return export


@shared_task(name="dashboards.run_export")
def run_export(export_id: int) -> str:
    return export_run(export_id=export_id)


def export_run(*, export_id: int) -> str:
    """Run a pending export once (a second delivery of the task finds it no longer pending and stops): a detailed
    export (rows) or a ZIP of attendance certificates (one PDF/A per doctor and 3C)."""
    with transaction.atomic():
        export = DataExport.objects.select_for_update(skip_locked=True).filter(pk=export_id).first()
        if export is None or export.status != ExportStatus.PENDING:
            return "ignored"
        try:
            scope = scope_from_export(export)
        except ValueError as exc:
            services.export_transition(export=export, to_status=ExportStatus.FAILED, failure_reason=str(exc))
            return "failed"
        if export.kind == ExportKind.CERTIFICATES:
            items = certificates_of_export(export, scope)
            total = len(items)

            def write(target, progress):
                return write_zip(target, items, progress=progress)

        elif export.kind in DETAIL_EXPORTS:
            total = DETAIL_EXPORTS[export.kind].count(scope)

            def write(target, progress):
                return write_export(target, export, scope, progress=progress)

        else:
            reason = "Cet export ne se fait pas dans le traitement de fond."
            services.export_transition(export=export, to_status=ExportStatus.FAILED, failure_reason=reason)
            return "failed"
        export = services.export_transition(export=export, to_status=ExportStatus.RUNNING, rows_total=total)

    def progress(done: int) -> None:
        services.export_progress(export_id=export.pk, rows_done=done)

    try:
        with tempfile.TemporaryFile() as target:
            rows = write(target, progress)
            target.seek(0)
            with transaction.atomic():
                name = file_name(export.kind, export.fmt)
                export.file.save(name, File(target, name=name), save=False)
                services.export_transition(
                    export=export,
                    to_status=ExportStatus.READY,
                    note=f"{rows} lignes",
                    file=export.file.name,
                    file_name=name,
                    rows_done=rows,
                    rows_total=rows,
                )
                if export.kind == ExportKind.REGISTRY:
                    _trace_registry(export, rows)
    except Exception as exc:  # any failure is told to the user; the traceback goes to the log
        logger.exception("export %s failed", export.pk)
        services.export_transition(
            export=export,
            to_status=ExportStatus.FAILED,
            failure_reason=f"L'export a échoué ({exc.__class__.__name__}). Relancez-le ou contactez l'administrateur.",
        )
        return "failed"
    return "ready"


def _trace_registry(export: DataExport, rows: int) -> None:
    """An export with identities is a read of patient data: one trail line (who, what, filters)."""
    from dcc.records.enums import TrailAction
    from dcc.records.trail import trail_record

    trail_record(
        user=export.user,
        action=TrailAction.EXPORT,
        obj=export,
        detail=f"Export registre ({'pseudonymisé' if export.pseudonymised else 'identifiant'}) : {rows} fiches ; "
        f"{export.filters_label}"[:500],
    )
