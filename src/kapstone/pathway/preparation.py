"""Preparation: sessions, the client's goals and intentions (new versions, never overwritten) and the
escort. Each change is atomic and audited; the audit data holds ids and field names, never the words."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from kapstone.accounts.models import User
from kapstone.accounts.requests import StaffRequest
from kapstone.audit.services import actor_of, log_event
from kapstone.practice.models import Membership

from .models import Episode, Escort, Goal, Intention, PreparationSession, WordsSource


class PreparationError(Exception):
    """A preparation record that cannot be saved as asked."""


def current(model: type[Goal] | type[Intention], episode: Episode) -> Goal | Intention | None:
    """The newest goal or intention of ``episode`` (None if never recorded)."""
    return model.objects.filter(episode=episode).order_by("-recorded_at", "-pk").first()


def _revise(
    request: StaffRequest | None,
    model: type[Goal] | type[Intention],
    episode: Episode,
    text: str,
    *,
    session: PreparationSession | None = None,
    source: str = WordsSource.STAFF,
    actor: User | None = None,
) -> Goal | Intention | None:
    """Record ``text`` as the new version if it differs from the current one; return it (or None)."""
    text = (text or "").strip()
    latest = current(model, episode)
    if not text or (latest is not None and latest.text.strip() == text):
        return None
    words = model.objects.create(
        practice=episode.practice,
        episode=episode,
        client=episode.client,
        text=text,
        preparation_session=session,
        source=source,
        recorded_by=actor_of(request, actor),
    )
    noun = "goals" if model is Goal else "intentions"
    log_event(
        request,
        f"pathway.{noun}.recorded",
        obj=words,
        actor=actor,
        data={"episode": str(episode.pk), "revision": latest is not None},
    )
    return words


@transaction.atomic
def revise_words(
    request: StaffRequest | None,
    episode: Episode,
    *,
    goals: str = "",
    intentions: str = "",
    session: PreparationSession | None = None,
    actor: User | None = None,
    source: str | None = None,
) -> tuple[Goal | Intention | None, Goal | Intention | None]:
    """Revisit the client's goals and intentions: changed text becomes a new version, linked to the
    preparation session it came from (if any). Returns (goal, intention), None where unchanged."""
    if not episode.is_open:
        raise PreparationError("This episode is closed; its goals and intentions are kept as they were.")
    source = source or WordsSource.STAFF
    return (
        _revise(request, Goal, episode, goals, session=session, source=source, actor=actor),
        _revise(request, Intention, episode, intentions, session=session, source=source, actor=actor),
    )


@transaction.atomic
def record_preparation_session(
    request: StaffRequest | None,
    episode: Episode,
    *,
    held_on: date,
    therapist: Membership,
    notes: str = "",
    goals: str = "",
    intentions: str = "",
    actor: User | None = None,
) -> PreparationSession:
    """Record a preparation session that took place, with the goals and intentions set in it."""
    if not episode.is_open:
        raise PreparationError("This episode is closed; record preparation in the client's current episode.")
    if held_on > episode.practice.today():
        raise PreparationError("A preparation session is recorded after it took place; the date is ahead.")
    if therapist.practice_id != episode.practice_id:
        raise PreparationError("The therapist must be a member of this practice.")
    session = PreparationSession.objects.create(
        practice=episode.practice,
        episode=episode,
        client=episode.client,
        held_on=held_on,
        therapist=therapist,
        notes=notes.strip(),
        recorded_by=actor_of(request, actor),
    )
    log_event(
        request,
        "pathway.preparation.recorded",
        obj=session,
        actor=actor,
        data={"episode": str(episode.pk), "therapist": str(therapist.pk)},
    )
    revise_words(request, episode, goals=goals, intentions=intentions, session=session, actor=actor)
    return session


@transaction.atomic
def save_escort(
    request: StaffRequest | None,
    episode: Episode,
    *,
    name: str,
    phone: str,
    relationship: str = "",
    actor: User | None = None,
) -> Escort:
    """Name (or change) the person who takes the client home after each medicine session."""
    name, phone, relationship = name.strip(), phone.strip(), relationship.strip()
    if not name or not phone:
        raise PreparationError("An escort needs a name and a phone number.")
    escort = Escort.objects.filter(episode=episode).first()
    changed = []
    if escort is None:
        escort = Escort(practice=episode.practice, episode=episode, client=episode.client)
        changed = ["name", "relationship", "phone"]
    else:
        changed = [
            field
            for field, value in (("name", name), ("relationship", relationship), ("phone", phone))
            if getattr(escort, field) != value
        ]
    escort.name, escort.relationship, escort.phone = name, relationship, phone
    escort.updated_by = actor_of(request, actor)
    escort.updated_at = timezone.now()
    escort.save()
    log_event(
        request,
        "pathway.escort.saved",
        obj=escort,
        actor=actor,
        data={"episode": str(episode.pk), "fields": changed},
    )
    return escort
