"""EDP types and library, groupements and relative dates, PPS, PPAC, protocols, calendar."""

from django.apps import AppConfig


class PpsConfig(AppConfig):
    name = "pps"
    label = "pps"
    verbose_name = "PPS et PPAC"

    def ready(self) -> None:
        from dcc.accounts.navigation import register
        from pps.perms import can_author_pps, can_use_library

        register(
            order=40,
            label="PPS",
            section="pps",
            # Authors land on their patients' PPS; the admin on the regional library.
            url_name=lambda user: "pps:home" if can_author_pps(user) else "pps:library",
            visible=can_use_library,
        )
