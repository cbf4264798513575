"""The PPS home's « derniers programmes » of their author: the right rows, read from the (author, date) index."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from pps.selectors import recent_programmes
from tests.accounts.factories import UserFactory
from tests.pps.factories import PpsFactory

pytestmark = pytest.mark.django_db


def test_the_authors_ten_latest_programmes_newest_first():
    nurse, other = UserFactory(), UserFactory()
    start = timezone.now() - datetime.timedelta(days=30)
    written = [PpsFactory(author=nurse, created_at=start + datetime.timedelta(days=day)) for day in range(12)]
    PpsFactory(author=other, created_at=timezone.now())

    assert list(recent_programmes(nurse)) == written[::-1][:10]


def test_they_are_read_in_order_from_the_index_without_sorting_the_authors_programmes():
    nurse = UserFactory()
    PpsFactory(author=nurse)
    sql, params = recent_programmes(nurse).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a few test rows: make the planner show the index path
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "pps_pps_author__e5ae28_idx" in plan, plan
    assert "Sort" not in plan, plan
