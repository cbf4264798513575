"""Login hooks: connection method, absolute session start, one-time code grace period, trail lines."""

from __future__ import annotations

import time
from datetime import timedelta

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authentication_failed as mfa_authentication_failed
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from dcc.accounts import perms
from dcc.accounts.enums import ConnectionMethod
from dcc.accounts.models import ProfilePermission, User
from dcc.accounts.signals import security_event

CONNECTION_METHOD_SESSION_KEY = "dcc_connection_method"
LOGIN_AT_SESSION_KEY = "dcc_login_at"
MFA_REMINDER_SESSION_KEY = "dcc_mfa_reminder"


def connection_method_of(request, user) -> str:
    """What the user proved at login, from allauth's authentication records of this session."""
    records = get_authentication_records(request, user) if request is not None else []
    methods = {record.get("method") for record in records}
    if any(record.get("method") == "socialaccount" and record.get("provider") == "psc" for record in records):
        return ConnectionMethod.PSC
    if "mfa" in methods:
        return ConnectionMethod.OTP
    return ConnectionMethod.PASSWORD


@receiver(user_logged_in, dispatch_uid="dcc_accounts_logged_in")
def on_logged_in(sender, request, user, **kwargs):
    if user.mfa_grace_until is None:
        user.mfa_grace_until = timezone.now() + timedelta(days=settings.DCC_MFA_GRACE_DAYS)
        type(user).objects.filter(pk=user.pk).update(mfa_grace_until=user.mfa_grace_until)
    if request is None or not hasattr(request, "session"):
        return
    method = request.session.get("dcc_pending_connection_method") or connection_method_of(request, user)
    request.session.pop("dcc_pending_connection_method", None)
    request.session[CONNECTION_METHOD_SESSION_KEY] = str(method)
    request.session[LOGIN_AT_SESSION_KEY] = time.time()
    if (
        method == ConnectionMethod.PASSWORD
        and perms.mfa_required_for(user)
        and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    ):
        # Shown on every page until the user enrols (read from the session: no query per request).
        request.session[MFA_REMINDER_SESSION_KEY] = user.mfa_grace_until.isoformat()
    security_event.send(sender=type(user), user=user, action="login", request=request, detail="")
    # Warm the small shared caches read on every request (rights table, terms in force).
    perms.rights_table()
    from dcc.accounts.services import terms_latest

    terms_latest()


@receiver(user_logged_out, dispatch_uid="dcc_accounts_logged_out")
def on_logged_out(sender, request, user, **kwargs):
    if user is not None:
        security_event.send(sender=type(user), user=user, action="logout", request=request, detail="")


@receiver(user_login_failed, dispatch_uid="dcc_accounts_login_failed")
def on_login_failed(sender, credentials, request=None, **kwargs):
    login = str(credentials.get("email") or credentials.get("username") or "")[:200]
    # The line names the account tried when it exists (the typed login stays in the detail either way).
    account = User.objects.filter(email__iexact=login).first() if login else None
    if login and credentials.get("password") is not None:
        from dcc.accounts.lockout import failure_record

        failure_record(login=login, ip_address=request.META.get("REMOTE_ADDR") if request is not None else None)
    security_event.send(
        sender=sender, user=account, action="login_failed", request=request, detail=f"identifiant saisi : {login}"
    )


@receiver([post_save, post_delete], sender=ProfilePermission, dispatch_uid="dcc_accounts_rights_changed")
def on_rights_changed(sender, **kwargs):
    perms.rights_cache_clear()
    transaction.on_commit(perms.rights_cache_clear)


@receiver(mfa_authentication_failed, dispatch_uid="dcc_accounts_mfa_failed")
def on_mfa_failed(sender, request, user, authenticator=None, reauthentication=False, **kwargs):
    """A wrong or replayed one-time code (allauth refuses a code already used)."""
    security_event.send(
        sender=type(user),
        user=user,
        action="login_failed",
        request=request,
        detail=f"code à usage unique refusé pour {user.email}",
    )
