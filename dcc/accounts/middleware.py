"""Per-request security rules for logged-in users, after authentication:

1. absolute session lifetime (``DCC_SESSION_MAX_HOURS``), on top of the inactivity expiry;
2. support impersonation: a signed session marker swaps ``request.user`` for the target and keeps
   the administrator in ``request.dcc_impersonator``; password and one-time code pages are closed;
3. the terms of use (CGU) in force must have been accepted;
4. one-time codes are mandatory for profiles with patient access once the grace period is over.
"""

from __future__ import annotations

import time

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve
from django.utils import timezone

from dcc.accounts import perms, services
from dcc.accounts.enums import ConnectionMethod
from dcc.accounts.models import User
from dcc.accounts.receivers import CONNECTION_METHOD_SESSION_KEY, LOGIN_AT_SESSION_KEY, MFA_REMINDER_SESSION_KEY
from dcc.accounts.signals import security_event

MFA_ENROLLED_SESSION_KEY = "dcc_mfa_enrolled"
# Pages closed while impersonating: credentials and one-time codes belong to their owner only.
IMPERSONATION_CLOSED = (
    "account_change_password",
    "account_set_password",
    "account_email",
    "account_reset_password",
    "account_reauthenticate",
    "mfa_",
    "admin:",
)
ALWAYS_OPEN = ("account_logout", "accounts:impersonate_stop", "healthz")


def _route(request) -> str:
    """The view name of the request's URL ("" for none); once the view ran, Django's own resolution."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return ""
    return match.view_name or ""


def mfa_grace_active(user) -> bool:
    return bool(user.mfa_grace_until and timezone.now() < user.mfa_grace_until)


class SecurityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.dcc_impersonator = None
        if request.user.is_authenticated:
            response = self._check(request)
            if response is not None:
                return response
        response = self.get_response(request)
        if request.session.get(MFA_REMINDER_SESSION_KEY) and _route(request).startswith("mfa_"):
            # After a visit to the one-time code pages, drop the reminder once a generator is enrolled.
            user = request.user
            if user.is_authenticated and Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
                request.session.pop(MFA_REMINDER_SESSION_KEY)
        return response

    def _check(self, request):
        session = request.session
        route = _route(request)
        login_at = session.get(LOGIN_AT_SESSION_KEY)
        if login_at is None:
            session[LOGIN_AT_SESSION_KEY] = time.time()
        elif time.time() - login_at > settings.DCC_SESSION_MAX_HOURS * 3600:
            logout(request)
            messages.info(request, "Votre session a atteint sa durée maximale : reconnectez-vous.")
            return redirect_to_login(request.get_full_path())
        if session.get(services.IMPERSONATION_SESSION_KEY):
            return self._impersonate(request, route)
        if route.startswith(ALWAYS_OPEN):
            return None
        terms = services.terms_latest()
        if terms is not None and session.get(services.TERMS_SESSION_KEY) != terms.pk:
            if services.terms_accepted(user=request.user, terms=terms):
                session[services.TERMS_SESSION_KEY] = terms.pk
            elif route != "accounts:terms":
                return redirect_to_login(request.get_full_path(), login_url="accounts:terms")
        if route.startswith(("mfa_", "account_")) or route == "accounts:terms":
            return None  # enrolling a code generator needs these pages (reauthentication, codes)
        return self._enforce_mfa(request)

    def _impersonate(self, request, route: str):
        admin = request.user
        try:
            payload = services.impersonation_read(request.session[services.IMPERSONATION_SESSION_KEY])
        except signing.SignatureExpired:
            request.session.pop(services.IMPERSONATION_SESSION_KEY)
            messages.info(request, "La connexion en tant qu'utilisateur a expiré : vous êtes de nouveau vous-même.")
            return redirect("home")
        except signing.BadSignature:
            return self._reject_tampering(request, "signature invalide")
        if payload.get("by") != admin.pk or not perms.can_impersonate(admin):
            return self._reject_tampering(request, "administrateur différent ou sans droit")
        target = User.objects.filter(pk=payload.get("as")).first()
        if target is None or not perms.can_be_impersonated(target):
            return self._reject_tampering(request, "compte cible non autorisé")
        request.dcc_impersonator = admin
        request.dcc_impersonation_reason = payload.get("reason", "")
        request.user = target
        if route.startswith(IMPERSONATION_CLOSED) or route == "accounts:impersonate":
            return render(request, "accounts/impersonation_closed.html", status=403)
        return None

    def _reject_tampering(self, request, detail: str):
        request.session.pop(services.IMPERSONATION_SESSION_KEY, None)
        security_event.send(
            sender=User, user=request.user, action="tampering", request=request, detail=f"support : {detail}"
        )
        messages.error(request, "La demande de connexion en tant qu'utilisateur a été rejetée (données altérées).")
        return redirect("home")

    def _enforce_mfa(self, request):
        user = request.user
        # Cheapest checks first: most requests stop here without a query.
        # A contextual launch is authenticated by the establishment's DPI (signed launch), like PSC by its wallet.
        if request.session.get(CONNECTION_METHOD_SESSION_KEY) in {
            ConnectionMethod.OTP,
            ConnectionMethod.PSC,
            ConnectionMethod.CONTEXTUAL,
        }:
            return None
        if request.session.get(MFA_ENROLLED_SESSION_KEY) or mfa_grace_active(user):
            return None
        if not perms.mfa_required_for(user):
            return None
        if Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            request.session[MFA_ENROLLED_SESSION_KEY] = True
            return None
        messages.warning(
            request,
            "Les codes à usage unique sont obligatoires pour votre profil : activez-les pour continuer.",
        )
        return redirect("mfa_activate_totp")
