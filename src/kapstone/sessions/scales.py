"""The observation scales a session offers (MOAA/S, RASS, dissociation level) and a practice's wording.

The values, bands and flags of every scale come from ``kapstone.clinical`` reference data. A practice
may reword the levels of a scale it marks configurable (the dissociation level: kapstone's own anchors,
not a published instrument, docs/clinical.md) in ``ScaleLabels``; the values never change. Each change
is audited with the old and new words.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from kapstone.audit.services import log_event
from kapstone.clinical import get_instrument

from .models import Observation, ScaleLabels

# Scales whose level words a practice may write itself: only kapstone's own design. Published scales
# (MOAA/S, RASS) keep kapstone's paraphrase of the published anchors.
CONFIGURABLE_SCALES = (Observation.Scale.DISSOCIATION,)
LABEL_MAX_LENGTH = 80  # Observation.band keeps the words a rating was recorded with


class ScaleError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Level:
    value: int
    label: str  # the practice's words, else the reference data's
    default: str  # the reference data's words


def practice_labels(practice, scale: str) -> dict[str, str]:
    row = ScaleLabels.objects.filter(practice=practice, scale=scale).first()
    return dict(row.labels) if row else {}


def levels(scale: str, labels: dict[str, str] | None = None) -> list[Level]:
    """The scale's levels in the reference data's order, worded with ``labels`` where given."""
    labels = labels or {}
    options = get_instrument(scale).items[0].options
    return [Level(o.value, labels.get(str(o.value)) or o.label, o.label) for o in options]


def practice_levels(practice, scale: str) -> list[Level]:
    if scale not in CONFIGURABLE_SCALES:
        return levels(scale)
    return levels(scale, practice_labels(practice, scale))


def level_label(practice, scale: str, value: int) -> str | None:
    """The practice's own words for one value of a configurable scale, or None (use the band)."""
    if scale not in CONFIGURABLE_SCALES:
        return None
    return practice_labels(practice, scale).get(str(value))


@transaction.atomic
def save_labels(request, practice, scale: str, labels: dict[int, str]) -> ScaleLabels:
    """Store the practice's words for a configurable scale; an empty or default word uses the default."""
    if scale not in CONFIGURABLE_SCALES:
        raise ScaleError("This scale's levels cannot be reworded: it is a published scale.")
    defaults = {lv.value: lv.default for lv in levels(scale)}
    unknown = set(labels) - set(defaults)
    if unknown:
        raise ScaleError(f"Unknown level(s): {', '.join(map(str, sorted(unknown)))}.")
    cleaned = {}
    for value, text in labels.items():
        text = " ".join((text or "").split())
        if len(text) > LABEL_MAX_LENGTH:
            raise ScaleError(f"Level {value}: at most {LABEL_MAX_LENGTH} characters.")
        if text and text != defaults[value]:
            cleaned[str(value)] = text
    row, _ = ScaleLabels.objects.get_or_create(practice=practice, scale=scale)
    old = dict(row.labels)
    row.labels = cleaned
    row.updated_by = request.user if request.user.is_authenticated else None
    row.updated_at = timezone.now()
    row.save()
    log_event(
        request,
        "sessions.scale_labels.changed",
        obj=row,
        practice=practice,
        data={"old": old, "new": cleaned},
    )
    return row
