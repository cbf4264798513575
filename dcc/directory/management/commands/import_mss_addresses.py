"""`python manage.py import_mss_addresses FILE`: see dcc.directory.importing and docs/directory.md."""

from dcc.directory.importing import import_mss_addresses
from dcc.directory.management.progress import ImportCommand


class Command(ImportCommand):
    help = "Importe les adresses MSSanté des professionnels et des établissements (CSV du DCC, voir docs/directory.md)."
    importer = staticmethod(import_mss_addresses)
