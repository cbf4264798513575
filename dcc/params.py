"""Query and POST parameters read outside a full form: each through a form field, a French 400 when malformed.

``int_param(request.GET, "patient", label="patient")`` returns the value or raises ``ParameterError`` (a
``BadRequest``): Django answers 400 with the French error page, which shows the message.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import BadRequest, ValidationError

# PostgreSQL's bigint: a larger identifier names nothing.
MAX_ID = 2**63 - 1


class ParameterError(BadRequest):
    """A malformed parameter: its message is French and shown on the 400 page."""


def _clean(field: forms.Field, data, name: str, label: str):
    try:
        return field.clean(data.get(name))
    except ValidationError as exc:
        raise ParameterError(f"Paramètre « {label} » invalide : {' '.join(exc.messages)}") from None


def int_param(
    data, name: str, *, label: str, required: bool = False, min_value: int = 1, max_value: int = MAX_ID
) -> int | None:
    field = forms.IntegerField(
        required=required,
        min_value=min_value,
        max_value=max_value,
        error_messages={"invalid": "un nombre entier est attendu.", "required": "il est obligatoire."},
    )
    return _clean(field, data, name, label)
