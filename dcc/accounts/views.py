from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from dcc.accounts import perms, psc, services
from dcc.accounts.enums import ConnectionMethod, Profile
from dcc.accounts.forms import ImpersonationForm, TermsAcceptForm
from dcc.accounts.models import TermsOfUse
from dcc.accounts.signals import security_event
from dcc.accounts.work import work_lists
from dcc.decorators import require
from dcc.directory import selectors as directory

# Profiles whose first job is the same share a home page.
HOME_TEMPLATES = {
    Profile.ADMIN_REGIONAL: "admin_regional",
    Profile.SECRETAIRE_3C: "secretaire_3c",
    Profile.MEDECIN: "medecin",
    Profile.SECRETAIRE_MEDICALE: "establishment_staff",
    Profile.ANNONCE_PPS: "establishment_staff",
    Profile.LECTURE_SEULE: "read_only",
    Profile.CRCDC: "read_only",
    Profile.REGISTRE: "read_only",
    Profile.ARC: "read_only",
}


@login_required
def home(request):
    """Each profile lands on what that person does first."""
    user = request.user  # its grants, scopes and establishments' 3Cs come from the rights cache
    profile = user.main_profile
    grants = user.active_grants()
    three_cs = {three_c for grant in grants for three_c in grant.three_cs.all()}
    establishments = {est for grant in grants for est in grant.establishments.all()}
    context = {
        "account": user,
        "profile": profile,
        "profile_label": Profile(profile).label if profile else "",
        "grants": grants,
    }
    if profile in {Profile.SECRETAIRE_3C, Profile.ADMIN_REGIONAL}:
        context["three_c_summaries"] = directory.three_c_summaries(three_cs or None)
    if user.professional_id:
        context["places"] = directory.places_of(user.professional)
    if establishments:
        context["establishments"] = sorted(establishments, key=lambda est: est.name)
    context["work_lists"] = work_lists(user, profile)
    template = f"accounts/home/{HOME_TEMPLATES.get(profile, 'no_profile')}.html"
    return render(request, template, context)


@require(perms.is_logged_in)
def terms(request):
    """The terms of use in force; accepting them is required at first login and after each new version."""
    latest = services.terms_latest()
    if latest is None:
        return redirect("home")
    terms_of_use = TermsOfUse.objects.get(pk=latest.pk)
    already = services.terms_accepted(user=request.user, terms=terms_of_use)
    form = TermsAcceptForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and not already and form.is_valid():
        services.terms_accept(user=request.user, terms=terms_of_use)
        request.session[services.TERMS_SESSION_KEY] = terms_of_use.pk
        target = request.GET.get("next", "")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = "home"
        return redirect(target)
    return render(request, "accounts/terms.html", {"terms": terms_of_use, "form": form, "already": already})


@require(perms.can_impersonate)
def impersonate(request):
    form = ImpersonationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.impersonation_start(
                request=request, target=form.cleaned_data["email"], reason=form.cleaned_data["reason"]
            )
        except services.ImpersonationRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            return redirect("home")
    return render(request, "accounts/impersonate.html", {"form": form})


@require_POST
@require(perms.is_logged_in)
def impersonate_stop(request):
    if getattr(request, "dcc_impersonator", None) is None:
        messages.info(request, "Aucune connexion en tant qu'utilisateur n'est en cours.")
        return redirect("home")
    services.impersonation_stop(request=request)
    messages.success(request, "Vous êtes de nouveau connecté(e) sous votre propre compte.")
    return redirect("accounts:impersonate")


def psc_login(request):
    """Start a Pro Santé Connect login (the login page's button)."""
    if not settings.DCC_PSC_ENABLED:
        raise Http404
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    try:
        return redirect(psc.psc_authorize_url(request, next_url=next_url))
    except psc.PscRefused as refusal:
        return _psc_refused(request, refusal)


def psc_callback(request):
    """PSC sends the user back here with a code; everything is checked before logging in."""
    if not settings.DCC_PSC_ENABLED:
        raise Http404
    if request.GET.get("error"):
        request.session.pop(psc.SESSION_KEY, None)
        refusal = psc.PscRefused(
            "La connexion par Pro Santé Connect a été interrompue.", f"erreur PSC : {request.GET['error'][:100]}"
        )
        return _psc_refused(request, refusal)
    try:
        user, _identity, id_token, next_url = psc.psc_complete(
            request, code=request.GET.get("code", ""), state=request.GET.get("state", "")
        )
    except psc.PscRefused as refusal:
        return _psc_refused(request, refusal)
    request.session["dcc_pending_connection_method"] = ConnectionMethod.PSC
    login(request, user, backend="dcc.accounts.backends.DccModelBackend")
    request.session[psc.ID_TOKEN_SESSION_KEY] = id_token
    return redirect(next_url or "home")


def _psc_refused(request, refusal):
    security_event.send(
        sender=type(refusal),
        user=refusal.user,
        action="login_failed",
        request=request,
        detail=f"Pro Santé Connect : {refusal.detail or refusal.message}",
    )
    messages.error(request, refusal.message)
    return redirect("account_login")
