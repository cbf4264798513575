"""``dcc/postgresql/plans.py``: inside ``custom_plans`` PostgreSQL plans each statement for its parameters; the
connection's own setting is back once the block ends."""

from __future__ import annotations

import pytest
from django.db import connection

from dcc.postgresql.plans import custom_plans

pytestmark = pytest.mark.django_db(transaction=True)  # the setting lasts until the outermost commit


def _plan_cache_mode() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        return cursor.fetchone()[0]


def test_custom_plans_only_inside_the_block():
    before = _plan_cache_mode()
    with custom_plans():
        assert _plan_cache_mode() == "force_custom_plan"
    assert _plan_cache_mode() == before == "auto"
