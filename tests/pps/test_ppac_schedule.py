"""The PPAC follow-up schedule generator: intervals in months over years, working days, bad input."""

import datetime
import itertools

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from dcc.workdays import is_working_day
from pps.ppac_schedule import (
    MAX_HORIZON_MONTHS,
    Phase,
    ScheduleError,
    describe,
    follow_up_dates,
    offsets,
    offsets_by_phase,
    schedule_errors,
)


def test_six_monthly_for_two_years_then_yearly_to_five_years():
    assert offsets([Phase(6, 24), Phase(12, 60)]) == [6, 12, 18, 24, 36, 48, 60]


def test_first_occurrence_at_the_start_or_at_a_chosen_month():
    assert offsets([Phase(12, 36)], 0) == [0, 12, 24, 36]
    assert offsets([Phase(36, 48)], 12) == [12, 48]
    assert offsets([Phase(6, 24)], 3) == [3, 9, 15, 21]


def test_month_ends_do_not_drift():
    def first_date(start, months):
        return follow_up_dates(start, [Phase(months, months)], working_days=False)[0]

    assert first_date(datetime.date(2024, 1, 31), 1) == datetime.date(2024, 2, 29)  # leap year
    assert first_date(datetime.date(2025, 1, 31), 1) == datetime.date(2025, 2, 28)
    assert first_date(datetime.date(2024, 8, 31), 6) == datetime.date(2025, 2, 28)
    assert first_date(datetime.date(2024, 12, 15), 1) == datetime.date(2025, 1, 15)
    assert first_date(datetime.date(2024, 3, 31), 11) == datetime.date(2025, 2, 28)
    dates = follow_up_dates(datetime.date(2025, 8, 29), [Phase(6, 24)], working_days=False)
    # computed from the start each time: 29 February 2028 comes back after 28 February 2026
    assert dates == [datetime.date(2026, 2, 28), datetime.date(2026, 8, 29), datetime.date(2027, 2, 28),
                     datetime.date(2027, 8, 29)]  # fmt: skip


def test_occurrences_move_to_the_next_working_day():
    # 21 April 2025 is Easter Monday; start 21 October 2024 + 6 months lands on it.
    dates = follow_up_dates(datetime.date(2024, 10, 21), [Phase(6, 12)])
    assert dates == [datetime.date(2025, 4, 22), datetime.date(2025, 10, 21)]
    # 25 December 2025 (Thursday) → Friday 26
    assert follow_up_dates(datetime.date(2024, 12, 25), [Phase(12, 12)]) == [datetime.date(2025, 12, 26)]
    # Saturday 1 November 2025 (also All Saints') → Monday 3
    assert follow_up_dates(datetime.date(2024, 11, 1), [Phase(12, 12)]) == [datetime.date(2025, 11, 3)]


def test_plain_french_description():
    assert describe([Phase(6, 24), Phase(12, 60)]) == "tous les 6 mois pendant 2 ans, puis tous les ans jusqu'à 5 ans"
    assert describe([Phase(3, 18)], 0) == "tous les 3 mois pendant 18 mois (première échéance au début du suivi)"
    assert describe([Phase(24, 120)]) == "tous les 2 ans pendant 10 ans"
    assert describe([Phase(1, 12)]) == "tous les mois pendant 1 an"


@pytest.mark.parametrize(
    ("phases", "first", "message"),
    [
        ([], None, "au moins un rythme"),
        ([Phase(0, 12)], None, "au moins 1 mois"),
        ([Phase(-6, 12)], None, "au moins 1 mois"),
        ([Phase(6, 0)], None, "durée est d'au moins 1 mois"),
        ([Phase(6, 24), Phase(12, 24)], None, "au-delà du rythme précédent"),
        ([Phase(6, 24), Phase(12, 12)], None, "au-delà du rythme précédent"),
        ([Phase(12, 180)], None, "au-delà de 10 ans"),
        ([Phase(72, 120)], None, "plus de 5 ans"),
        ([Phase(6, 24)], -1, "ne peut pas précéder"),
        ([Phase(6, 24)], 30, "après la fin du premier rythme"),
        ([Phase(1, 12), Phase(2, 24), Phase(3, 36), Phase(4, 48)], None, "Au plus 3 rythmes"),
        ([Phase(1, 120)], 0, "Plus de 120 échéances"),
    ],
)
def test_absurd_input_gets_a_french_message(phases, first, message):
    errors = schedule_errors(phases, first)
    assert any(message in error for error in errors), errors
    with pytest.raises(ScheduleError) as raised:
        follow_up_dates(datetime.date(2025, 1, 6), phases, first)
    assert message in str(raised.value)


def test_a_start_outside_the_usable_range_is_refused():
    with pytest.raises(ScheduleError, match="début du suivi"):
        follow_up_dates(datetime.date(1999, 12, 31), [Phase(6, 12)])


phase_lists = st.lists(st.tuples(st.integers(1, 24), st.integers(1, 40)), min_size=1, max_size=3).map(
    lambda steps: [Phase(interval, until) for interval, until in _cumulative(steps)]
)


def _cumulative(steps):
    until = 0
    for interval, extra in steps:
        until += extra
        yield interval, until


@settings(deadline=None, max_examples=200)
@given(
    start=st.dates(datetime.date(2000, 1, 1), datetime.date(2090, 12, 31)),
    phases=phase_lists,
    first=st.none() | st.integers(0, 6),
)
def test_schedule_properties(start, phases, first):
    if first is not None and first > phases[0].until_months:
        first = None
    assume(not schedule_errors(phases, first))  # a rhythm without occurrence: covered by the examples
    raw = follow_up_dates(start, phases, first, working_days=False)
    dates = follow_up_dates(start, phases, first)
    months = offsets(phases, first)
    assert len(dates) == len(raw) == len(months) >= 1
    assert all(later > earlier for earlier, later in itertools.pairwise(dates))
    assert all(is_working_day(day) for day in dates)
    assert all(0 <= (day - plain).days <= 4 for day, plain in zip(dates, raw, strict=True))
    assert all(day >= start for day in raw)
    assert raw[-1] <= start + relativedelta(months=phases[-1].until_months)
    assert months[-1] <= phases[-1].until_months <= MAX_HORIZON_MONTHS
    # every phase has occurrences, one interval apart, the first one interval after the previous phase's last
    previous_last = None
    for phase, group in zip(phases, offsets_by_phase(phases, first), strict=True):
        assert group and group[-1] <= phase.until_months
        steps = ([group[0] - previous_last] if previous_last is not None else []) + [
            later - earlier for earlier, later in itertools.pairwise(group)
        ]
        assert all(step == phase.interval_months for step in steps)
        previous_last = group[-1]


def test_a_rhythm_without_any_occurrence_is_refused():
    assert "aucune échéance" in schedule_errors([Phase(12, 6)])[0]
    assert "Rythme 2 : aucune échéance" in schedule_errors([Phase(6, 24), Phase(12, 30)])[0]
