"""The patient record: documents produced and imported, versions, files, access trail."""

from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "dcc.records"
    label = "records"
    verbose_name = "Dossier patient"

    def ready(self) -> None:
        from dcc.accounts.navigation import register
        from dcc.accounts.perms import can_audit_trail
        from dcc.records import receivers  # noqa: F401

        register(order=70, label="Traçabilité", section="records", url_name="records:trail", visible=can_audit_trail)
