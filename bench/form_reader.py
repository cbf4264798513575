"""What a browser would post for a form of a page: the benchmark's writes send the fields as a browser would.

Parsed with lxml (a C parser): the load generator shares the machine's cores with the server it measures, and
Python's ``html.parser`` took about ten milliseconds of them per fiche form. Kept apart from
``bench/locustfile.py`` (which imports Locust, and so gevent's monkey-patching) so that the tests can read a real
page with it.
"""

from __future__ import annotations

import lxml.html

NOT_SENT = {"submit", "button", "image", "reset", "file"}


def form_fields(html: str, action: str, page: str = "") -> list[tuple[str, str]]:
    """The fields of the POST form whose action ends with ``action`` (a form without an ``action`` posts to its
    own page: give that page's path as ``page``), as a browser would send them; [] when there is no such form."""
    for form in lxml.html.document_fromstring(html).forms:
        if (form.method or "").lower() == "post" and (form.get("action") or page).endswith(action):
            return _sent(form)
    return []


def _sent(form) -> list[tuple[str, str]]:
    fields: list[tuple[str, str]] = []
    for element in form.inputs:
        name = element.get("name")
        if not name or "disabled" in element.attrib:
            continue
        if element.tag == "textarea":
            fields.append((name, (element.value or "").removeprefix("\n")))  # the parser keeps the first newline
        elif element.tag == "select":
            if element.multiple:
                fields.extend((name, value) for value in element.value)
            elif element.value is not None:  # the selected option, else the first one
                fields.append((name, element.value))
        else:
            kind = (element.get("type") or "text").lower()
            if kind in {"checkbox", "radio"}:
                if "checked" in element.attrib:
                    fields.append((name, element.get("value") or "on"))
            elif kind not in NOT_SENT:
                fields.append((name, element.get("value") or ""))
    return fields
