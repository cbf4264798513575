"""``manage.py db_application_role [--role dcc_app] [--password …]``: as the database owner, after ``migrate``,
create or update the role the application connects as (``dcc/dbroles.py``)."""

from __future__ import annotations

import os

from django.core.management.base import BaseCommand
from django.db import connection

from dcc.dbroles import grant_application_role


class Command(BaseCommand):
    help = "Crée ou met à jour le rôle PostgreSQL de l'application (propriétaire de rien, traçabilité en ajout seul)."

    def add_arguments(self, parser):
        parser.add_argument("--role", default=os.environ.get("DCC_APP_DB_ROLE", "dcc_app"))
        parser.add_argument("--password", default=os.environ.get("DCC_APP_DB_PASSWORD", ""))

    def handle(self, *args, role: str, password: str, **options):
        with connection.cursor() as cursor:
            grant_application_role(cursor, role=role, password=password or None)
        self.stdout.write(f"Rôle {role} prêt : lecture et ajout seuls sur la traçabilité.")
