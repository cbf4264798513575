"""Thin views of the secondary-use tools: delays, predefined queries, attendance certificates, indemnification."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from dcc.accounts.enums import Permission
from dcc.accounts.perms import is_logged_in, user_can
from dcc.dashboards import delays, export_jobs, exports, indemnity, perms, queries, selectors, services
from dcc.dashboards.certificates import MAX_ZIP, certificates, render_certificate
from dcc.dashboards.enums import ExportFormat, ExportKind, ExportStatus
from dcc.dashboards.filters import FilterForm, StatsScope, resolve_filters
from dcc.dashboards.forms import DelayRuleForm, IndemnityRuleForm
from dcc.dashboards.models import DataExport
from dcc.dashboards.views import _filter_context
from dcc.decorators import require
from dcc.directory.models import ThreeC
from identity.selectors import visible_patients
from rcp.dashboard_selectors import attendance_rows


def _bad(request, template, context):
    return render(request, template, context, status=400)


# --- Delays ----------------------------------------------------------------------------------------


@require(perms.can_view_dashboards)
def delays_page(request):
    form, scope = resolve_filters(request.user, request.GET)
    context = _filter_context(request, form, scope)
    rule = delays.current_rule()
    context.update(tables=[], worklist=[], late_count=0)
    context.update(
        rule=rule,
        can_edit=perms.can_edit_indemnity_rule(request.user),
        rule_form=DelayRuleForm(
            initial={
                "diagnosis_to_rcp_days": rule.diagnosis_to_rcp_days,
                "rcp_to_treatment_days": rule.rcp_to_treatment_days,
            }
        ),
    )
    if request.method == "POST":
        if not perms.can_edit_indemnity_rule(request.user):
            raise PermissionDenied
        rule_form = DelayRuleForm(request.POST)
        if rule_form.is_valid():
            services.delay_rule_save(form=rule_form, by=request.user)
            messages.success(request, "Seuils de délai enregistrés.")
            return redirect(request.get_full_path())
        context["rule_form"] = rule_form
        return _bad(request, "dashboards/delays.html", context)
    if scope is None:
        return _bad(request, "dashboards/delays.html", context)
    items = delays.cached_patient_delays(scope)
    late = delays.worklist(items, rule)[:200]
    context.update(
        tables=delays.distribution_tables(scope, items, rule),
        worklist=_worklist_rows(request, late),
        late_count=len(delays.worklist(items, rule)),
    )
    return render(request, "dashboards/delays.html", context)


def _worklist_rows(request, late):
    """The worklist: names for the patients the user may open (traced), a number for the others."""
    from dcc.records.enums import TrailAction
    from dcc.records.trail import trail_record_many
    from identity.models import Patient

    ids = [item.patient_id for item in late]
    visible = set(visible_patients(request.user).filter(pk__in=ids).values_list("pk", flat=True)) if ids else set()
    names = {patient.pk: patient for patient in Patient.objects.filter(pk__in=visible)}
    if names:
        trail_record_many(
            user=request.user,
            action=TrailAction.READ,
            items=[(pk, None) for pk in names],
            request=request,
            detail="Liste de travail des délais (tableaux de bord)",
        )
    return [(item, names.get(item.patient_id)) for item in late]


# --- Predefined queries ----------------------------------------------------------------------------


@require(perms.can_view_dashboards)
def queries_page(request):
    """The catalogue; a run needs a 3C of the user's scope (a 3C secretary: hers only) and is logged."""
    allowed = perms.three_c_scope(request.user)
    key = request.GET.get("requete", "")
    context = {
        "queries": queries.QUERIES.values(),
        "selected": key,
        "table": None,
        "nav_section": "dashboards",
        "can_export": perms.can_export(request.user),
    }
    form, scope = resolve_filters(request.user, request.GET)
    context.update(_filter_context(request, form, scope))
    context["runs"] = selectors.query_runs(allowed)
    if not key:
        return render(request, "dashboards/queries.html", context)
    query = queries.QUERIES.get(key)
    if query is None:
        form.add_error(None, "Cette requête n'existe pas dans le catalogue.")
        return _bad(request, "dashboards/queries.html", context)
    if scope is None:
        return _bad(request, "dashboards/queries.html", context)
    if scope.three_c_ids is None or len(scope.three_c_ids) != 1:
        form.add_error(None, "Choisissez le 3C sur lequel porte la requête.")
        return _bad(request, "dashboards/queries.html", context)
    table = query.run(scope)
    run = services.query_run_record(
        query=query, user=request.user, three_c_id=next(iter(scope.three_c_ids)), scope=scope, rows=len(table.rows)
    )
    fmt = request.GET.get("format", "")
    if fmt in exports.TABLE_FORMATS:
        if not user_can(request.user, Permission.DATA_EXPORT, three_c=run.three_c_id):
            raise PermissionDenied
        return exports.table_response(table, scope=scope, fmt=fmt, user=request.user)
    # The run just recorded counts in the per-3C table below the result.
    context.update(table=table, query=query, run=run, runs=selectors.query_runs(allowed))
    return render(request, "dashboards/queries.html", context)


