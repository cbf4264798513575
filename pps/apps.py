"""EDP types and library, groupements and relative dates, PPS, PPAC, protocols, calendar."""

from django.apps import AppConfig


class PpsConfig(AppConfig):
    name = "pps"
    label = "pps"
    verbose_name = "PPS et PPAC"
