"""RCP catalogue, tags/mentions, sessions, registrations, fiches, quorum, GP notice."""

from django.apps import AppConfig


class RcpConfig(AppConfig):
    name = "rcp"
    label = "rcp"
    verbose_name = "RCP"
