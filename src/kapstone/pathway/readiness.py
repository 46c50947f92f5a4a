"""Readiness for a medicine session: everything that must be in place before a client is dosed.

Each app that owns a requirement answers for it through the :data:`episode_gate` signal with the
target :data:`READY_FOR_DOSING` (measures: the measurement baseline; screening: an approved
eligibility decision; pathway: consent, preparation with intentions, an escort; sessions: the
prescriber's dose plan). Scheduling or starting a medicine session, and moving an episode into
treatment, are refused while any gap remains, unless an admin or prescriber overrides in writing.
"""

from .transitions import Gap, gaps_for

READY_FOR_DOSING = "ready_for_dosing"


def readiness_gaps(episode) -> list[Gap]:
    return gaps_for(episode, READY_FOR_DOSING)
