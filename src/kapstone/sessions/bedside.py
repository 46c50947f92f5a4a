"""What the live board's dialog records in one go: a vitals reading and observation ratings (MOAA/S,
RASS, dissociation level) taken at the same moment. Each record goes through its own service
(``recording``), so it is checked, flagged and audited as if entered on its own page; together they
are one transaction, so a refused rating leaves no half-saved reading behind."""

from datetime import datetime
from typing import Any

from django.db import transaction

from kapstone.accounts.requests import StaffRequest

from . import recording
from .models import MedicineSession, Observation, VitalsReading


@transaction.atomic
def record_at_bedside(
    request: StaffRequest,
    session: MedicineSession,
    *,
    taken_at: datetime,
    vitals: dict[str, Any],
    ratings: dict[str, int],
) -> tuple[VitalsReading | None, list[Observation]]:
    """The vitals record (None when no value was entered) and the observations, in scale order."""
    record = None
    if any(value is not None for value in vitals.values()):
        record = recording.record_vitals(request, session, taken_at=taken_at, **vitals)
    observations = [
        recording.record_observation(request, session, observed_at=taken_at, scale=scale, value=value)
        for scale, value in ratings.items()
    ]
    return record, observations
