"""Who works on the MSSanté returns: the 3C secretaries (their 3C's sends) and the regional admin (the region).

Both hold the right to run the RCP agenda (``rcp_agenda``): the people who keep a 3C's RCP operations
keep the returns of its sends. The scope follows that right's grants (3C named, or 3C of the
establishments named; regional profiles: the whole region).
"""

from __future__ import annotations

from dcc.accounts import perms as account_perms
from dcc.accounts.enums import REGIONAL_PROFILES, Permission

RIGHT = Permission.RCP_AGENDA


def can_view_quality(user) -> bool:
    return account_perms.user_can(user, RIGHT)


def scope_three_c_ids(user) -> set[int] | None:
    """The 3C whose sends the user works on; ``None`` for the whole region."""
    holders = {profile for profile, held in account_perms.profile_permissions(user).items() if RIGHT in held}
    ids: set[int] = set()
    for grant in user.scoped_grants():
        if grant.profile not in holders:
            continue
        if grant.profile in REGIONAL_PROFILES:
            return None
        ids.update(three_c.pk for three_c in grant.three_cs.all())
        ids.update(est.three_c_id for est in grant.establishments.all() if est.three_c_id)
    return ids


def can_act_on(user, three_c_ids: set[int] | None, address_three_c_ids: set[int]) -> bool:
    """A regional user acts on every address; a secretary on the addresses failing in her 3C's sends."""
    return three_c_ids is None or bool(three_c_ids & address_three_c_ids)
