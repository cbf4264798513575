"""The patient's GP and the RCP: notice before the session, the GP's contribution, his home block."""

from django.apps import AppConfig


class GpConfig(AppConfig):
    name = "rcp.gp"
    label = "gp"
    verbose_name = "Médecin traitant et RCP"
    default_auto_field = "django.db.models.BigAutoField"
