"""CDA build and validation, HL7 v2 over MLLP, MSSanté, contextual launch, imaging."""

from django.apps import AppConfig


def _warm_up_validation(**kwargs) -> None:
    """Compile the XSD and schematrons when a (prefork) worker process starts, not on an author's first document."""
    from interop.cda.validation import warm_up

    warm_up()


class InteropConfig(AppConfig):
    name = "interop"
    label = "interop"
    verbose_name = "Interopérabilité"

    def ready(self) -> None:
        from celery.signals import worker_process_init

        worker_process_init.connect(_warm_up_validation, weak=False, dispatch_uid="interop-warm-up")
