"""The navigation bar, computed from the user's rights."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from dcc.accounts import perms


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    section: str


def nav_items(user) -> list[NavItem]:
    items = [NavItem("Accueil", reverse("home"), "home")]
    if perms.can_browse_directory(user):
        items.append(NavItem("Annuaire", reverse("directory:professionals"), "directory"))
    from pps.perms import can_author_pps, can_use_library

    if can_use_library(user):
        items.append(NavItem("PPS", reverse("pps:home" if can_author_pps(user) else "pps:library"), "pps"))
    if perms.can_administer(user):
        items.append(NavItem("Administration", reverse("admin:index"), "admin"))
    return items