# --- Attendance certificates ---------------------------------------------------------------------------


@require(is_logged_in)
def certificates_page(request):
    """A doctor's own certificates; a 3C secretary's (or the admin's) for the members of the RCPs she runs.

    All of them at once are a ZIP the worker builds (POST « zip »: a certificate export, traced, with its progress
    and download link on this page)."""
    own = request.user.professional_id
    agenda = perms.three_c_scope(request.user, Permission.RCP_AGENDA)
    manages = agenda is None or bool(agenda)
    if not own and not manages:
        raise PermissionDenied
    data = request.POST if request.method == "POST" else request.GET
    form = FilterForm(data)
    if not form.is_valid():
        return _bad(
            request,
            "dashboards/certificates.html",
            {"form": form, "items": [], "manages": manages, "nav_section": "dashboards", **_zips(request.user)},
        )
    start, end = form.cleaned_data["debut"], form.cleaned_data["fin"]
    scope = StatsScope(start=start, end=end)
    wanted = data.get("medecin", "")
    wanted = int(wanted) if wanted.isdigit() else None
    three_c = form.cleaned_data.get("three_c")
    # Someone who only manages (no certificate of her own) sees her RCPs' members at once, without asking.
    if manages and (wanted or data.get("tous") or not own):
        allowed = agenda
        if three_c and allowed is not None and three_c not in allowed:
            raise PermissionDenied
        ids = frozenset({three_c}) if three_c else allowed
        rows = attendance_rows(start=start, end=end, three_c_ids=ids, professional_id=wanted)
    else:
        ids = frozenset({three_c}) if three_c else None
        rows = attendance_rows(start=start, end=end, three_c_ids=ids, professional_id=own) if own else []
    items = certificates(rows, start=start, end=end)
    if request.method == "POST":
        if not (manages and data.get("zip")):
            raise PermissionDenied
        return _certificates_zip_request(
            request,
            items,
            scope=StatsScope(start=start, end=end, three_c_ids=ids, labels=_three_c_labels(three_c)),
            doctor=wanted,
        )
    if request.GET.get("telecharger"):
        reference = request.GET["telecharger"]
        chosen = next((item for item in items if f"{item.professional_id}-{item.three_c_id}" == reference), None)
        if chosen is None:
            raise Http404
        pdf = render_certificate(chosen)
        services.export_record(
            user=request.user,
            kind=ExportKind.CERTIFICATES,
            fmt="pdf",
            target=chosen.file_name,
            scope=scope,
            rows=len(chosen.sessions),
        )
        response = HttpResponse(pdf, content_type="application/pdf")
        return exports.attachment(response, chosen.file_name)
    three_cs = selectors.filter_options(agenda)["three_cs"] if manages else []
    return render(
        request,
        "dashboards/certificates.html",
        {
            "form": form,
            "items": items,
            "manages": manages,
            "three_cs": three_cs,
            "query": request.GET.urlencode(),
            "nav_section": "dashboards",
            "members": selectors.attending_professionals(agenda, start, end) if manages else [],
            **_zips(request.user),
        },
    )


