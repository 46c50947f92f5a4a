"""The default measurement plan, which every practice starts from and may change, and when each point
of it runs (docs/measurement-plan.md).

Defaults follow the clinical reference (clinical.md §4.4, a design suggestion): PHQ-9, GAD-7 and the
C-SSRS screener at intake; PHQ-9, GAD-7 and the C-SSRS "since last contact" before each medicine
session; the EBI the day after it; PHQ-9 and GAD-7 at the end of the course and 1, 3 and 6 months after.
"""

from .models import PRE_SESSION_REMINDERS_FROM, MeasurementPlanItem, PathwayPoint

P = PathwayPoint
# (point, instrument, due after days, since last contact)
DEFAULT_PLAN = [
    (P.INTAKE, "phq9", 0, False),
    (P.INTAKE, "gad7", 0, False),
    (P.INTAKE, "cssrs_screener", 0, False),
    (P.PRE_SESSION, "phq9", 0, True),
    (P.PRE_SESSION, "gad7", 0, True),
    (P.PRE_SESSION, "cssrs_since_last_contact", 0, True),
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

# Before the first medicine session of an episode the intake questionnaire stands in for its
# "since last contact" version: the C-SSRS screener at intake, then "since last contact" before each
# later dose (clinical.md §4.4).
FIRST_SESSION_STANDS_IN = {"cssrs_since_last_contact": "cssrs_screener"}

# When each point runs, in words for the plan page; docs/measurement-plan.md names the code that runs it.
_REMINDER_DAYS = PRE_SESSION_REMINDERS_FROM.days
WHEN = {
    P.INTAKE: "When the client's episode of care is opened: a new client, or a new course of care.",
    P.PRE_SESSION: (
        "When a medicine session is booked; due at its start, or the hours before it set below. "
        "Rescheduling the session moves the due time; cancelling it or a no-show cancels what is not "
        f"done yet. Clients who chose questionnaire reminders are reminded from {_REMINDER_DAYS} days before."
    ),
    P.POST_SESSION: "When the client is discharged from a dosed medicine session; due the days below after.",
    P.END_OF_COURSE: "When the episode moves from treatment into follow-up.",
    P.FOLLOW_UP_1M: "When the episode moves from treatment into follow-up; due the days below after it.",
    P.FOLLOW_UP_3M: "When the episode moves from treatment into follow-up; due the days below after it.",
    P.FOLLOW_UP_6M: "When the episode moves from treatment into follow-up; due the days below after it.",
    P.AD_HOC: "Only when a clinician assigns it from the client's measures page.",
}


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


def items_at(practice, point: str) -> list[MeasurementPlanItem]:
    return [item for item in plan_for(practice) if item.point == point]
