"""Writes of the accounts app: impersonation, terms of use, account lifecycle."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce, Greatest
from django.template.loader import render_to_string
from django.utils import timezone

from dcc.accounts import perms
from dcc.accounts.enums import AccountEventKind
from dcc.accounts.models import AccountEvent, TermsAcceptance, TermsOfUse, User
from dcc.accounts.signals import security_event

IMPERSONATION_SESSION_KEY = "dcc_impersonation"
IMPERSONATION_SALT = "dcc.accounts.impersonation"
TERMS_CACHE_KEY = "dcc:terms:latest"
TERMS_SESSION_KEY = "dcc_terms_accepted"


class ImpersonationRefused(Exception):
    """The message is French and shown to the administrator."""


# --- Impersonation ------------------------------------------------------------------------


def impersonation_token(*, admin: User, target: User, reason: str) -> str:
    return signing.dumps({"by": admin.pk, "as": target.pk, "reason": reason}, salt=IMPERSONATION_SALT)


def impersonation_read(token: str) -> dict:
    """The signed payload; raises ``signing.BadSignature`` (or ``SignatureExpired``) when tampered or stale."""
    return signing.loads(token, salt=IMPERSONATION_SALT, max_age=settings.DCC_IMPERSONATION_MINUTES * 60)


@transaction.atomic
def impersonation_start(*, request, target: User, reason: str) -> None:
    """The regional admin uses the DCC as ``target`` for support; a signed marker goes in the session."""
    admin = request.user
    reason = " ".join((reason or "").split())
    if not perms.can_impersonate(admin):
        raise ImpersonationRefused("Votre profil ne permet pas de vous connecter en tant qu'un autre utilisateur.")
    if getattr(request, "dcc_impersonator", None) is not None:
        raise ImpersonationRefused("Terminez d'abord la connexion en tant qu'utilisateur en cours.")
    if target.pk == admin.pk or not perms.can_be_impersonated(target):
        raise ImpersonationRefused("Ce compte ne peut pas être utilisé pour le support.")
    if len(reason) < 10:
        raise ImpersonationRefused("Indiquez le motif de l'intervention (au moins 10 caractères).")
    security_event.send(sender=User, user=admin, action="impersonate", request=request, detail=reason, acting_as=target)
    request.session[IMPERSONATION_SESSION_KEY] = impersonation_token(admin=admin, target=target, reason=reason)


@transaction.atomic
def impersonation_stop(*, request) -> None:
    admin = getattr(request, "dcc_impersonator", None)
    target = request.user
    request.session.pop(IMPERSONATION_SESSION_KEY, None)
    if admin is not None:
        security_event.send(sender=User, user=admin, action="impersonate_end", request=None, acting_as=target)
        request.user = admin
        request.dcc_impersonator = None


# --- Terms of use (CGU) -------------------------------------------------------------------


def terms_latest() -> TermsOfUse | None:
    """The version in force (cached; publishing a version clears the cache)."""
    cached = cache.get(TERMS_CACHE_KEY)
    if cached is None:
        latest = TermsOfUse.objects.filter(published_at__lte=timezone.now()).first()
        cached = (latest.pk, latest.version) if latest else (0, "")
        cache.set(TERMS_CACHE_KEY, cached, 300)
    if not cached[0]:
        return None
    return TermsOfUse(pk=cached[0], version=cached[1])


def terms_cache_clear() -> None:
    cache.delete(TERMS_CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(TERMS_CACHE_KEY))


@transaction.atomic
def terms_publish(*, version: str, text: str) -> TermsOfUse:
    """Publish a new version: every user accepts it at their next request."""
    terms = TermsOfUse.objects.create(version=version, text=text)
    terms_cache_clear()
    return terms


def terms_accepted(*, user: User, terms: TermsOfUse) -> bool:
    return TermsAcceptance.objects.filter(user=user, terms_id=terms.pk).exists()


@transaction.atomic
def terms_accept(*, user: User, terms: TermsOfUse) -> TermsAcceptance:
    acceptance, created = TermsAcceptance.objects.get_or_create(user=user, terms_id=terms.pk)
    if created:
        AccountEvent.objects.create(user=user, kind=AccountEventKind.TERMS_ACCEPTED, detail=f"CGU {terms.version}")
    return acceptance


# --- Account lifecycle --------------------------------------------------------------------


def _last_activity():
    """The later of the last login, the reactivation and the account creation."""
    return Greatest(Coalesce("last_login", "date_joined"), Coalesce("reactivated_at", "date_joined"))


@transaction.atomic
def accounts_warn_unused(*, now=None) -> list[int]:
    """Warn by e-mail the accounts that will be deactivated in ``DCC_ACCOUNT_WARNING_DAYS`` days (once)."""
    now = now or timezone.now()
    threshold = now - timedelta(days=settings.DCC_ACCOUNT_UNUSED_DAYS - settings.DCC_ACCOUNT_WARNING_DAYS)
    users = list(
        User.objects.annotate(last_activity=_last_activity())
        .filter(is_active=True, last_activity__lt=threshold)
        .filter(Q(inactivity_warned_at__isnull=True) | Q(inactivity_warned_at__lt=F("last_activity")))
        .select_for_update(of=("self",))
    )
    for user in users:
        deadline = user.last_activity + timedelta(days=settings.DCC_ACCOUNT_UNUSED_DAYS)
        send_mail(
            subject="[DCC] Votre compte va être désactivé",
            message=render_to_string(
                "accounts/email/inactivity_warning.txt",
                {"account": user, "deadline": deadline, "site_url": settings.SITE_URL},
            ),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[user.email],
        )
        user.inactivity_warned_at = now
        user.save(update_fields=["inactivity_warned_at"])
        AccountEvent.objects.create(
            user=user, kind=AccountEventKind.INACTIVITY_WARNING, at=now, detail=f"désactivation le {deadline:%d/%m/%Y}"
        )
    return [user.pk for user in users]


@transaction.atomic
def accounts_deactivate_unused(*, now=None) -> list[int]:
    """Deactivate the accounts unused for ``DCC_ACCOUNT_UNUSED_DAYS`` days (idempotent)."""
    now = now or timezone.now()
    threshold = now - timedelta(days=settings.DCC_ACCOUNT_UNUSED_DAYS)
    users = list(
        User.objects.annotate(last_activity=_last_activity())
        .filter(is_active=True, is_superuser=False, last_activity__lt=threshold)
        .select_for_update(of=("self",))
    )
    for user in users:
        user.is_active = False
        user.save(update_fields=["is_active"])
        AccountEvent.objects.create(
            user=user,
            kind=AccountEventKind.DEACTIVATED_UNUSED,
            at=now,
            detail=f"aucune connexion depuis le {user.last_activity:%d/%m/%Y}",
        )
    return [user.pk for user in users]


@transaction.atomic
def user_deactivate(*, user: User, by: User, reason: str = "") -> User:
    """Deactivate an account at once (departure, suspicion of misuse)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        return user
    user.is_active = False
    user.save(update_fields=["is_active"])
    AccountEvent.objects.create(user=user, kind=AccountEventKind.DEACTIVATED_BY_ADMIN, by=by, detail=reason[:255])
    return user


