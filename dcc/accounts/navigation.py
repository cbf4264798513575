"""The navigation bar, computed from the user's rights.

Each app registers its entries from its ``AppConfig.ready()`` with ``register(...)``: the accounts
app (lowest layer) never imports the apps above it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    section: str


@dataclass(frozen=True)
class NavEntry:
    order: int
    label: str
    section: str
    url_name: str | Callable[[object], str]
    visible: Callable[[object], bool]


_ENTRIES: dict[str, NavEntry] = {}


def register(
    *, order: int, label: str, section: str, url_name: str | Callable[[object], str], visible: Callable
) -> None:
    """Add (or replace) the entry of ``section``; ``url_name`` may depend on the user. The entry is the current one
    on the pages of the URL namespace ``section``, or of the view ``section`` (``"records:quarantine"``)."""
    _ENTRIES[section] = NavEntry(order, label, section, url_name, visible)


def nav_items(user) -> list[NavItem]:
    items = []
    for entry in sorted(_ENTRIES.values(), key=lambda entry: entry.order):
        if entry.visible(user):
            url_name = entry.url_name(user) if callable(entry.url_name) else entry.url_name
            items.append(NavItem(entry.label, reverse(url_name), entry.section))
    return items
