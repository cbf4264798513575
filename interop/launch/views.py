"""The launch endpoint (the DPI sends the browser here) and the demo DPI simulator."""

from __future__ import annotations

from allauth.account.internal.flows.login import record_authentication
from django.conf import settings
from django.contrib.auth import login, logout
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from dcc.accounts.enums import ConnectionMethod
from dcc.decorators import require
from dcc.records.enums import TrailAction
from dcc.records.trail import trail_record
from interop.launch import perms, selectors, services
from interop.launch.forms import SimulatorForm

PENDING_METHOD_SESSION_KEY = "dcc_pending_connection_method"


def target_url(accepted: services.LaunchAccepted) -> str:
    """Where the launch lands: a URL name per target (``DCC_LAUNCH_TARGETS``), given the patient's id."""
    return reverse(settings.DCC_LAUNCH_TARGETS[accepted.target], args=[accepted.patient.pk])


@never_cache
@require_GET
def launch(request):
    """The DPI opens ``/appel-contextuel/?jwt=…`` (a link: no form, so no CSRF exemption is needed)."""
    token = (request.GET.get("jwt") or "").strip()
    try:
        accepted = services.launch_accept(token=token)
    except services.LaunchRefused as refusal:
        with transaction.atomic():
            trail_record(
                user=refusal.user,
                action=TrailAction.LOGIN_FAILED,
                request=request,
                detail=f"Appel contextuel refusé : {refusal.detail}",
            )
        response = render(request, "launch/refused.html", {"message": refusal.message}, status=refusal.status)
        response["Referrer-Policy"] = "no-referrer"
        return response
    user = accepted.user
    if request.user.is_authenticated and request.user.pk != user.pk:
        logout(request)  # a shared workstation: the previous user's session ends (and is traced)
    request.session[PENDING_METHOD_SESSION_KEY] = ConnectionMethod.CONTEXTUAL
    login(request, user, backend="dcc.accounts.backends.DccModelBackend")
    record_authentication(
        request, user, method=ConnectionMethod.CONTEXTUAL, establishment=accepted.launch.establishment.finess_geo
    )
    response = redirect(target_url(accepted))
    response["Referrer-Policy"] = "no-referrer"
    return response


@require(perms.can_simulate)
def simulator(request):
    """The « simulateur DPI »: signs a launch with an establishment's demo key, as its DPI would."""
    options = selectors.simulator_options()
    form = SimulatorForm(request.POST or None, options=options)
    link = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        token = services.simulator_token(
            simulator=data["simulator"], rpps=data["rpps"], ipp=data["ipp"], ins=data["ins"], target=data["target"]
        )
        link = request.build_absolute_uri(reverse("launch:launch")) + f"?jwt={token}"
    return render(request, "launch/simulator.html", {"form": form, "options": options, "link": link})
