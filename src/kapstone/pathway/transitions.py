"""Which moves an episode may make, and the gates other apps put in front of them.

Gates are receivers of :data:`episode_gate`: each returns a list of :class:`Gap` (what is missing and
who can complete it) for a move, e.g. the screening app refuses ``eligible`` without an approved
eligibility decision. :data:`episode_transitioned` tells other apps after a move (the measures app
assigns the end-of-course questionnaires when an episode enters follow-up), :data:`episode_opened`
when an episode is opened (measures assigns the intake questionnaires).
"""

from dataclasses import dataclass
from typing import cast

from django.dispatch import Signal

from .models import Episode
from .models import EpisodeState as S

# state -> states it may move to. Pausing and withdrawing are possible from any active state.
ALLOWED: dict[str, set[str]] = {
    S.REFERRED: {S.SCREENING, S.WITHDRAWN},
    S.SCREENING: {S.ELIGIBLE, S.DECLINED, S.PAUSED, S.WITHDRAWN},
    S.ELIGIBLE: {S.PREPARATION, S.PAUSED, S.WITHDRAWN},
    S.DECLINED: {S.SCREENING, S.CLOSED},
    S.PREPARATION: {S.TREATMENT, S.PAUSED, S.WITHDRAWN},
    S.TREATMENT: {S.FOLLOW_UP, S.PAUSED, S.WITHDRAWN},
    S.FOLLOW_UP: {S.TREATMENT, S.CLOSED, S.WITHDRAWN},
    S.PAUSED: set(),  # resumes to the state it was paused from (see allowed_targets)
    S.WITHDRAWN: {S.CLOSED},
    S.CLOSED: set(),
}
NEEDS_REASON = {S.PAUSED, S.WITHDRAWN, S.DECLINED}

# Sent with episode=..., to_state=...; receivers return a list of Gap.
episode_gate = Signal()
# Sent with request=..., episode=..., transition=... inside the move's transaction.
episode_transitioned = Signal()
# Sent with request=..., episode=... inside the transaction that opened the episode (a new client, or a
# new course of care); the measures app assigns the intake questionnaires.
episode_opened = Signal()


@dataclass(frozen=True)
class Gap:
    code: str
    label: str  # what is missing, in words
    who: str  # who can complete it, e.g. "a prescriber"


def allowed_targets(episode: Episode) -> list[str]:
    if episode.state == S.PAUSED:
        previous = episode.transitions.exclude(to_state=S.PAUSED).order_by("-at", "-pk").first()
        resume = previous.to_state if previous else S.SCREENING
        return [resume, S.WITHDRAWN]
    return sorted(ALLOWED[episode.state], key=list(S.values).index)


def gaps_for(episode: Episode, to_state: str) -> list[Gap]:
    gaps: list[Gap] = []
    for _receiver, result in episode_gate.send(sender=type(episode), episode=episode, to_state=to_state):
        # A response is what the receiver returned (django-stubs says str | None): a list of Gap.
        gaps.extend(cast(list[Gap] | None, result) or [])
    return gaps
