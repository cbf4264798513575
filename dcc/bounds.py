"""Plausible values on every form: dates between 1900 and a few years ahead (past-only dates not after today),
free text at most ``DCC_TEXT_MAX_LENGTH`` characters. French messages; the forms' own rules come on top.

Forms opt in with ``BoundedFormMixin`` (the apps' ``StyledForm`` bases do).
"""

from __future__ import annotations

import datetime

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils import timezone

EARLIEST = datetime.date(1900, 1, 1)
# Dates that cannot be in the future: birth, death, discovery, diagnosis, act, delivery.
PAST_ONLY = {"birth_date", "date_of_death", "discovery_date", "diagnosis_date", "act_date", "delivered_on"}
FUTURE_YEARS = 10


def _years_ahead(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class DateBounds:
    def __init__(self, *, past_only: bool):
        self.past_only = past_only

    def __call__(self, value):
        if value is None:
            return
        if value < EARLIEST:
            raise ValidationError(f"La date doit être postérieure au {EARLIEST:%d/%m/%Y}.", code="date_too_early")
        today = timezone.localdate()
        if self.past_only and value > today:
            raise ValidationError("Cette date ne peut pas être dans le futur.", code="date_in_future")
        latest = _years_ahead(today, FUTURE_YEARS)
        if value > latest:
            raise ValidationError(f"La date doit être antérieure au {latest:%d/%m/%Y}.", code="date_too_late")


def apply_bounds(form: forms.Form) -> None:
    limit = getattr(settings, "DCC_TEXT_MAX_LENGTH", 10_000)
    for name, field in form.fields.items():
        if isinstance(field, forms.DateField):
            field.validators.append(DateBounds(past_only=name in PAST_ONLY))
        elif type(field) is forms.CharField and field.max_length is None:
            field.max_length = limit
            field.validators.append(
                MaxLengthValidator(
                    limit, message=f"Le texte est trop long : {limit} caractères au plus (%(show_value)s saisis)."
                )
            )
            field.widget.attrs.setdefault("maxlength", str(limit))


class BoundedFormMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        apply_bounds(self)
