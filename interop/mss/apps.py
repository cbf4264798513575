"""MSSanté channel of the outbox."""

from django.apps import AppConfig


class MssConfig(AppConfig):
    name = "interop.mss"
    label = "mss"
    verbose_name = "MSSanté"

    def ready(self) -> None:
        from dcc.records.documents import on_document_stored
        from interop.mss.rules import dispatch_stored_document

        # Inside the storing transaction: the sends commit with the document, or not at all.
        on_document_stored("mss", dispatch_stored_document)
