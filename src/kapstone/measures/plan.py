"""The default measurement plan, which every practice starts from and may change.

Defaults follow issue 3 and shared/reference/clinical.md §4.4: PHQ-9, GAD-7 and the C-SSRS screener at
intake; the same "since last contact" before each medicine session; the EBI the day after; PHQ-9 and
GAD-7 at the end of the course and 1, 3 and 6 months after it.
"""

from .models import MeasurementPlanItem, PathwayPoint

P = PathwayPoint
# (point, instrument, due after days, since last contact)
DEFAULT_PLAN = [
    (P.INTAKE, "phq9", 0, False),
    (P.INTAKE, "gad7", 0, False),
    (P.INTAKE, "cssrs_screener", 0, False),
    (P.PRE_SESSION, "phq9", 0, True),
    (P.PRE_SESSION, "gad7", 0, True),
    (P.PRE_SESSION, "cssrs_screener", 0, True),
    (P.POST_SESSION, "ebi", 1, False),
    (P.END_OF_COURSE, "phq9", 0, False),
    (P.END_OF_COURSE, "gad7", 0, False),
    (P.FOLLOW_UP_1M, "phq9", 30, False),
    (P.FOLLOW_UP_1M, "gad7", 30, False),
    (P.FOLLOW_UP_3M, "phq9", 91, False),
    (P.FOLLOW_UP_3M, "gad7", 91, False),
    (P.FOLLOW_UP_6M, "phq9", 182, False),
    (P.FOLLOW_UP_6M, "gad7", 182, False),
]


def plan_for(practice) -> list[MeasurementPlanItem]:
    """The practice's plan; a practice that never changed it gets the defaults written once."""
    items = list(MeasurementPlanItem.objects.filter(practice=practice))
    if not items:
        items = MeasurementPlanItem.objects.bulk_create(
            MeasurementPlanItem(
                practice=practice,
                point=point,
                instrument_id=instrument,
                due_after_days=days,
                since_last_contact=since,
            )
            for point, instrument, days, since in DEFAULT_PLAN
        )
    return items
