"""Who may do what, as plain functions used by views, templates and tests.

The full rights model (per-profile permissions, patient-level access, bris de glace) builds on
these functions; views never test profiles directly.
"""

from __future__ import annotations

from dcc.accounts.enums import Profile


def has_any_profile(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.profiles)


def can_browse_directory(user) -> bool:
    """The regional directory (3C, establishments, professionals) holds no patient data."""
    return has_any_profile(user) or bool(user.is_authenticated and user.is_superuser)


def can_administer(user) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or (user.is_staff and user.has_profile(Profile.ADMIN_REGIONAL)))
    )
