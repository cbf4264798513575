"""The GP notice delay rule on French working days (pure functions, no database)."""

import datetime

import pytest

from dcc.workdays import is_working_day
from rcp.gp.rules import notice_deadline, notice_on_time

EASTER_MONDAY_2027 = datetime.date(2027, 3, 29)
TUESDAY_AFTER_EASTER = datetime.date(2027, 3, 30)


def test_easter_monday_is_not_a_working_day():
    assert not is_working_day(EASTER_MONDAY_2027)


@pytest.mark.parametrize(
    ("registered_on", "on_time"),
    [
        (datetime.date(2027, 3, 24), True),  # Wednesday: Thu, Fri, Tue
        (datetime.date(2027, 3, 25), True),  # Thursday: Fri, Tue
        (datetime.date(2027, 3, 26), False),  # Friday: only Tue (Easter Monday is a holiday)
        (datetime.date(2027, 3, 29), False),  # Easter Monday itself
    ],
)
def test_session_the_tuesday_after_easter_monday(registered_on, on_time):
    assert notice_on_time(registered_on=registered_on, session_day=TUESDAY_AFTER_EASTER, delay=2) is on_time


def test_deadline_steps_back_over_the_holiday_and_the_weekend():
    assert notice_deadline(session_day=TUESDAY_AFTER_EASTER, delay=2) == datetime.date(2027, 3, 25)
    # An ordinary Tuesday: registering up to the Sunday before is still two working days ahead (Monday, Tuesday).
    assert notice_deadline(session_day=datetime.date(2027, 4, 13), delay=2) == datetime.date(2027, 4, 11)


def test_ordinary_week_and_other_delays():
    monday = datetime.date(2027, 4, 12)
    assert notice_on_time(registered_on=datetime.date(2027, 4, 8), session_day=monday, delay=2)  # Thursday
    assert not notice_on_time(registered_on=datetime.date(2027, 4, 9), session_day=monday, delay=2)  # Friday
    assert notice_on_time(registered_on=monday, session_day=monday, delay=0)
    assert notice_deadline(session_day=monday, delay=0) == monday
    assert not notice_on_time(registered_on=datetime.date(2027, 4, 8), session_day=monday, delay=5)
