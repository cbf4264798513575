"""Patients: INS and strict traits, RNIV statuses, INSi client, duplicates and merge."""

from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "identity"
    label = "identity"
    verbose_name = "Identité des patients"
