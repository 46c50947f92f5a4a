"""The programme templates a practice starts from (``data/programmes.toml``), written once per practice."""

import tomllib
from functools import cache
from importlib import resources

from .models import Programme

FIELDS = (
    "name",
    "protocol_id",
    "preparation_sessions",
    "medicine_sessions",
    "integration_within_hours",
    "min_days_between_medicine_sessions",
    "course_weeks",
    "follow_up_months",
    "description",
)


@cache
def default_programmes() -> tuple[dict, ...]:
    """The default templates as dicts of model fields (``sources`` dropped: it documents the file)."""
    raw = tomllib.loads(resources.files(__package__).joinpath("data/programmes.toml").read_text())
    return tuple({key: entry.get(key) for key in FIELDS} for entry in raw["programme"])


def programmes_for(practice) -> list[Programme]:
    """The practice's programmes; a practice that never had any gets the defaults written once.

    Programmes are archived, never deleted, so an empty list really means "never set up".
    """
    programmes = list(Programme.objects.filter(practice=practice))
    if not programmes:
        Programme.objects.bulk_create(
            Programme(practice=practice, **{k: v for k, v in entry.items() if v is not None})
            for entry in default_programmes()
        )
        programmes = list(Programme.objects.filter(practice=practice))
    return programmes


def consent_sample(kind: str) -> str:
    """A clearly marked sample text for a practice's first version of a consent document."""
    return resources.files(__package__).joinpath(f"data/consent/{kind}.txt").read_text()
