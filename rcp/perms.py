"""Who may see and edit the RCP catalogue and agenda (no patient data here).

- Every user holding a profile sees the catalogue and the agendas (the GP and the read-only
  profiles included: they hold no patient data).
- A 3C secretary edits the RCPs (and their agenda and attendance) of the 3C of her grant; the
  regional admin edits every RCP. A doctor, even of the RCP's own 3C, does not edit the catalogue.
"""

from __future__ import annotations

from dcc.accounts import perms as account_perms
from dcc.accounts.enums import Profile


def can_view_catalogue(user) -> bool:
    return account_perms.has_any_profile(user) or bool(user.is_authenticated and user.is_superuser)


def is_regional_admin(user) -> bool:
    return bool(
        user.is_authenticated and user.is_active and (user.is_superuser or user.has_profile(Profile.ADMIN_REGIONAL))
    )


def editable_three_c_ids(user) -> set[int] | None:
    """The 3C whose RCPs the user may edit: ``None`` means all of them (regional admin)."""
    if not (user.is_authenticated and user.is_active):
        return set()
    if is_regional_admin(user):
        return None
    cached = getattr(user, "_rcp_editable_three_cs", None)
    if cached is not None:
        return cached
    ids: set[int] = set()
    for grant in user.active_grants():
        if grant.profile == Profile.SECRETAIRE_3C:
            ids.update(three_c.pk for three_c in grant.three_cs.all())
    user._rcp_editable_three_cs = ids
    return ids


def can_manage_catalogue(user) -> bool:
    """May create RCPs (in at least one 3C)."""
    ids = editable_three_c_ids(user)
    return ids is None or bool(ids)


def can_edit_rcp(user, rcp) -> bool:
    """May edit this RCP, its members, quorum rule, recurrences, sessions and attendance."""
    ids = editable_three_c_ids(user)
    return ids is None or rcp.three_c_id in ids


def can_administer_value_sets(user) -> bool:
    return is_regional_admin(user)


def can_manage_mentions(user) -> bool:
    """Mentions and specialty tags are regional: the regional admin edits them."""
    return is_regional_admin(user)
