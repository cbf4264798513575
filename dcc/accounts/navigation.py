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
    if perms.can_audit_trail(user):
        items.append(NavItem("Traçabilité", reverse("records:trail"), "records"))
    if perms.can_impersonate(user):
        items.append(NavItem("Support", reverse("accounts:impersonate"), "accounts"))
    if perms.can_administer(user):
        items.append(NavItem("Administration", reverse("admin:index"), "admin"))
    return items
