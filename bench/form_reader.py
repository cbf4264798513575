"""What a browser would post for a form of a page: the benchmark's writes send the fields as a browser would.

Kept apart from ``bench/locustfile.py`` (which imports Locust, and so gevent's monkey-patching) so that the tests
can read a real page with it.
"""

from __future__ import annotations

from html.parser import HTMLParser


class FormReader(HTMLParser):
    """The fields a browser would post for the form whose action ends with ``action`` (a form without an
    ``action`` posts to its own page: give that page's path as ``page``)."""

    def __init__(self, action: str, page: str = ""):
        super().__init__(convert_charrefs=True)
        self.action = action
        self.page = page
        self.inside = False
        self.fields: list[tuple[str, str]] = []
        self._select: str | None = None
        self._select_first: str | None = None
        self._select_chosen = False
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            posts = (a.get("method") or "").lower() == "post"
            self.inside = posts and (a.get("action") or self.page).endswith(self.action)
            return
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name and "disabled" not in a:
            kind = (a.get("type") or "text").lower()
            if kind in {"checkbox", "radio"}:
                if "checked" in a:
                    self.fields.append((name, a.get("value") or "on"))
            elif kind not in {"submit", "button", "file", "reset"}:
                self.fields.append((name, a.get("value") or ""))
        elif tag == "select" and name:
            self._select, self._select_first, self._select_chosen = name, None, False
        elif tag == "option" and self._select is not None:
            value = a.get("value") or ""
            if self._select_first is None:
                self._select_first = value
            if "selected" in a:
                self.fields.append((self._select, value))
                self._select_chosen = True
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self._select is not None:
            if not self._select_chosen and self._select_first is not None:
                self.fields.append((self._select, self._select_first))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.fields.append((self._textarea, "".join(self._text).removeprefix("\n")))
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)


def form_fields(html: str, action: str, page: str = "") -> list[tuple[str, str]]:
    reader = FormReader(action, page)
    reader.feed(html)
    return reader.fields
