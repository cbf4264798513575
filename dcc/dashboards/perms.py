"""Who may see which figures and export which data.

``stats_read`` opens the dashboards, ``data_export`` the exports; both within the grant's scope: a regional
profile sees the region, a 3C secretary the 3C(s) of her grant (named, or through its establishments).
"""

from __future__ import annotations

from dcc.accounts.enums import REGIONAL_PROFILES, Permission
from dcc.accounts.perms import profile_permissions, user_can


def can_view_dashboards(user) -> bool:
    return user_can(user, Permission.STATS_READ)


def can_export(user) -> bool:
    return user_can(user, Permission.DATA_EXPORT)


def three_c_scope(user, permission: str = Permission.STATS_READ) -> frozenset[int] | None:
    """The 3C ids ``user`` holds ``permission`` for; ``None`` means the whole region.

    An empty set means no 3C at all (the caller refuses the page).
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    permissions = profile_permissions(user)
    ids: set[int] = set()
    for grant in user.scoped_grants():
        if permission not in permissions.get(grant.profile, ()):
            continue
        if grant.profile in REGIONAL_PROFILES:
            return None
        ids.update(item.pk for item in grant.three_cs.all())
        ids.update(est.three_c_id for est in grant.establishments.all() if est.three_c_id)
    return frozenset(ids)


def is_regional(user, permission: str = Permission.STATS_READ) -> bool:
    return three_c_scope(user, permission) is None


def can_view_three_c(user, three_c_id: int, permission: str = Permission.STATS_READ) -> bool:
    scope = three_c_scope(user, permission)
    return scope is None or three_c_id in scope


def can_edit_indemnity_rule(user) -> bool:
    """The region's indemnification rule: the regional administrator (``users_admin``)."""
    return user_can(user, Permission.USERS_ADMIN)


def can_see_own_certificates(user) -> bool:
    """A professional of the directory with a profile, who has no dashboards (those reach them from the tools)."""
    from dcc.accounts.perms import has_any_profile

    return bool(has_any_profile(user) and user.professional_id and not can_view_dashboards(user))
