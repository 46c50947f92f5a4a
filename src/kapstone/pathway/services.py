"""Episode changes: opening one, and moving it through its states past the gates."""

from django.db import transaction
from django.utils import timezone

from kapstone.audit.services import log_event
from kapstone.practice.models import Role

from .models import Episode, EpisodeState, EpisodeTransition
from .transitions import NEEDS_REASON, allowed_targets, episode_transitioned, gaps_for

OVERRIDE_ROLES = {Role.ADMIN, Role.PRESCRIBER}


class TransitionError(Exception):
    def __init__(self, message, gaps=()):
        super().__init__(message)
        self.gaps = list(gaps)


@transaction.atomic
def open_episode(request, client, state: str = EpisodeState.REFERRED) -> Episode:
    episode = Episode.objects.create(practice=client.practice, client=client, state=state)
    EpisodeTransition.objects.create(
        practice=client.practice,
        episode=episode,
        to_state=state,
        actor=_actor(request),
        reason="Episode opened",
    )
    log_event(request, "pathway.episode.opened", obj=episode, client=client, data={"state": state})
    return episode


def _actor(request):
    return request.user if request is not None and request.user.is_authenticated else None


@transaction.atomic
def transition(request, episode, to_state, *, reason="", override_reason="", actor=None, role=None):
    """Move ``episode`` to ``to_state`` if allowed and every gate is met.

    Unmet gates raise :class:`TransitionError` listing them, unless an admin or prescriber gives an
    ``override_reason``, which is stored with the gates it overrode and audited.
    """
    episode = Episode.objects.select_for_update().get(pk=episode.pk)
    if to_state not in allowed_targets(episode):
        raise TransitionError(
            f"An episode in {episode.get_state_display().lower()} cannot move to "
            f"{EpisodeState(to_state).label.lower()}."
        )
    reason, override_reason = reason.strip(), override_reason.strip()
    if to_state in NEEDS_REASON and not reason:
        raise TransitionError(
            f"Give a reason for moving the episode to {EpisodeState(to_state).label.lower()}."
        )
    gaps = gaps_for(episode, to_state)
    if gaps:
        membership = getattr(request, "membership", None)
        role = role or (membership.role if membership else None)
        if not override_reason:
            raise TransitionError("Some requirements are not met yet.", gaps)
        if role not in OVERRIDE_ROLES:
            raise TransitionError("Only an admin or a prescriber can override these requirements.", gaps)
    now = timezone.now()
    record = EpisodeTransition.objects.create(
        practice=episode.practice,
        episode=episode,
        from_state=episode.state,
        to_state=to_state,
        at=now,
        actor=actor or _actor(request),
        reason=reason,
        overridden_gates=[gap.code for gap in gaps],
        override_reason=override_reason if gaps else "",
    )
    episode.state, episode.state_changed_at = to_state, now
    episode.closed_at = now if to_state == EpisodeState.CLOSED else None
    episode.save(update_fields=["state", "state_changed_at", "closed_at"])
    log_event(
        request,
        "pathway.episode.transitioned",
        obj=episode,
        actor=actor,
        data={"from": record.from_state, "to": to_state},
    )
    if gaps:
        log_event(
            request,
            "pathway.episode.gate_overridden",
            obj=episode,
            actor=actor,
            data={"to": to_state, "gates": record.overridden_gates},
        )
    episode_transitioned.send(sender=Episode, request=request, episode=episode, transition=record)
    return record
