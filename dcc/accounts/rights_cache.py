"""What a user may do, read from the cache instead of three queries on every page.

Every page needs the user's grants with their 3Cs and establishments (permissions, care scope, menu). They are
kept in the cache under the user and a rights *generation*: a token replaced whenever a grant, its scope, a
right of a profile or a user changes (signals connected in ``nav_cache.connect``), so a change applies from
the next page. The token is deleted rather than replaced: a deletion that fails while Redis is down is
replayed when it answers again (``dcc/cache.py``), so a grant withdrawn during an outage is not kept
afterwards. Without the cache the grants are read from the database as before. Cached values also expire
after ``TTL`` seconds.
"""

from __future__ import annotations

import contextlib
import uuid

from django.core.cache import cache
from django.db import transaction
from django.db.models import prefetch_related_objects

GENERATION_KEY = "dcc:rights-generation"
TTL = 600


def rights_generation() -> str:
    token = cache.get(GENERATION_KEY)
    if token is None:
        token = uuid.uuid4().hex
        cache.add(GENERATION_KEY, token, None)
        token = cache.get(GENERATION_KEY) or token
    return token


def rights_changed(update_fields=None, **_kwargs) -> None:
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return  # a login changes no right: keep every cached menu and grant
    _forget()
    # Again once committed: a page read between the signal and the commit would cache the rights before the change.
    transaction.on_commit(_forget)


def _forget() -> None:
    with contextlib.suppress(Exception):  # without the cache there is nothing cached to refresh
        cache.delete(GENERATION_KEY)


def load_grants(user) -> list:
    """Every grant of ``user`` (active or not) with its 3Cs and establishments (and theirs), from the database."""
    grants = list(user.profile_grants.order_by("profile"))
    prefetch_related_objects(grants, "three_cs", "establishments__three_c")
    return grants


def grants_of(user) -> list:
    """Every grant of ``user`` (active or not) with its 3Cs and establishments loaded."""
    key = None
    with contextlib.suppress(Exception):
        key = f"dcc:grants:{user.pk}:{rights_generation()}"
        cached = cache.get(key)
        if cached is not None:
            return cached
    grants = load_grants(user)
    if key is not None:
        with contextlib.suppress(Exception):
            cache.set(key, grants, TTL)
    return grants
