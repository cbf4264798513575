"""3C, establishments (FINESS), professionals (RPPS), places of practice, MSS addresses."""

from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "dcc.directory"
    label = "directory"
    verbose_name = "Annuaire"

    def ready(self) -> None:
        from dcc.accounts.navigation import register
        from dcc.accounts.perms import can_browse_directory

        register(
            order=60,
            label="Annuaire",
            section="directory",
            url_name="directory:professionals",
            visible=can_browse_directory,
        )
