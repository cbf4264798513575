"""``python manage.py seed_demo``: the synthetic demo region, idempotent.

Each app contributes a ``demo`` module with an ``ORDER`` and a ``seed(context)`` function; this
command runs them in order, so that lower layers never import the higher ones.
"""

from __future__ import annotations

import importlib
import time

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection, transaction


def demo_modules() -> list:
    modules = []
    for config in apps.get_app_configs():
        try:
            modules.append(importlib.import_module(f"{config.name}.demo"))
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.demo":
                raise
    return sorted(modules, key=lambda module: module.ORDER)


class Command(BaseCommand):
    help = "Crée ou met à jour les données de démonstration (région synthétique)."

    def handle(self, *args, **options):
        started = time.monotonic()
        context: dict = {"log": lambda line: self.stdout.write(f"  {line}")}
        self.stdout.write("Données de démonstration :")
        for module in demo_modules():
            began = time.monotonic()
            with transaction.atomic():
                module.seed(context)
                analyze_tables()
            if options["verbosity"] > 1:
                self.stdout.write(f"  ({module.__name__} : {time.monotonic() - began:.1f} s)")
        self.stdout.write(self.style.SUCCESS(f"Terminé en {time.monotonic() - started:.1f} s."))


def analyze_tables() -> None:
    """Refresh the planner's statistics after a seeding step.

    Freshly bulk-inserted tables have no statistics until autovacuum passes (never inside a test's
    transaction): the planner then estimates one row everywhere and nests loops over thousands, which
    made a later step's query take minutes on a new database. ANALYZE runs inside a transaction and
    counts the rows this transaction inserted.
    """
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(table) for table in sorted(tables)))
