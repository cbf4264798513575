"""The navigation bar, computed from the user's rights."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from dcc.accounts import perms
from dcc.accounts.enums import PATIENT_CARE_PROFILES


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    section: str


def nav_items(user) -> list[NavItem]:
    items = [NavItem("Accueil", reverse("home"), "home")]
    if perms.can_browse_directory(user):
        items.append(NavItem("Annuaire", reverse("directory:professionals"), "directory"))
    from identity.perms import can_search_patients

    if can_search_patients(user):
        items.append(NavItem("Patients", reverse("identity:search"), "patients"))
    if perms.has_any_profile(user):
        items.append(NavItem("RCP", reverse("rcp:catalogue"), "rcp"))
    # PPS: its authors (patient-care profiles, see pps.perms) and the admin of its library.
    if perms.has_any_profile(user) and user.profiles & PATIENT_CARE_PROFILES:
        items.append(NavItem("PPS", reverse("pps:home"), "pps"))
    elif perms.can_administer(user):
        items.append(NavItem("PPS", reverse("pps:library"), "pps"))
    if perms.can_administer(user):
        items.append(NavItem("Administration", reverse("admin:index"), "admin"))
    return items
