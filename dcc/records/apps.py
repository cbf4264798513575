"""The patient record: documents produced and imported, versions, files, access trail."""

from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "dcc.records"
    label = "records"
    verbose_name = "Dossier patient"

    def ready(self) -> None:
        from dcc.records import receivers  # noqa: F401
