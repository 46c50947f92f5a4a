"""An episode of care as a FHIR ``CarePlan``: the programme it follows, its period and its status.

The episode's stage is kept as a category in kapstone's episode-state system; the plan's status
follows it (closed: completed; withdrawn or declined: revoked; paused: on-hold; otherwise active).
"""

from typing import Any

from fhir.resources.R4B.careplan import CarePlan

from kapstone.pathway.models import Episode, EpisodeState

from . import codes
from .references import patient_of

STATUS = {
    EpisodeState.CLOSED: "completed",
    EpisodeState.WITHDRAWN: "revoked",
    EpisodeState.DECLINED: "revoked",
    EpisodeState.PAUSED: "on-hold",
}


def care_plan(episode: Episode) -> CarePlan:
    state = EpisodeState(episode.state)
    period: dict[str, Any] = {"start": episode.opened_at}
    if episode.closed_at is not None:
        period["end"] = episode.closed_at
    data: dict[str, Any] = {
        "resourceType": "CarePlan",
        "id": str(episode.pk),
        "status": STATUS.get(state, "active"),
        "intent": "plan",
        "category": [codes.Code(codes.EPISODE_STATE, state.value, state.label).concept()],
        "title": episode.programme.name if episode.programme else "Episode of KAP care",
        "subject": patient_of(episode.client_id),
        "period": period,
        "created": episode.opened_at,
    }
    if episode.programme is not None:
        data["description"] = episode.programme.summary
    return CarePlan.model_validate(data)
