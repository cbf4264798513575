"""Date engine figures: how long recomputing a groupement and a long protocol takes.

    DJANGO_SETTINGS_MODULE=dcc.settings.test .venv/bin/python bench/pps_dates.py

Prints figures; never a timed test.
"""

from __future__ import annotations

import datetime
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dcc.workdays import add_working_days
from pps.dates import Rule, RuleKind, compute_schedule

SEED = [
    Rule(RuleKind.GROUP_START),
    Rule(RuleKind.WORKING_AFTER_PREVIOUS, 2),
    Rule(RuleKind.CALENDAR_AFTER_PREVIOUS, 14),
    Rule(RuleKind.WORKING_AFTER_START, 23),
]
# A weekly protocol over a year (52 elements, calendar gaps) and a 5-year surveillance plan.
WEEKLY = [Rule(RuleKind.GROUP_START)] + [Rule(RuleKind.CALENDAR_AFTER_PREVIOUS, 7)] * 51
SURVEILLANCE = [Rule(RuleKind.GROUP_START)] + [Rule(RuleKind.WORKING_AFTER_START, 125 * n) for n in range(1, 11)]


def measure(label: str, rules: list[Rule], runs: int) -> None:
    start = datetime.date(2024, 1, 1)
    began = time.perf_counter()
    for offset in range(runs):
        compute_schedule(start + datetime.timedelta(days=offset % 1500), rules)
    elapsed = time.perf_counter() - began
    print(f"{label:<38} {runs:>6} runs  {elapsed / runs * 1e6:9.1f} µs/run")


if __name__ == "__main__":
    measure("seed groupement (4 EDP)", SEED, 20_000)
    measure("weekly protocol, 1 year (52 EDP)", WEEKLY, 2_000)
    measure("surveillance over 5 years (11 EDP)", SURVEILLANCE, 500)
    began = time.perf_counter()
    add_working_days(datetime.date(2024, 12, 24), 1250)
    print(f"{'1250 working days from 24/12/2024':<38} {'':>6}       {(time.perf_counter() - began) * 1e3:9.2f} ms")
