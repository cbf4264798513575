"""3C, establishments (FINESS), professionals (RPPS), places of practice, MSS addresses."""

from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "dcc.directory"
    label = "directory"
    verbose_name = "Annuaire"
    # Its menu entry is registered by dcc.accounts (above the directory: the menu and the rights are its own).
