"""Statements planned for their own parameters.

psycopg keeps a connection's statements prepared (``DCC_DB_PREPARE_THRESHOLD``), and after five runs PostgreSQL
may switch a prepared statement to a generic plan, made for any parameter. That plan is right for most pages and
wrong where the data are skewed: the regional trail filtered on a rare action (5,600 logins among 20 million
lines) was planned as for the commonest one and scanned the whole table (13 ms → 1.4 s from the seventh
request), and a dashboard's decade was planned as a month. Inside :func:`custom_plans` every statement is
planned for its parameters; the statements stay prepared (parsed once).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from django.db import connection, transaction


@contextlib.contextmanager
def custom_plans() -> Iterator[None]:
    """A transaction whose statements are planned for their own parameters (``set_config`` local to it; inside an
    outer transaction the setting lasts until that one ends)."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('plan_cache_mode', 'force_custom_plan', true)")
        yield
