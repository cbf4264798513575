"""Authentication backends: an expired account (``expires_on`` in the past) cannot log in or stay in."""

from __future__ import annotations

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth.backends import ModelBackend


def _usable(user) -> bool:
    return bool(user.is_active and not user.is_expired())


class DccModelBackend(ModelBackend):
    def user_can_authenticate(self, user) -> bool:
        return _usable(user)


class DccAuthenticationBackend(AllauthBackend):
    def user_can_authenticate(self, user) -> bool:
        return _usable(user)
