"""Property: whatever the start dates, recomputing a PPS groupement keeps the user's overrides."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dcc.workdays import is_working_day
from pps import services
from pps.dates import RuleError, compute_dates
from tests.pps.factories import seed_group

pytestmark = pytest.mark.django_db
D = datetime.date
STARTS = st.one_of(
    st.sampled_from([D(2024, 12, 24), D(2025, 4, 18), D(2025, 4, 21), D(2024, 2, 28), D(2027, 12, 31)]),
    st.dates(min_value=D(2023, 1, 1), max_value=D(2030, 12, 31)),
)


class Rollback(Exception):
    pass


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=STARTS, second=STARTS, position=st.integers(min_value=1, max_value=4), shift=st.integers(1, 40))
# Found by the property: the kept first date is within five years of the new start, a date after it is not.
@example(first=D(2030, 3, 1), second=D(2025, 4, 18), position=1, shift=35)
def test_recomputing_keeps_overrides(personas, hospital_patient, first, second, position, shift):
    nurse = personas["annonce_nurse"]
    try:
        with transaction.atomic():
            group = seed_group()
            pps = services.pps_create(patient=hospital_patient, by=nurse)
            block = services.pps_group_apply(pps=pps, group=group, start_date=first, by=nurse)
            element = block.elements.get(position=position)
            chosen = max(element.planned_date, first) + datetime.timedelta(days=shift)
            services.pps_element_override(element=element, planned_date=chosen, by=nurse)

            rules = [e.rule for e in block.elements.order_by("position")]
            try:
                compute_dates(second, rules, {position - 1: chosen})
            except RuleError:
                refused = True
            else:
                refused = False
            if refused:
                # The kept date, or a date following from it, would fall more than five years after the new
                # start: refused, nothing moves.
                before = [e.planned_date for e in block.elements.order_by("position")]
                with pytest.raises(ValidationError, match="5 ans"), transaction.atomic():
                    services.pps_block_reschedule(block=block, start_date=second, by=nurse)
                assert [e.planned_date for e in block.elements.order_by("position")] == before
                raise Rollback
            services.pps_block_reschedule(block=block, start_date=second, by=nurse)

            elements = list(block.elements.order_by("position"))
            overridden = elements[position - 1]
            assert overridden.is_overridden and overridden.planned_date == chosen
            expected = compute_dates(second, [e.rule for e in elements], {position - 1: chosen})
            assert [e.planned_date for e in elements] == expected
            assert elements[0].planned_date == (chosen if position == 1 else second)
            surgery = elements[1]
            if position != 2 and surgery.planned_date != second:
                assert is_working_day(surgery.planned_date)
            raise Rollback
    except Rollback:
        pass
