"""Users, profiles and rights, login, expiry, impersonation."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "dcc.accounts"
    label = "accounts"
    verbose_name = "Comptes et droits"

    def ready(self) -> None:
        from dcc.accounts import receivers  # noqa: F401
