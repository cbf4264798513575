"""When the GP is told of an RCP: the session must fall at least N French working days after the registration.

Pure functions over ``dcc.workdays`` (working days: Monday to Friday, French public holidays excluded,
Easter Monday, Ascension and Whit Monday included). "N working days ahead" counts the working days
in (registration day, session day]: registering on a Thursday for the next Monday is 2 working days
ahead (Friday, Monday); for the Tuesday after Easter Monday, registering on the Friday before is
only 1 (Easter Monday is a holiday).
"""

from __future__ import annotations

import datetime

from dcc.workdays import working_days_between

DEFAULT_DELAY_WORKING_DAYS = 2


def notice_on_time(*, registered_on: datetime.date, session_day: datetime.date, delay: int) -> bool:
    """Is the session far enough ahead of the registration for the GP to be told?"""
    return working_days_between(registered_on, session_day) >= delay


def notice_deadline(*, session_day: datetime.date, delay: int) -> datetime.date:
    """The last registration day that still tells the GP in time for a session on ``session_day``."""
    if delay <= 0:
        return session_day
    day = session_day - datetime.timedelta(days=1)
    while working_days_between(day, session_day) < delay:
        day -= datetime.timedelta(days=1)
    return day
