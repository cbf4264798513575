"""Helpers shared by the RCP views: form errors from a service, and tracing the patient data a page shows."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError

from dcc.records.enums import TrailAction
from dcc.records.trail import trail_record, trail_record_many


def errors_to_form(form, exc: ValidationError) -> None:
    """A service's refusal shown on the form: on its field when the form has it, else above the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def trace(request, patient, obj, action: str = TrailAction.READ, detail: str = "") -> None:
    """One trail line for a page about one patient: a single INSERT, atomic by itself (no BEGIN/COMMIT trips)."""
    trail_record(user=request.user, action=action, patient=patient, obj=obj, request=request, detail=detail)


def trace_dossiers(request, dossiers: Iterable, *, detail: str) -> None:
    """One trail line per dossier a page lists, written in a single INSERT whatever their number."""
    trail_record_many(
        user=request.user,
        action=TrailAction.READ,
        items=[(dossier.patient_id, dossier) for dossier in dossiers],
        request=request,
        detail=detail,
    )
