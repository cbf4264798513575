import datetime
from decimal import Decimal

import pytest

from tests.dashboards.factories import build_world


@pytest.fixture
def world(personas):
    default_rules()
    return build_world(personas)


def default_rules() -> None:
    """The rules the data migration dashboards/0002 loads, gone when a transactional test flushed the database."""
    from dcc.dashboards.models import DelayRule, IndemnityRule

    start = datetime.date(2000, 1, 1)
    IndemnityRule.objects.get_or_create(
        valid_from=start,
        defaults={"amount_per_session": Decimal("100.00"), "count_video": True, "max_sessions_per_month": 4,
                  "max_amount_per_year": Decimal("3000.00")},
    )  # fmt: skip
    DelayRule.objects.get_or_create(
        valid_from=start, defaults={"diagnosis_to_rcp_days": 30, "rcp_to_treatment_days": 30}
    )
