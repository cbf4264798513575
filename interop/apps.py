"""CDA build and validation, HL7 v2 over MLLP, MSSanté, contextual launch, imaging."""

from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "interop"
    label = "interop"
    verbose_name = "Interopérabilité"
