"""The pathway's section of the client chart: the current episode at a glance."""

from kapstone.practice.permissions import Capability, can

from .access import may_change
from .consent import consent_status
from .models import Episode, EpisodeState, Goal, Intention
from .preparation import current
from .readiness import readiness_checklist

TEMPLATE = "pathway/chart_section.html"
CLINICAL = True


def chart_context(request, client) -> dict:
    """``{"pathway": ...}`` for ``pathway/chart_section.html``; None for roles without clinical access.

    The current episode is the open one (a client has at most one), else the newest. A bounded number
    of queries, whatever the history.
    """
    if not can(getattr(request, "membership", None), Capability.VIEW_CLINICAL):
        return {"pathway": None}
    episodes = list(Episode.objects.filter(client=client).select_related("programme", "practice"))
    episode = next((e for e in episodes if e.state != EpisodeState.CLOSED), episodes[0] if episodes else None)
    section: dict[str, object] = {
        "episode": episode,
        "episode_count": len(episodes),
        "can_change": may_change(request),
    }
    if episode is not None:
        rows = readiness_checklist(episode)
        section |= {
            "readiness": rows,
            "met": sum(row.met for row in rows),
            "missing": [row for row in rows if not row.met],
            "goal": current(Goal, episode),
            "intention": current(Intention, episode),
            "consents": list(consent_status(episode).values()),
            "timeline": list(episode.transitions.select_related("actor")),
        }
    return {"pathway": section}
