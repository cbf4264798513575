"""Recurrence rules: weekly, every N weeks, Nth weekday of the month (pure)."""

import datetime
import itertools

from hypothesis import given
from hypothesis import strategies as st

from rcp.enums import RecurrenceKind
from rcp.recurrence import Rule, nth_weekday, occurrences

D = datetime.date


def test_weekly_on_tuesdays():
    rule = Rule(kind=RecurrenceKind.WEEKLY, weekday=1, start_date=D(2026, 1, 1))
    assert list(occurrences(rule, D(2026, 1, 1), D(2026, 1, 31))) == [
        D(2026, 1, 6), D(2026, 1, 13), D(2026, 1, 20), D(2026, 1, 27),
    ]  # fmt: skip


def test_every_two_weeks_keeps_its_phase_whatever_the_window():
    rule = Rule(kind=RecurrenceKind.WEEKLY, weekday=3, start_date=D(2026, 1, 1), interval_weeks=2)
    full = list(occurrences(rule, D(2026, 1, 1), D(2026, 3, 31)))
    assert full[:3] == [D(2026, 1, 1), D(2026, 1, 15), D(2026, 1, 29)]
    # A window starting between two occurrences gives the same dates, not a shifted series.
    assert list(occurrences(rule, D(2026, 1, 20), D(2026, 3, 31))) == [d for d in full if d >= D(2026, 1, 20)]


def test_every_two_weeks_starts_on_the_first_matching_day_even_in_the_next_week():
    # Saturday 3 January 2026, Mondays every two weeks: Monday 5 January first (not the Monday of the week after).
    rule = Rule(kind=RecurrenceKind.WEEKLY, weekday=0, start_date=D(2026, 1, 3), interval_weeks=2)
    assert list(occurrences(rule, D(2026, 1, 1), D(2026, 2, 5))) == [D(2026, 1, 5), D(2026, 1, 19), D(2026, 2, 2)]


def test_second_thursday_of_each_month():
    rule = Rule(kind=RecurrenceKind.MONTHLY, weekday=3, week_of_month=2, start_date=D(2026, 1, 1))
    assert list(occurrences(rule, D(2026, 1, 1), D(2026, 4, 30))) == [
        D(2026, 1, 8), D(2026, 2, 12), D(2026, 3, 12), D(2026, 4, 9),
    ]  # fmt: skip


def test_last_friday_of_the_month_and_december_rollover():
    rule = Rule(kind=RecurrenceKind.MONTHLY, weekday=4, week_of_month=-1, start_date=D(2026, 11, 1))
    assert list(occurrences(rule, D(2026, 11, 1), D(2027, 1, 31))) == [D(2026, 11, 27), D(2026, 12, 25), D(2027, 1, 29)]


def test_fifth_weekday_is_skipped_in_months_without_one():
    assert nth_weekday(2026, 2, 0, 5) is None
    assert nth_weekday(2026, 3, 0, 5) == D(2026, 3, 30)


def test_rule_bounds_are_respected():
    rule = Rule(kind=RecurrenceKind.WEEKLY, weekday=0, start_date=D(2026, 1, 5), end_date=D(2026, 1, 19))
    assert list(occurrences(rule, D(2025, 12, 1), D(2026, 12, 31))) == [D(2026, 1, 5), D(2026, 1, 12), D(2026, 1, 19)]
    assert list(occurrences(rule, D(2027, 1, 1), D(2027, 2, 1))) == []


DATES = st.dates(min_value=D(2024, 1, 1), max_value=D(2030, 12, 31))


@given(DATES, st.integers(0, 6), st.integers(1, 12), st.integers(0, 400))
def test_weekly_dates_fall_on_the_weekday_every_n_weeks(start, weekday, interval, span):
    rule = Rule(kind=RecurrenceKind.WEEKLY, weekday=weekday, start_date=start, interval_weeks=interval)
    dates = list(occurrences(rule, start, start + datetime.timedelta(days=span)))
    assert all(d.weekday() == weekday and d >= start for d in dates)
    assert all((b - a).days == 7 * interval for a, b in itertools.pairwise(dates))
    if span >= 7 * interval:
        assert dates  # a window as long as the period always holds one date


@given(DATES, st.integers(0, 6), st.sampled_from([1, 2, 3, 4, -1]), st.integers(0, 800))
def test_monthly_dates_are_the_nth_weekday_once_a_month(start, weekday, n, span):
    rule = Rule(kind=RecurrenceKind.MONTHLY, weekday=weekday, week_of_month=n, start_date=start)
    dates = list(occurrences(rule, start, start + datetime.timedelta(days=span)))
    assert len({(d.year, d.month) for d in dates}) == len(dates)
    for d in dates:
        assert d.weekday() == weekday
        if n == -1:
            assert (d + datetime.timedelta(days=7)).month != d.month
        else:
            assert (d.day - 1) // 7 + 1 == n
