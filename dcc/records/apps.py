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
        from dcc.records.perms import can_review_quarantine

        register(order=70, label="Traçabilité", section="records", url_name="records:trail", visible=can_audit_trail)
        register(
            order=72,
            label="Quarantaine",
            section="records:quarantine",
            url_name="records:quarantine",
            visible=can_review_quarantine,
        )
