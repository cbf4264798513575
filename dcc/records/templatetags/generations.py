"""``{% worker_down waiting as down %}``: whether to tell the user the document service does not answer."""

from __future__ import annotations

from django import template

from dcc.records.enums import GenerationStatus
from dcc.records.models import DocumentGeneration
from dcc.worker_status import worker_responding

register = template.Library()


def _waiting(value) -> bool:
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, DocumentGeneration):
        return value.status == GenerationStatus.PENDING
    return any(_waiting(item) for item in value)


@register.simple_tag
def worker_down(waiting) -> bool:
    """True when something waits for the worker (a generation, a list of them, or a bool) and no worker heartbeat
    is fresh. The cache is read only when something is pending."""
    return _waiting(waiting) and not worker_responding()
