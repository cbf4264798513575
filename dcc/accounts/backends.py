"""Authentication backends: an expired account (``expires_on`` in the past) cannot log in or stay in.

The user of each request is loaded with its professional identity (every page names the person: menu, trail
line) and its grants with their 3Cs and establishments (every page checks rights), and kept in the cache under
the rights generation (``rights_cache``): a page then makes no query for its user. Any save of a user, a grant
or a professional, and the directory's bulk changes, replace the generation, so a deactivated account, a new
password or a withdrawn grant applies from the next page.
"""

from __future__ import annotations

import contextlib

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache

from dcc.accounts.models import User
from dcc.accounts.rights_cache import TTL, load_grants, rights_generation


def request_user(user_id) -> User | None:
    """The user with its professional and every grant loaded, from the cache when it is there."""
    key = None
    with contextlib.suppress(Exception):  # without the cache, the database answers
        key = f"dcc:user:{int(user_id)}:{rights_generation()}"
        cached = cache.get(key)
        if cached is not None:
            return cached
    user = User.objects.select_related("professional").filter(pk=user_id).first()
    if user is None:
        return None
    user._prefetched_objects_cache = {"profile_grants": load_grants(user)}
    if key is not None:
        with contextlib.suppress(Exception):
            cache.set(key, user, TTL)
    return user


class _DccBackendMixin:
    """What both backends add: expired or inactive accounts refused, the request's user loaded with its
    professional."""

    def user_can_authenticate(self, user) -> bool:
        return bool(user.is_active and not user.is_expired())

    def get_user(self, user_id) -> User | None:
        user = request_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class DccModelBackend(_DccBackendMixin, ModelBackend):
    pass


class DccAuthenticationBackend(_DccBackendMixin, AllauthBackend):
    pass
