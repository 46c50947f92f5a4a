"""Episode changes: opening one, planning it from a programme, and moving it past the gates.

Preparation (sessions, goals, intentions, escort) is in :mod:`.preparation`, consent in :mod:`.consent`.
Every function here is atomic, checks its preconditions and writes the audit trail.
"""

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from kapstone.accounts.models import User
from kapstone.accounts.requests import StaffRequest
from kapstone.audit.services import actor_of, log_event, role_of
from kapstone.practice.models import Role

from .forms import ProgrammeForm
from .models import Episode, EpisodeState, EpisodeTransition, Programme
from .transitions import (
    NEEDS_REASON,
    Gap,
    allowed_targets,
    episode_opened,
    episode_transitioned,
    gaps_for,
)

if TYPE_CHECKING:
    # clients sits above pathway: the model is named for the type checker only, never imported.
    from kapstone.clients.models import Client

OVERRIDE_ROLES = {Role.ADMIN, Role.PRESCRIBER}


class TransitionError(Exception):
    def __init__(self, message: str, gaps: Iterable[Gap] = ()) -> None:
        super().__init__(message)
        self.gaps = list(gaps)


class EpisodeError(Exception):
    """An episode change that is not possible, with a message for the person who asked."""


@transaction.atomic
def open_episode(
    request: StaffRequest | None, client: "Client", state: str = EpisodeState.REFERRED
) -> Episode:
    """Open an episode of care for the client and announce it (:data:`.transitions.episode_opened`:
    the measures app assigns the intake questionnaires)."""
    episode = Episode.objects.create(practice=client.practice, client=client, state=state)
    EpisodeTransition.objects.create(
        practice=client.practice,
        episode=episode,
        to_state=state,
        actor=actor_of(request),
        actor_role=role_of(request),
        reason="Episode opened",
    )
    log_event(request, "pathway.episode.opened", obj=episode, client=client, data={"state": state})
    episode_opened.send(sender=Episode, request=request, episode=episode)
    return episode


@transaction.atomic
def start_episode(request: StaffRequest, client: "Client") -> Episode:
    """Open a new episode for a returning client: only one episode of a client is open at a time."""
    type(client).objects.select_for_update().filter(pk=client.pk).first()  # serialise two clicks
    current = Episode.objects.filter(client=client).exclude(state=EpisodeState.CLOSED).first()
    if current is not None:
        raise EpisodeError(
            f"{client.display_name} already has an open episode ({current.get_state_display().lower()}, "
            f"opened {timezone.localdate(current.opened_at, client.practice.zone):%Y-%m-%d}). "
            "Close it before opening a new one."
        )
    return open_episode(request, client)


@transaction.atomic
def plan_episode(request: StaffRequest, episode: Episode, programme: Programme | None) -> Episode:
    """Plan the episode from ``programme`` (or clear the plan with ``None``)."""
    if programme is not None and not programme.is_active and programme.pk != episode.programme_id:
        raise EpisodeError(f"The programme {programme.name} is archived; choose an active one.")
    if not episode.is_open:
        raise EpisodeError("A closed episode cannot be re-planned.")
    previous = episode.programme_id
    episode.programme = programme
    episode.save(update_fields=["programme"])
    log_event(
        request,
        "pathway.episode.planned",
        obj=episode,
        data={
            "programme": str(programme.pk) if programme else None,
            "previous": str(previous) if previous else None,
        },
    )
    return episode


@transaction.atomic
def transition(
    request: StaffRequest | None,
    episode: Episode,
    to_state: str,
    *,
    reason: str = "",
    override_reason: str = "",
    actor: User | None = None,
    role: str | None = None,
) -> EpisodeTransition:
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
    role = role_of(request, role)
    if gaps:
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
        actor=actor_of(request, actor),
        actor_role=role,
        reason=reason,
        overridden_gates=[gap.code for gap in gaps],
        overridden_labels=[gap.label for gap in gaps],
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


# --- Programmes --------------------------------------------------------------------------------


@transaction.atomic
def save_programme(request: StaffRequest, form: ProgrammeForm) -> Programme:
    """Create or change a programme from a valid :class:`~.forms.ProgrammeForm`."""
    programme = form.save(commit=False)
    created = programme._state.adding
    if created:
        programme.practice = request.practice
    programme.save()
    log_event(
        request,
        "pathway.programme.created" if created else "pathway.programme.updated",
        obj=programme,
        data={"fields": sorted(form.changed_data)},
    )
    return programme
