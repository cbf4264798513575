"""Celery adapters of the records app (thin, idempotent, taking ids)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="records.send_break_glass_alert")
def send_break_glass_alert(grant_id: int) -> int:
    from dcc.records.notifications import break_glass_alert_send

    return break_glass_alert_send(grant_id=grant_id)
