#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dcc.settings.dev")
    # With no DATABASE_URL / REDIS_URL, start (or reuse) the embedded servers under .data/ first: the settings
    # themselves start nothing (dcc/embedded.py says which entry point starts what).
    from dcc.embedded import EmbeddedServiceError, configure_for_command

    try:
        configure_for_command(sys.argv)
    except EmbeddedServiceError as exc:
        sys.exit(f"ERREUR : {exc}")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
