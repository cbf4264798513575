"""RCP catalogue, tags/mentions, sessions, registrations, fiches, quorum, GP notice."""

from django.apps import AppConfig


class RcpConfig(AppConfig):
    name = "rcp"
    label = "rcp"
    verbose_name = "RCP"

    def ready(self) -> None:
        from dcc.accounts.navigation import register
        from dcc.accounts.perms import has_any_profile

        register(order=30, label="RCP", section="rcp", url_name="rcp:catalogue", visible=has_any_profile)
