"""``python manage.py seed_demo``: the synthetic demo region, idempotent.

Each app contributes a ``demo`` module with an ``ORDER`` and a ``seed(context)`` function; this
command runs them in order, so that lower layers never import the higher ones.
"""

from __future__ import annotations

import importlib
import time

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction


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
            with transaction.atomic():
                module.seed(context)
        self.stdout.write(self.style.SUCCESS(f"Terminé en {time.monotonic() - started:.1f} s."))
