"""Form widgets shared by every app.

An ``<input type="date">`` only understands ISO dates (``2026-11-21``) in its ``value``: the browser shows
them in the user's format and posts them back as ISO. Django's French locale would otherwise render
``21/11/2026``, which the browser rejects silently (the field looks empty) and a save then erases the date.
Every date field of the project uses :class:`IsoDateInput`; ``tests/platform/test_date_widgets.py`` checks it.
"""

from __future__ import annotations

from django import forms

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