@transaction.atomic
def user_reactivate(*, user: User, by: User, reason: str = "") -> User:
    """Reactivate an account (the inactivity clock restarts now)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_active:
        return user
    user.is_active = True
    user.reactivated_at = timezone.now()
    user.inactivity_warned_at = None
    user.save(update_fields=["is_active", "reactivated_at", "inactivity_warned_at"])
    AccountEvent.objects.create(user=user, kind=AccountEventKind.REACTIVATED, by=by, detail=reason[:255])
    return user


# --- Rights ------------------------------------------------------------------------------


@transaction.atomic
def profile_permissions_load_defaults() -> int:
    """Add each profile's default rights that are missing (it restores a default an admin removed:
    call it on an empty table, or for the demo)."""
    from dcc.accounts.enums import DEFAULT_PERMISSIONS
    from dcc.accounts.models import ProfilePermission

    existing = set(ProfilePermission.objects.values_list("profile", "permission"))
    missing = [
        ProfilePermission(profile=profile, permission=permission)
        for profile, permissions in DEFAULT_PERMISSIONS.items()
        for permission in sorted(permissions)
        if (profile, permission) not in existing
    ]
    ProfilePermission.objects.bulk_create(missing)
    perms.rights_cache_clear()
    transaction.on_commit(perms.rights_cache_clear)
    return len(missing)
