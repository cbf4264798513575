"""Form widgets shared by every app.

An ``<input type="date">`` only understands ISO dates (``2026-11-21``) in its ``value``: the browser shows
them in the user's format and posts them back as ISO. Django's French locale would otherwise render
``21/11/2026``, which the browser rejects silently (the field looks empty) and a save then erases the date.
Every date field of the project uses :class:`IsoDateInput`; ``tests/platform/test_date_widgets.py`` checks it.

:class:`FastSelect` is a cheaper select for the long forms (fiche RCP, PPS): the same HTML as Django's,
without a template per option.
"""

from __future__ import annotations

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

ISO_DATE = "%Y-%m-%d"
HOUR_MINUTE = "%H:%M"


class IsoDateInput(forms.DateInput):
    """A native date picker whose value round-trips (ISO in the ``value`` attribute)."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=ISO_DATE)


class HourMinuteInput(forms.TimeInput):
    """A native time picker showing hours and minutes (``14:00``, not ``14:00:00``)."""

    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=HOUR_MINUTE)


class FastSelect(forms.Select):
    """``forms.Select`` rendered by string formatting: Django renders one template per ``<option>``."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (option["value"], mark_safe(" selected") if option["selected"] else "", option["label"])
                for _group, choices, _index in widget["optgroups"]
                for option in choices
            ),
        )
        return format_html('<select name="{}"{}>{}</select>', widget["name"], flatatt(widget["attrs"]), options)
