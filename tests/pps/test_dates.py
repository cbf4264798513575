"""The date engine: working days on the French calendar, relative rules, validation."""

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dcc.workdays import add_working_days, holiday_name, is_working_day, working_days_between
from pps.dates import (
    MAX_SPAN_DAYS,
    Rule,
    RuleError,
    RuleKind,
    compute_dates,
    compute_schedule,
    months_between,
    rule_errors,
    validate_override,
)

D = datetime.date
# Dates around the awkward places: year ends, leap days, Easter Mondays, May bridges.
AWKWARD = st.sampled_from(
    [D(2024, 12, 24), D(2024, 12, 31), D(2024, 2, 28), D(2028, 2, 28), D(2025, 4, 18), D(2025, 4, 21),
     D(2026, 4, 3), D(2025, 5, 28), D(2025, 7, 11), D(2027, 12, 24), D(2025, 12, 31), D(2026, 4, 30)]
)  # fmt: skip
STARTS = st.one_of(AWKWARD, st.dates(min_value=D(2020, 1, 1), max_value=D(2035, 12, 31)))
RULES = st.lists(
    st.builds(
        Rule,
        st.sampled_from(
            [RuleKind.WORKING_AFTER_PREVIOUS, RuleKind.CALENDAR_AFTER_PREVIOUS, RuleKind.WORKING_AFTER_START]
        ),
        st.integers(min_value=0, max_value=60),
    ),
    max_size=8,
)


def test_french_holidays_include_the_easter_based_ones():
    assert holiday_name(D(2025, 4, 21)) == "Lundi de Pâques"
    assert holiday_name(D(2025, 5, 29)) == "Ascension"
    assert holiday_name(D(2025, 6, 9)) == "Lundi de Pentecôte"
    assert holiday_name(D(2024, 4, 1)) == "Lundi de Pâques"
    assert not is_working_day(D(2024, 12, 25))
    assert not is_working_day(D(2025, 4, 19))  # Saturday
    assert is_working_day(D(2025, 4, 22))


@pytest.mark.parametrize(
    ("start", "count", "expected"),
    [
        (D(2024, 12, 24), 2, D(2024, 12, 27)),  # Christmas skipped
        (D(2024, 12, 31), 1, D(2025, 1, 2)),  # New Year's Day skipped
        (D(2025, 4, 18), 1, D(2025, 4, 22)),  # weekend then Easter Monday
        (D(2025, 5, 28), 1, D(2025, 5, 30)),  # Ascension Thursday
        (D(2024, 2, 28), 1, D(2024, 2, 29)),  # leap day is a Thursday
        (D(2025, 4, 19), 0, D(2025, 4, 19)),  # zero keeps the day
    ],
)
def test_worked_examples_of_working_days(start, count, expected):
    assert add_working_days(start, count) == expected


def test_the_seed_groupement_chir_sein_hormono_from_29_june_2024():
    rules = [
        Rule(RuleKind.GROUP_START),
        Rule(RuleKind.WORKING_AFTER_PREVIOUS, 2),
        Rule(RuleKind.CALENDAR_AFTER_PREVIOUS, 14),
        Rule(RuleKind.WORKING_AFTER_START, 23),
    ]

    dates = compute_dates(D(2024, 6, 29), rules)

    assert dates == [D(2024, 6, 29), D(2024, 7, 2), D(2024, 7, 16), D(2024, 7, 31)]


def test_the_seed_groupement_across_christmas_2024():
    rules = [
        Rule(RuleKind.GROUP_START),
        Rule(RuleKind.WORKING_AFTER_PREVIOUS, 2),
        Rule(RuleKind.CALENDAR_AFTER_PREVIOUS, 14),
        Rule(RuleKind.WORKING_AFTER_START, 23),
    ]

    # 24/12 → 26, 27 (25/12 is Christmas); +14 days; 23 working days skip 25/12 and 01/01.
    assert compute_dates(D(2024, 12, 24), rules) == [D(2024, 12, 24), D(2024, 12, 27), D(2025, 1, 10), D(2025, 1, 28)]


@settings(max_examples=300, deadline=None)
@given(start=STARTS, count=st.integers(min_value=1, max_value=400))
def test_working_days_land_on_a_working_day_and_count_exactly(start, count):
    result = add_working_days(start, count)

    assert result > start
    assert is_working_day(result)
    assert result.weekday() < 5
    assert working_days_between(start, result) == count
    # No working day was skipped: the day before lies at count - 1.
    assert working_days_between(start, result - datetime.timedelta(days=1)) == count - 1


