"""Run the whole suite as if the practice's wall clock showed a given time today.

``pytest --practice-clock 23:30`` (or ``KAPSTONE_TEST_CLOCK=23:30``) moves every test's clock to
23:30 today in America/Chicago, the zone of the test practices, and lets it tick from there. CI runs
the suite at 00:30, 11:59 and 23:30 so that a test which only passes at some hours of the day fails
every run instead of some of them. Tests that need an exact moment still travel within it.
"""

import os
from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine

PRACTICE_ZONE = ZoneInfo("America/Chicago")  # tests/factories.py: make_practice's default


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--practice-clock",
        default=os.environ.get("KAPSTONE_TEST_CLOCK", ""),
        metavar="HH:MM",
        help="run every test as if it were HH:MM today in the test practices' time zone",
    )


def practice_moment(clock: str) -> datetime:
    try:
        wall = time.fromisoformat(clock)
    except ValueError:
        raise pytest.UsageError(f"--practice-clock wants HH:MM, got {clock!r}") from None
    today = datetime.now(PRACTICE_ZONE).date()
    return datetime.combine(today, wall, tzinfo=PRACTICE_ZONE)


def pytest_configure(config: pytest.Config) -> None:
    clock = config.getoption("--practice-clock")
    if clock:
        traveller = time_machine.travel(practice_moment(clock), tick=True)
        traveller.start()
        config.add_cleanup(traveller.stop)


def pytest_report_header(config: pytest.Config) -> str | None:
    clock = config.getoption("--practice-clock")
    return f"practice clock: {practice_moment(clock).isoformat()} (time-machine)" if clock else None
