"""Users, profiles and rights, login, expiry, impersonation."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "dcc.accounts"
    label = "accounts"
    verbose_name = "Comptes et droits"

    def ready(self) -> None:
        from dcc.accounts import perms
        from dcc.accounts.navigation import register

        register(order=10, label="Accueil", section="home", url_name="home", visible=lambda user: True)
        # The directory sits below accounts: its entry is registered here, shown by an accounts rule.
        register(
            order=60,
            label="Annuaire",
            section="directory",
            url_name="directory:professionals",
            visible=perms.can_browse_directory,
        )
        register(
            order=80,
            label="Support",
            section="accounts",
            url_name="accounts:impersonate",
            visible=perms.can_impersonate,
        )
        from dcc.accounts.user_admin import can_manage_users

        register(order=85, label="Utilisateurs", section="users", url_name="users:list", visible=can_manage_users)
        register(
            order=90, label="Administration", section="admin", url_name="admin:index", visible=perms.can_administer
        )
        from dcc.accounts import receivers  # noqa: F401
        from dcc.accounts.nav_cache import connect

        connect()
