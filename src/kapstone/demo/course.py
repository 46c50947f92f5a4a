"""Each invented client's course of care, as one timeline the other demo modules share.

The questionnaires (``measures.py``), the medicine sessions (``sessions.py``) and the episode's
opening (``builder.py``) all read their dates from :func:`course_for`, so a client's intake comes
before their first dose, the score just before the first dose is the baseline the outcomes compare
with (``docs/clinical.md``, "Outcomes"), and scores fall only once doses have been given.

Every course comes from a random generator seeded with the client's record number, so it is the same
at every build whatever was generated before it. Dates count back in days from ``now``; past sessions
and the intake sit in office hours of their own day, so the hour the demo is built changes nothing.
"""

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo

from kapstone.pathway.models import EpisodeState

# Past weekly medicine sessions per stage (lowest, highest) and how long ago the last one was (days).
SESSIONS = {
    EpisodeState.TREATMENT: ((2, 4), (3, 8)),
    EpisodeState.FOLLOW_UP: ((6, 6), (25, 60)),
    EpisodeState.CLOSED: ((6, 6), (120, 170)),
}
# Minutes from opening a past session to giving its dose (baseline vitals and the checklist first).
DOSE_AFTER_OPENING = 20
# Office hours a past session may open at (local time; a session lasts up to about three hours).
SESSION_STARTS = (time(9), time(9, 30), time(10), time(11), time(12))
# Stages with questionnaires but no dose yet: how many fortnightly visits they have had.
UNTREATED_VISITS = {EpisodeState.ELIGIBLE: 1, EpisodeState.PREPARATION: 2, EpisodeState.PAUSED: 4}


@dataclass(frozen=True)
class Course:
    intake: datetime  # the intake questionnaires (the episode opened a few days before)
    sessions: tuple[datetime, ...]  # when each past medicine session opened, oldest first
    ends: datetime  # the newest questionnaire may be this late (now, or the episode's closing)

    @property
    def first_dose(self) -> datetime | None:
        return self.sessions[0] + timedelta(minutes=DOSE_AFTER_OPENING) if self.sessions else None


def course_for(state: str, record_number: str, now: datetime, zone: tzinfo) -> Course | None:
    """The course of a client at ``state``; ``None`` for stages without questionnaires yet."""
    rng = random.Random(f"kapstone-demo-course-{record_number}")  # noqa: S311 - synthetic data
    # Count in local days (not 24-hour steps, which cross a daylight-saving change into another date).
    today = now.astimezone(zone).date()
    if state in SESSIONS:
        (low, high), (soonest, latest) = SESSIONS[state]
        count = rng.randint(low, high)
        last_day = today - timedelta(days=rng.randint(soonest, latest))
        at = rng.choice(SESSION_STARTS)
        sessions = tuple(
            datetime.combine(last_day - timedelta(days=7 * (count - 1 - n)), at, zone) for n in range(count)
        )
        intake = sessions[0] - timedelta(days=rng.randint(35, 56), hours=rng.randint(-1, 4))
        ends = closing(now) if state == EpisodeState.CLOSED else now
        return Course(intake=intake, sessions=sessions, ends=ends)
    if state in UNTREATED_VISITS:
        day = today - timedelta(weeks=UNTREATED_VISITS[state] * 2 + 1)
        intake = datetime.combine(day, rng.choice(SESSION_STARTS), zone)
        return Course(intake=intake, sessions=(), ends=now)
    return None


def closing(now: datetime) -> datetime:
    """When a closed demo episode was closed."""
    return now - timedelta(days=3)
