"""Thin views of the dashboards: the themes' tables and charts, and their exports."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from dcc.accounts.enums import Permission
from dcc.accounts.perms import is_logged_in
from dcc.dashboards import cached, export_jobs, exports, figures, perms, selectors
from dcc.dashboards.filters import resolve_filters
from dcc.decorators import require


def _filter_context(request, form, scope, *, permission=Permission.STATS_READ) -> dict:
    allowed = perms.three_c_scope(request.user, permission)
    return {
        "form": form,
        "scope": scope,
        "options": selectors.filter_options(allowed),
        "query": urlencode(scope.as_query()) if scope else "",
        "raw_query": request.GET.urlencode(),
        "can_export": perms.can_export(request.user),
        "themes": figures.THEMES,
        "nav_section": "dashboards",
    }


@require(perms.can_view_dashboards)
def index(request):
    target = reverse("dashboards:theme", args=["rcp"])
    return redirect(f"{target}?{request.GET.urlencode()}" if request.GET else target)


@require(perms.can_view_dashboards)
def theme(request, slug: str):
    current = figures.THEMES_BY_SLUG.get(slug)
    if current is None:
        raise Http404
    form, scope = resolve_filters(request.user, request.GET)
    context = _filter_context(request, form, scope)
    context["theme"] = current
    if scope is None:
        return render(request, "dashboards/theme.html", {**context, "tables": [], "computed_at": None}, status=400)
    context["tables"], context["computed_at"] = cached.cached_theme_tables(slug, scope)
    return render(request, "dashboards/theme.html", context)


@require(perms.can_export)
def export_table(request, slug: str, fmt: str):
    if fmt not in exports.TABLE_FORMATS:
        raise Http404
    form, scope = resolve_filters(request.user, request.GET, permission=Permission.DATA_EXPORT)
    if scope is None:
        context = _filter_context(request, form, scope, permission=Permission.DATA_EXPORT)
        theme_slug = figures.TABLE_THEMES.get(slug, "rcp")
        context.update(theme=figures.THEMES_BY_SLUG[theme_slug], tables=[], computed_at=None)
        return render(request, "dashboards/theme.html", context, status=400)
    table = figures.find_table(slug, scope)
    if table is None:
        raise Http404
    if not perms.can_export(request.user):  # pragma: no cover - guarded by the decorator
        raise PermissionDenied
    return exports.table_response(table, scope=scope, fmt=fmt, user=request.user)


# --- Detailed exports (worker) -----------------------------------------------------------------


@require(perms.can_export)
def exports_page(request):
    """The detailed exports: ask for one (period and filters), follow its progress, download it."""
    from dcc.dashboards.exports import DETAIL_EXPORTS

    errors = []
    if request.method == "POST":
        kind = request.POST.get("nature", "")
        fmt = request.POST.get("format", "")
        definition = DETAIL_EXPORTS.get(kind)
        form, scope = resolve_filters(request.user, request.POST, permission=Permission.DATA_EXPORT)
        if definition is None:
            errors.append("Choisissez la nature de l'export.")
        if fmt not in exports.TABLE_FORMATS:
            errors.append("Choisissez le format du fichier (CSV ou XLSX).")
        if scope is not None and not errors:
            export_jobs.export_request(
                user=request.user,
                kind=kind,
                fmt=fmt,
                target=definition.label,
                scope=scope,
                pseudonymised=request.POST.get("pseudonymise") == "1",
            )
            return redirect("dashboards:exports")
        status = 400
    else:
        form, scope = resolve_filters(request.user, request.GET, permission=Permission.DATA_EXPORT)
        status = 200 if scope is not None else 400
    context = _filter_context(request, form, scope, permission=Permission.DATA_EXPORT)
    context.update(
        errors=errors,
        definitions=DETAIL_EXPORTS.values(),
        **selectors.exports_of(request.user),
        nav_section="dashboards",
    )
    return render(request, "dashboards/exports.html", context, status=status)


@require(perms.can_export)
def exports_status(request):
    """The list of the user's exports (htmx, polled while one is on its way)."""
    return render(request, "dashboards/_exports_list.html", selectors.exports_of(request.user))


@require(is_logged_in)
def export_download(request, pk: int):
    """The user's own export file: with ``data_export``, or a certificate ZIP (asked with the agenda right)."""
    from django.http import FileResponse

    from dcc.dashboards.enums import ExportKind, ExportStatus
    from dcc.dashboards.models import DataExport

    export = DataExport.objects.filter(pk=pk, user=request.user).first()
    if export is None:
        raise Http404
    if export.kind != ExportKind.CERTIFICATES and not perms.can_export(request.user):
        raise PermissionDenied
    if export.status != ExportStatus.READY or not export.file:
        raise Http404
    if export.kind == ExportKind.REGISTRY:
        from dcc.records.enums import TrailAction
        from dcc.records.trail import trail_record

        trail_record(
            user=request.user,
            action=TrailAction.DOWNLOAD,
            obj=export,
            request=request,
            detail=f"Téléchargement de l'export registre : {export.filters_label}",
        )
    response = FileResponse(
        export.file.open("rb"),
        as_attachment=True,
        filename=export.file_name,
        content_type=exports.CONTENT_TYPES.get(export.fmt, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require(perms.can_view_dashboards)
def tools(request):
    """The secondary-use tools the user's rights open (certificates, indemnification, queries, delays…)."""
    from pps.perms import can_view_statistics

    context = {
        "can_export": perms.can_export(request.user),
        "can_see_pps_statistics": can_view_statistics(request.user),
        "nav_section": "dashboards",
    }
    return render(request, "dashboards/tools.html", context)
