"""Celery adapters of the accounts app (thin, idempotent)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="accounts.deactivate_unused_accounts")
def deactivate_unused_accounts() -> dict:
    """Nightly: warn the accounts about to be deactivated, then deactivate the unused ones."""
    from dcc.accounts import services

    warned = services.accounts_warn_unused()
    deactivated = services.accounts_deactivate_unused()
    return {"warned": len(warned), "deactivated": len(deactivated)}
