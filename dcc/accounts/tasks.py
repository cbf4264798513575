"""Celery adapters of the accounts app (thin, idempotent)."""

from __future__ import annotations

from celery import shared_task

from dcc.accounts.lockout import failures_purge


@shared_task(name="accounts.deactivate_unused_accounts")
def deactivate_unused_accounts() -> dict:
    """Nightly: warn the accounts about to be deactivated, then deactivate the unused ones."""
    from dcc.accounts import services

    warned = services.accounts_warn_unused()
    deactivated = services.accounts_deactivate_unused()
    return {"warned": len(warned), "deactivated": len(deactivated)}


@shared_task(name="accounts.purge_login_failures")
def purge_login_failures() -> int:
    """Nightly: drop the login failures past their retention; returns how many."""
    return failures_purge()
