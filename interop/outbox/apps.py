"""The outbox of every external send."""

from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "interop.outbox"
    label = "outbox"
    verbose_name = "Envois (boîte d'envoi)"
