"""MSSanté returns worked as data quality: permanent failures per address, actions, deliverability rate."""

from django.apps import AppConfig


class DeliverabilityConfig(AppConfig):
    name = "interop.deliverability"
    label = "deliverability"
    verbose_name = "Qualité des envois MSSanté"

    def ready(self) -> None:
        from dcc.accounts.navigation import register
        from interop.deliverability.perms import can_view_quality

        register(
            order=75,
            label="Qualité MSSanté",
            section="deliverability",
            url_name="deliverability:quality",
            visible=can_view_quality,
        )
