"""The register's record-keeping numbers, read from ``rules.toml`` (each with its sources).

They are regulatory periods, not clinical thresholds, so they live with the register rather than in
the clinical core; ``tests/register/test_rules.py`` checks every source id against the evidence library.
"""

import tomllib
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path

RULES_FILE = Path(__file__).with_name("rules.toml")
SATURDAY = 5


@dataclass(frozen=True)
class Rules:
    retention_years: int
    notice_business_days: int
    form_106_days: int
    biennial_years: int
    exact_count_above_units: int
    sources: tuple[str, ...]


@cache
def rules() -> Rules:
    data = tomllib.loads(RULES_FILE.read_text())
    sources = {*data["retention"]["sources"], *data["theft_loss"]["sources"], *data["inventory"]["sources"]}
    return Rules(
        retention_years=data["retention"]["minimum_years"],
        notice_business_days=data["theft_loss"]["notice_business_days"],
        form_106_days=data["theft_loss"]["form_106_days"],
        biennial_years=data["inventory"]["biennial_years"],
        exact_count_above_units=data["inventory"]["exact_count_above_units"],
        sources=tuple(sorted(sources)),
    )


def add_business_days(start: date, days: int) -> date:
    """``days`` working days (Monday to Friday) after ``start``; holidays are not skipped (see rules.toml)."""
    day = start
    while days > 0:
        day += timedelta(days=1)
        if day.weekday() < SATURDAY:
            days -= 1
    return day


def notice_due(discovered_on: date) -> date:
    return add_business_days(discovered_on, rules().notice_business_days)


def form_106_due(discovered_on: date) -> date:
    return discovered_on + timedelta(days=rules().form_106_days)


def add_years(day: date, years: int) -> date:
    """The same calendar day ``years`` later; 29 February falls back to the 28th."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def biennial_due(previous_inventory_on: date) -> date:
    return add_years(previous_inventory_on, rules().biennial_years)
