"""The MSSanté data-quality page (3C secretaries: their 3C; regional admin: the region) and its two actions."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from dcc.decorators import require
from dcc.directory import mss_addresses
from dcc.directory.models import Professional
from interop.deliverability import chart, forms, perms, selectors


@require(perms.can_view_quality)
def quality(request):
    scope = perms.scope_three_c_ids(request.user)
    open_only = request.GET.get("etat") != "tous"
    by_month = selectors.rate_by_month(three_c_ids=scope)
    by_three_c = selectors.rate_by_three_c(three_c_ids=scope)
    context = {
        "failures": selectors.permanent_failures(three_c_ids=scope, open_only=open_only),
        "open_only": open_only,
        "regional": scope is None,
        "by_month": by_month,
        "by_three_c": by_three_c,
        "month_chart": chart.bar_chart(by_month),
        "three_c_chart": chart.bar_chart(by_three_c),
        "target": chart.TARGET,
        "total": selectors.Rate("total", sum(r.sent for r in by_month), sum(r.delivered for r in by_month)),
    }
    return render(request, "deliverability/quality.html", context)


def _line_in_scope(request, address: str, professional_id: int | None) -> None:
    """A secretary acts only on an address that failed in her 3C's sends."""
    scope = perms.scope_three_c_ids(request.user)
    if scope is None:
        return
    lines = selectors.permanent_failures(three_c_ids=scope)
    if not any(
        line.address.lower() == address.lower()
        and (not professional_id or getattr(line.professional, "pk", None) == professional_id)
        for line in lines
    ):
        raise PermissionDenied


@require(perms.can_view_quality)
@require_POST
def correct(request):
    form = forms.CorrectForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("deliverability:quality")
    address, professional_id = form.cleaned_data["address"] or "", form.cleaned_data["professional"]
    _line_in_scope(request, address, professional_id)
    professional = Professional.objects.filter(pk=professional_id).first() if professional_id else None
    try:
        new = mss_addresses.mss_address_correct(
            address=address, new_address=form.cleaned_data["new_address"], by=request.user, professional=professional
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Adresse corrigée : les prochains envois iront à {new.address}.")
    return redirect("deliverability:quality")


@require(perms.can_view_quality)
@require_POST
def mark_invalid(request):
    form = forms.InvalidForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("deliverability:quality")
    address = form.cleaned_data["address"]
    _line_in_scope(request, address, None)
    try:
        mss_addresses.mss_address_mark_invalid(address=address, by=request.user, note=form.cleaned_data["note"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{address} est marquée invalide : plus aucun envoi n'y partira.")
    return redirect("deliverability:quality")
