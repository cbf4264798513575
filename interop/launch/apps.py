from django.apps import AppConfig


class LaunchConfig(AppConfig):
    """Contextual launch (appel contextuel): a hospital record (DPI) opens the DCC on a patient."""

    name = "interop.launch"
    label = "launch"
    verbose_name = "Appel contextuel"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from dcc.accounts.navigation import register
        from interop.launch.perms import can_simulate

        register(order=90, label="Simulateur DPI", section="launch", url_name="launch:simulator", visible=can_simulate)
