"""Figures of the accounts app for the dashboards (``dcc.dashboards``): users' main profiles and scopes."""

from __future__ import annotations

from django.db.models import Q

from dcc.accounts.enums import HOME_PRIORITY
from dcc.accounts.models import ProfileGrant, User


def main_profiles(user_ids) -> dict[int, str]:
    """User id → main profile (the one that chooses the home page), "" without an active profile (one query)."""
    held: dict[int, set[str]] = {}
    for user_id, profile in ProfileGrant.objects.filter(user_id__in=set(user_ids), is_active=True).values_list(
        "user_id", "profile"
    ):
        held.setdefault(user_id, set()).add(profile)
    return {
        user_id: next((profile for profile in HOME_PRIORITY if profile in profiles), "")
        for user_id, profiles in held.items()
    }


def general_practitioner_users(user_ids, codes) -> set[int]:
    """The users among ``user_ids`` whose directory professional has a general-practice specialty."""
    return set(
        User.objects.filter(pk__in=set(user_ids), professional__specialty_id__in=codes).values_list("pk", flat=True)
    )


def users_in_scope(*, three_c_ids=None, establishment_id=None):
    """Ids of the users with an active grant naming one of the 3Cs (or one of their establishments), or the
    establishment: a queryset for ``__in`` filters."""
    grants = ProfileGrant.objects.filter(is_active=True)
    if three_c_ids is not None:
        grants = grants.filter(Q(three_cs__in=three_c_ids) | Q(establishments__three_c_id__in=three_c_ids))
    if establishment_id:
        grants = grants.filter(establishments=establishment_id)
    return grants.values("user_id")