def _three_c_labels(three_c_id) -> dict:
    name = ThreeC.objects.filter(pk=three_c_id).values_list("name", flat=True).first() if three_c_id else None
    return {"three_c_id": three_c_id, "three_c": name} if name else {}


def _certificates_zip_request(request, items, *, scope, doctor):
    """Queue the ZIP of ``items`` for the worker; the page then shows its progress and its download link."""
    if not items:
        messages.error(request, "Aucune attestation sur cette période : il n'y a rien à archiver.")
    elif len(items) > MAX_ZIP:
        messages.error(request, f"Plus de {MAX_ZIP} attestations : réduisez la période ou choisissez un 3C.")
    else:
        export_jobs.export_request(
            user=request.user,
            kind=ExportKind.CERTIFICATES,
            fmt=ExportFormat.ZIP,
            target=f"{len(items)} attestations",
            scope=scope,
            extra={"medecin": doctor} if doctor else None,
        )
        messages.success(
            request, "Les attestations sont en préparation : le lien de téléchargement apparaît ci-dessous."
        )
    query = {key: value for key, value in request.POST.items() if key in ("annee", "debut", "fin", "3c", "medecin")}
    return redirect(f"{request.path}?{urlencode({**query, 'tous': 1})}")


def _zips(user) -> dict:
    """The user's certificate archives (the latest five), and whether one is on its way (the list then polls)."""
    rows = list(DataExport.objects.filter(user=user, kind=ExportKind.CERTIFICATES, fmt=ExportFormat.ZIP)[:5])
    return {
        "zips": rows,
        "zips_polling": any(row.status in (ExportStatus.PENDING, ExportStatus.RUNNING) for row in rows),
    }


@require(is_logged_in)
def certificate_zips(request):
    """The user's certificate archives (htmx, polled while one is being built)."""
    return render(request, "dashboards/_certificate_zips.html", _zips(request.user))


# --- Indemnification ---------------------------------------------------------------------------------


@require(perms.can_export)
def indemnity_page(request):
    form, scope = resolve_filters(request.user, request.GET, permission=Permission.DATA_EXPORT)
    context = _filter_context(request, form, scope, permission=Permission.DATA_EXPORT)
    can_edit = perms.can_edit_indemnity_rule(request.user)
    context.update(can_edit=can_edit, rules=selectors.indemnity_rules(), rule_form=IndemnityRuleForm())
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        rule_form = IndemnityRuleForm(request.POST)
        if rule_form.is_valid():
            services.indemnity_rule_save(form=rule_form, by=request.user)
            messages.success(request, "Règle d'indemnisation enregistrée.")
            return redirect(request.get_full_path())
        context.update(rule_form=rule_form, items=[])
        return _bad(request, "dashboards/indemnity.html", context)
    if scope is None:
        return _bad(request, "dashboards/indemnity.html", {**context, "items": []})
    rule = indemnity.rule_for(scope.start)
    if rule is None:
        context.update(items=[], rule=None)
        return render(request, "dashboards/indemnity.html", context)
    filters = scope.filters()
    items = indemnity.statements(attendance_rows(**filters, liberal_only=True), rule)
    doctor = request.GET.get("medecin")
    fmt = request.GET.get("format", "")
    if fmt in exports.TABLE_FORMATS:
        from dcc.dashboards.tables import Table

        table = Table(
            "indemnisation",
            "Indemnisation des médecins libéraux",
            indemnity.PAYMENT_COLUMNS,
            indemnity.payment_rows(items),
        )
        with transaction.atomic():
            return exports.table_response(table, scope=scope, fmt=fmt, user=request.user)
    statement = next((item for item in items if str(item.professional_id) == doctor), None) if doctor else None
    if doctor and statement is None:
        raise Http404
    context.update(items=items, rule=rule, statement=statement, total=sum(item.amount for item in items))
    return render(request, "dashboards/indemnity.html", context)
