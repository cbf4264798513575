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
from django.utils.safestring import mark_safe

from dcc.form_rendering import escape_text, html_attrs, option_html

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
    """``forms.Select`` rendered by string formatting: Django renders one template per ``<option>``.

    The same characters as Django's ``select.html`` (``tests/platform/test_fast_select.py`` compares them); a fiche
    form draws about two hundred options. Choices in groups are left to Django."""

    def render(self, name, value, attrs=None, renderer=None):
        values = self.format_value(value)
        found = False
        options = []
        for option_value, option_label in self.choices:
            if isinstance(option_label, list | tuple):
                return super().render(name, value, attrs, renderer)
            option_value = "" if option_value is None else str(option_value)
            # As ChoiceWidget.optgroups: only the first option whose value is among the values is selected.
            selected = not found and option_value in values
            found |= selected
            options.append(option_html(escape_text(option_value), option_label, " selected" if selected else ""))
        attributes = html_attrs(self.build_attrs(self.attrs, attrs))
        return mark_safe(f'<select name="{escape_text(name)}"{attributes}>{"".join(options)}\n</select>')  # noqa: S308
