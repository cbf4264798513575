"""Every date widget round-trips its value: ISO in the ``value`` attribute, nothing erased by a save.

Issue 15, finding 1: with Django's French locale a ``DateInput`` rendered ``21/11/2026``, which an
``<input type="date">`` rejects (the field shows empty), so re-saving a fiche erased its diagnosis date.
"""

from __future__ import annotations

import datetime
import importlib
import inspect
from pathlib import Path

import pytest
from django import forms
from django.conf import settings

PROJECT_PACKAGES = ("dcc", "identity", "rcp", "pps", "interop")


def _project_form_classes():
    """Every Form class defined in a ``*forms*.py`` module of the project."""
    found = {}
    for package in PROJECT_PACKAGES:
        root = Path(settings.BASE_DIR) / package
        for path in root.rglob("*forms*.py"):
            if "migrations" in path.parts:
                continue
            module_name = ".".join(path.relative_to(settings.BASE_DIR).with_suffix("").parts)
            module = importlib.import_module(module_name)
            for name, value in vars(module).items():
                if inspect.isclass(value) and issubclass(value, forms.BaseForm) and value.__module__ == module_name:
                    found[f"{module_name}.{name}"] = value
    return found


def test_the_project_has_date_fields_to_check():
    classes = _project_form_classes()
    dated = [
        name for name, cls in classes.items() if any(isinstance(f, forms.DateField) for f in cls.base_fields.values())
    ]
    # The fiche, the recurrence, the session move, PPS, PPAC, identity, records: all are found.
    assert {"rcp.forms.FicheForm", "rcp.forms.RecurrenceForm", "rcp.forms.SessionForm"} <= set(dated)
    assert len(dated) >= 12, dated


@pytest.mark.parametrize("name", sorted(_project_form_classes()))
def test_every_date_and_time_widget_writes_iso_values(name):
    form_class = _project_form_classes()[name]
    day, hour = datetime.date(2026, 11, 21), datetime.time(14, 5)
    for field_name, field in form_class.base_fields.items():
        widget = field.widget
        if isinstance(field, forms.DateField):
            assert getattr(widget, "input_type", "") == "date", f"{name}.{field_name} n'est pas un sélecteur de date"
            assert widget.format_value(day) == "2026-11-21", f"{name}.{field_name}: {widget.format_value(day)!r}"
        elif isinstance(field, forms.TimeField):
            assert getattr(widget, "input_type", "") == "time", f"{name}.{field_name}"
            assert widget.format_value(hour) == "14:05", f"{name}.{field_name}: {widget.format_value(hour)!r}"


def test_html_date_inputs_written_by_hand_use_iso_values():
    """Templates that write ``<input type="date">`` themselves format the value as ISO."""
    offenders = []
    for path in (Path(settings.BASE_DIR) / "templates").rglob("*.html"):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if 'type="date"' in line and "value=" in line and "|date:'Y-m-d'" not in line:
                offenders.append(f"{path.name}:{number}")
    assert not offenders
