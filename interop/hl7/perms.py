"""Who may see the interop monitoring (messages, ACKs, identity-vigilance queue) and act on it."""

from dcc.accounts.enums import Permission
from dcc.accounts.perms import user_can


def can_monitor_interop(user) -> bool:
    """Messages carry patient identities: the regional holders of ``interop_monitor`` only."""
    return bool(user.is_authenticated) and user_can(user, Permission.INTEROP_MONITOR)
