"""HL7 v2 over MLLP: identity feed (IHE PAM France), documents in (CI-SIS TRANS-CDA) and out."""

from django.apps import AppConfig


class Hl7Config(AppConfig):
    name = "interop.hl7"
    label = "hl7"
    verbose_name = "HL7 v2 (MLLP)"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from dcc.accounts.navigation import register
        from dcc.records.documents import on_document_stored
        from interop.hl7.subscriptions import enqueue_for_document

        on_document_stored("hl7.mdm", enqueue_for_document)
        from interop.hl7.perms import can_monitor_interop

        register(
            order=90,
            label="Interopérabilité",
            section="hl7",
            url_name="hl7:monitoring",
            visible=can_monitor_interop,
        )
