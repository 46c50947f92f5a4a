"""The prescribing records' defaults, read from ``rules.toml`` (each with its sources).

``tests/prescribing/test_rules.py`` checks every source id against the evidence library.
"""

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

RULES_FILE = Path(__file__).with_name("rules.toml")


@dataclass(frozen=True)
class Rules:
    expiry_warning_days: int
    remind_every_days: int
    pdmp_interval_days: int
    pdmp_hard_stop: bool
    pdmp_due_soon_days: int
    sources: tuple[str, ...]


@cache
def rules() -> Rules:
    data = tomllib.loads(RULES_FILE.read_text())
    sources = {source for table in data.values() for source in table.get("sources", [])} - {"design"}
    return Rules(
        expiry_warning_days=data["credentials"]["expiry_warning_days"],
        remind_every_days=data["credentials"]["remind_every_days"],
        pdmp_interval_days=data["pdmp"]["interval_days"],
        pdmp_hard_stop=data["pdmp"]["hard_stop"],
        pdmp_due_soon_days=data["pdmp"]["due_soon_days"],
        sources=tuple(sorted(sources)),
    )
