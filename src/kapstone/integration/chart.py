"""The course timeline on the client chart (clinical roles)."""

from .timeline import episode_timeline

TEMPLATE = "integration/timeline_section.html"
CLINICAL = True


def chart_context(request, client) -> dict:
    episode = client.episodes.order_by("-opened_at").first()
    return {
        "timeline": episode_timeline(episode, request.practice.zone) if episode else [],
        "timeline_episode": episode,
    }
