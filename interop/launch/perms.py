"""Who may use the contextual-launch pages (the launch endpoint itself needs no session: it logs in)."""

from __future__ import annotations

from dcc.accounts import perms
from dcc.accounts.enums import Permission


def can_simulate(user) -> bool:
    """The demo DPI simulator (right ``launch_simulate``, the regional admin by default)."""
    return perms.user_can(user, Permission.LAUNCH_SIMULATE)
