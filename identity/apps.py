"""Patients: INS and strict traits, RNIV statuses, INSi client, duplicates and merge."""

from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "identity"
    label = "identity"
    verbose_name = "Identité des patients"

    def ready(self) -> None:
        from dcc.accounts.navigation import register
        from identity.perms import can_search_patients

        register(
            order=20, label="Patients", section="identity", url_name="identity:search", visible=can_search_patients
        )
