"""The navigation bar computed once per session, recomputed when rights change.

``nav_items(user)`` asks every app whether its entry is visible, which costs the user's grants and their 3Cs
and establishments: four or five queries on every page. The items are kept in the session under a key made of
the user, the day (grants end at a date) and a rights *generation*: a token in the cache replaced whenever a
grant, a right of a profile or a user changes (``dcc/accounts/rights_cache.py``), so a change shows on
the next page. Without the cache (Redis down) the items are computed as before.
"""

from __future__ import annotations

import contextlib

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from dcc.accounts.navigation import NavItem, nav_items
from dcc.accounts.rights_cache import rights_changed, rights_generation
from dcc.directory.models import Professional
from dcc.directory.signals import professionals_changed

NAV_SESSION_KEY = "dcc_nav"


def session_nav_items(request, user=None) -> list[NavItem]:
    user = user or request.user
    session = getattr(request, "session", None)
    if session is None or getattr(request, "dcc_impersonator", None) is not None:
        return nav_items(user)
    try:
        key = f"{user.pk}:{rights_generation()}:{timezone.localdate().isoformat()}"
    except Exception:
        return nav_items(user)
    stored = session.get(NAV_SESSION_KEY)
    if stored and stored[0] == key:
        return [NavItem(*row) for row in stored[1]]
    items = nav_items(user)
    session[NAV_SESSION_KEY] = [key, [[item.label, item.url, item.section] for item in items]]
    return items


def remember_at_login(*, request, user, **_kwargs) -> None:
    """Compute the menu with the login, so the first page costs what every page costs."""
    if request is None or getattr(request, "session", None) is None:
        return
    with contextlib.suppress(Exception):
        session_nav_items(request, user)


def connect() -> None:
    from django.contrib.auth.signals import user_logged_in

    from dcc.accounts.models import ProfileGrant, ProfilePermission, User

    user_logged_in.connect(remember_at_login, dispatch_uid="nav-at-login")
    # The signed-in user is cached with its professional (``backends.request_user``).
    professionals_changed.connect(rights_changed, dispatch_uid="nav-professionals-bulk")

    for model in (ProfileGrant, ProfilePermission, User, Professional):
        post_save.connect(rights_changed, sender=model, dispatch_uid=f"nav-{model.__name__}-save")
        post_delete.connect(rights_changed, sender=model, dispatch_uid=f"nav-{model.__name__}-delete")
    for through in (ProfileGrant.three_cs.through, ProfileGrant.establishments.through):
        m2m_changed.connect(rights_changed, sender=through, dispatch_uid=f"nav-{through.__name__}")