@settings(max_examples=200, deadline=None)
@given(start=STARTS, rules=RULES)
def test_rule_dates_never_precede_the_start_and_follow_their_rule(start, rules):
    rules = [Rule(RuleKind.GROUP_START), *rules]

    dates = compute_dates(start, rules)

    assert dates[0] == start
    assert all(day >= start for day in dates)
    for index in range(1, len(rules)):
        rule, previous, day = rules[index], dates[index - 1], dates[index]
        if rule.kind == RuleKind.CALENDAR_AFTER_PREVIOUS:
            assert (day - previous).days == rule.delay
        elif rule.kind == RuleKind.WORKING_AFTER_PREVIOUS:
            assert day >= previous
            assert working_days_between(previous, day) == rule.delay
            assert rule.delay == 0 or is_working_day(day)
        else:
            assert working_days_between(start, day) == rule.delay


@settings(max_examples=100, deadline=None)
@given(start=STARTS, rules=RULES, shift=st.integers(min_value=1, max_value=30), data=st.data())
def test_an_override_is_kept_and_later_elements_follow_it(start, rules, shift, data):
    rules = [Rule(RuleKind.GROUP_START), *rules]
    index = data.draw(st.integers(min_value=0, max_value=len(rules) - 1))
    plain = compute_dates(start, rules)
    moved = plain[index] + datetime.timedelta(days=shift)

    schedule = compute_schedule(start, rules, {index: moved})

    assert schedule[index][1] == moved
    assert schedule[index][0] == plain[index]
    assert [effective for _, effective in schedule[:index]] == plain[:index]
    for later in range(index + 1, len(rules)):
        if rules[later].kind == RuleKind.WORKING_AFTER_START:
            assert schedule[later][1] == plain[later]
        else:
            assert schedule[later][1] >= plain[later]


@pytest.mark.parametrize(
    ("rule", "fragment"),
    [
        (Rule(RuleKind.WORKING_AFTER_PREVIOUS, -3), "négatif"),
        (Rule(RuleKind.CALENDAR_AFTER_PREVIOUS, MAX_SPAN_DAYS + 1), "5 ans"),
        (Rule(RuleKind.WORKING_AFTER_START, 2000), "5 ans"),
        (Rule("someday", 1), "inconnue"),
    ],
)
def test_bad_rules_get_french_messages(rule, fragment):
    errors = rule_errors([Rule(RuleKind.GROUP_START), rule])

    assert fragment in errors[1][0]
    with pytest.raises(RuleError) as caught:
        compute_dates(D(2025, 1, 6), [Rule(RuleKind.GROUP_START), rule])
    assert fragment in str(caught.value)


def test_a_chain_that_runs_past_five_years_is_refused():
    rules = [Rule(RuleKind.GROUP_START)] + [Rule(RuleKind.CALENDAR_AFTER_PREVIOUS, 1000)] * 2

    with pytest.raises(RuleError, match="plus de 5 ans"):
        compute_dates(D(2025, 1, 6), rules)


def test_an_override_before_the_group_start_is_refused():
    assert "précéder le début" in validate_override(D(2025, 4, 22), D(2025, 4, 18))
    assert validate_override(D(2025, 4, 22), D(2025, 4, 22)) is None


def test_months_between_crosses_the_year_end():
    assert months_between([D(2025, 1, 3), D(2024, 11, 20)]) == [(2024, 11), (2024, 12), (2025, 1)]
    assert months_between([]) == []


@settings(max_examples=30, deadline=None)
@given(start=STARTS)
def test_the_longest_accepted_working_delay_stays_within_five_years(start):
    from pps.dates import MAX_WORKING_DAYS

    assert (add_working_days(start, MAX_WORKING_DAYS) - start).days <= MAX_SPAN_DAYS
    assert compute_dates(start, [Rule(RuleKind.GROUP_START), Rule(RuleKind.WORKING_AFTER_START, MAX_WORKING_DAYS)])


def test_a_start_date_out_of_range_is_refused_not_crashing():
    with pytest.raises(RuleError, match="comprise entre"):
        compute_dates(D(9999, 12, 1), [Rule(RuleKind.GROUP_START), Rule(RuleKind.WORKING_AFTER_START, 40)])
    assert "comprise entre" in validate_override(D(2025, 1, 6), D(9999, 1, 1))
