"""Login lockout: per account (``DCC_LOGIN_ACCOUNT_FAILURES`` failures lock it for ``DCC_LOGIN_ACCOUNT_LOCK_MINUTES``)
and a much higher limit per address (``DCC_LOGIN_ADDRESS_FAILURES`` in ``DCC_LOGIN_ADDRESS_WINDOW_MINUTES``), since
hundreds of hospital users share one NAT address. Failures live in the database (``LoginFailure``), so the lockout
holds while the cache is away. An account's failures count from its last successful login.
"""

from __future__ import annotations

import datetime
import math

from django.conf import settings
from django.utils import timezone

from dcc.accounts.models import LoginFailure


def normalise_login(login: str) -> str:
    return (login or "").strip().lower()[:254]


def failure_record(*, login: str, ip_address: str | None) -> None:
    LoginFailure.objects.create(login=normalise_login(login), ip_address=ip_address or None)


def _wait(failures, *, count: int, minutes: int, now) -> int:
    """Seconds until the ``count``-th latest failure leaves the window (0 when fewer than ``count``)."""
    window = datetime.timedelta(minutes=minutes)
    latest = list(failures.filter(at__gte=now - window).order_by("-at").values_list("at", flat=True)[:count])
    if len(latest) < count:
        return 0
    return max(0, math.ceil((latest[-1] + window - now).total_seconds()))


def lockout_wait(*, login: str, ip_address: str | None) -> tuple[int, str]:
    """(seconds left, "account" or "address"); (0, "") when the attempt may go on."""
    from dcc.accounts.models import User

    now = timezone.now()
    failures = LoginFailure.objects.filter(login=normalise_login(login))
    last_login = User.objects.filter(email__iexact=normalise_login(login)).values_list("last_login", flat=True).first()
    if last_login is not None:
        failures = failures.filter(at__gt=last_login)
    account = _wait(
        failures,
        count=settings.DCC_LOGIN_ACCOUNT_FAILURES,
        minutes=settings.DCC_LOGIN_ACCOUNT_LOCK_MINUTES,
        now=now,
    )
    if account:
        return account, "account"
    if ip_address:
        address = _wait(
            LoginFailure.objects.filter(ip_address=ip_address),
            count=settings.DCC_LOGIN_ADDRESS_FAILURES,
            minutes=settings.DCC_LOGIN_ADDRESS_WINDOW_MINUTES,
            now=now,
        )
        if address:
            return address, "address"
    return 0, ""


def wait_text(seconds: int) -> str:
    """« 14 minutes », « 1 minute », « 40 secondes »: the remaining wait in French."""
    if seconds < 60:
        return f"{seconds} seconde{'s' if seconds > 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minute{'s' if minutes > 1 else ''}"


def lockout_message(seconds: int, scope: str) -> str:
    if scope == "address":
        return (
            "Trop d'échecs de connexion depuis votre réseau. "
            f"Réessayez dans {wait_text(seconds)} ou contactez votre support informatique."
        )
    return f"Trop d'échecs de connexion pour ce compte : il est verrouillé. Réessayez dans {wait_text(seconds)}."


def failures_purge(*, now=None) -> int:
    """Delete the failures older than ``DCC_LOGIN_FAILURE_RETENTION_DAYS`` (nightly): long past any lockout window;
    the access trail keeps the failed logins."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.DCC_LOGIN_FAILURE_RETENTION_DAYS)
    deleted, _ = LoginFailure.objects.filter(at__lt=cutoff).delete()
    return deleted
