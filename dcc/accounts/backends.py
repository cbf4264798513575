"""Authentication backends: an expired account (``expires_on`` in the past) cannot log in or stay in.

The user of each request is loaded with its professional identity: every page names the person (menu, trail
line), which otherwise costs a second query per request.
"""

from __future__ import annotations

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth.backends import ModelBackend

from dcc.accounts.models import User


class _DccBackendMixin:
    """What both backends add: expired or inactive accounts refused, the request's user loaded with its
    professional."""

    def user_can_authenticate(self, user) -> bool:
        return bool(user.is_active and not user.is_expired())

    def get_user(self, user_id) -> User | None:
        user = User.objects.select_related("professional").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None


class DccModelBackend(_DccBackendMixin, ModelBackend):
    pass


class DccAuthenticationBackend(_DccBackendMixin, AllauthBackend):
    pass
