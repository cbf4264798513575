"""Submit a rendered HTML form the way a browser does (for round-trip tests without a browser).

A browser drops the value of an ``<input type="date">`` that is not an ISO date (``21/11/2026``) and of an
``<input type="time">`` that is not ``HH:MM[:SS]``: the field shows empty and posts ``""``. This helper does
the same, so a test that re-posts a form as rendered catches a widget that would erase a stored date.
"""

from __future__ import annotations

import re

import lxml.html

_VALID = {
    "date": re.compile(r"^\d{4}-\d{2}-\d{2}$"),
    "time": re.compile(r"^\d{2}:\d{2}(:\d{2}(\.\d+)?)?$"),
}


def browser_form_data(html: str | bytes, *, containing: str) -> dict[str, str | list[str]]:
    """The data the browser would post for the form holding a field named ``containing``, unchanged."""
    document = lxml.html.fromstring(html)
    matches = document.xpath(f'//form[.//*[@name="{containing}"]]')
    assert matches, f"aucun formulaire avec le champ {containing!r}"
    form = matches[0]
    data: dict[str, list[str]] = {}

    def add(name, value):
        data.setdefault(name, []).append(value)

    for element in form.xpath(".//input|.//select|.//textarea"):
        name = element.get("name")
        if not name or element.get("disabled") is not None:
            continue
        if element.tag == "input":
            kind = (element.get("type") or "text").lower()
            if kind in {"submit", "button", "reset", "file", "image"}:
                continue
            if kind in {"checkbox", "radio"}:
                if element.get("checked") is not None:
                    add(name, element.get("value", "on"))
                continue
            value = element.get("value", "")
            if kind in _VALID and value and not _VALID[kind].match(value):
                value = ""  # what the browser does with a value it cannot parse
            add(name, value)
        elif element.tag == "select":
            options = element.xpath(".//option")
            selected = [o for o in options if o.get("selected") is not None]
            if element.get("multiple") is not None:
                for option in selected:
                    add(name, option.get("value", option.text_content()))
            elif options:
                chosen = selected[-1] if selected else options[0]
                add(name, chosen.get("value", chosen.text_content()))
        else:
            add(name, element.text or "")
    return {name: values[0] if len(values) == 1 else values for name, values in data.items()}
