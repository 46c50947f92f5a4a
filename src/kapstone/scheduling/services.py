"""Scheduling changes: booking, rescheduling, cancelling and closing appointments; calendar feeds;
rooms and settings. Each is atomic, checks its preconditions and writes one audit event.

Booking rules (the service is the one place that enforces them; forms only collect input):

- the client needs an open episode (not closed or withdrawn); the appointment belongs to the newest;
- one or more clinicians, each an active clinical member of the practice; a room or chair from the
  practice's active rooms (required for a medicine session: the live board has one card per room);
- no clinician and no room may be double booked: an appointment that is scheduled or completed holds
  its clinicians and room for [start, end); appointments that only touch end to start do not clash;
- a medicine session is not booked while ``readiness_gaps(episode)`` lists anything, unless an admin
  or prescriber writes a reason, stored on the appointment and audited; and it lasts at least until
  the protocol's minimum observation time has passed.
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.forms import ModelForm
from django.utils import timezone

from kapstone.accounts.models import User
from kapstone.accounts.requests import StaffRequest
from kapstone.audit.services import actor_of, log_event, role_of
from kapstone.clients.models import Client
from kapstone.measures.services import assign_for_medicine_appointment, cancel_for_appointment
from kapstone.pathway.models import Episode, EpisodeState
from kapstone.pathway.readiness import readiness_gaps
from kapstone.pathway.transitions import Gap
from kapstone.practice.models import Membership, Practice, Role

from . import rules
from .models import (
    Appointment,
    AppointmentChange,
    AppointmentClinician,
    AppointmentKind,
    AppointmentStatus,
    CalendarFeed,
    Room,
    SchedulingSettings,
)
from .tasks import schedule_reminder

# The roles that may book a medicine session past missing readiness items (as for episode gates).
OVERRIDE_ROLES = frozenset({Role.ADMIN, Role.PRESCRIBER})
# Members who can be booked as an appointment's clinician.
CLINICIAN_ROLES = frozenset({Role.ADMIN, Role.PRESCRIBER, Role.THERAPIST, Role.MONITOR})
CLOSED_EPISODE_STATES = (EpisodeState.CLOSED, EpisodeState.WITHDRAWN)
MIN_MINUTES, MAX_MINUTES = 5, 12 * 60
MIN_REASON = 10


class SchedulingError(Exception):
    """A booking that cannot be made. ``field`` names the form field the message belongs next to."""

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        gaps: Iterable[Gap] = (),
        clashes: Iterable["Clash"] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.gaps = list(gaps)
        self.clashes = list(clashes)


@dataclass(frozen=True)
class Clash:
    field: str  # "clinicians" or "room"
    name: str  # who or what is double booked
    other: Appointment

    def message(self, zone: tzinfo) -> str:
        start, end = self.other.starts_at.astimezone(zone), self.other.ends_at.astimezone(zone)
        return (
            f"{self.name} is already booked {start:%a} {start.day} {start:%b} "
            f"{start:%H:%M}\u2013{end:%H:%M} {end:%Z} "
            f"({self.other.get_kind_display().lower()}). Choose another time"
            f"{' or clinician' if self.field == 'clinicians' else ' or room'}."
        )


# --- queries the booking rules use ---------------------------------------------------------------------


def open_episode_of(client: Client) -> Episode | None:
    """The client's newest episode that is not closed or withdrawn."""
    return (
        Episode.objects.filter(client=client)
        .exclude(state__in=CLOSED_EPISODE_STATES)
        .order_by("-opened_at")
        .first()
    )


def bookable_clinicians(practice: Practice) -> QuerySet[Membership]:
    return (
        Membership.objects.active()
        .filter(practice=practice, role__in=CLINICIAN_ROLES)
        .select_related("user")
        .order_by("user__full_name")
    )


def find_clashes(
    starts_at: datetime,
    ends_at: datetime,
    clinicians: Iterable[Membership],
    room: Room | None,
    *,
    exclude: Appointment | None = None,
) -> list[Clash]:
    """Other appointments holding one of ``clinicians`` or ``room`` during [starts_at, ends_at)."""
    busy = Appointment.objects.blocking().overlapping(starts_at, ends_at)
    if exclude is not None:
        busy = busy.exclude(pk=exclude.pk)
    clashes = []
    ids = [member.pk for member in clinicians]
    links = (
        AppointmentClinician.objects.filter(membership_id__in=ids, appointment__in=busy)
        .select_related("appointment", "membership__user")
        .order_by("appointment__starts_at")
    )
    seen = set()
    for link in links:
        if link.membership_id not in seen:
            seen.add(link.membership_id)
            clashes.append(Clash("clinicians", link.membership.user.full_name, link.appointment))
    if room is not None:
        other = busy.filter(room=room).order_by("starts_at").first()
        if other is not None:
            clashes.append(Clash("room", room.name, other))
    return clashes


# --- booking ---------------------------------------------------------------------------------------


def _snapshot(appointment: Appointment, clinicians: Iterable[Membership]) -> dict[str, Any]:
    return {
        "starts_at": appointment.starts_at.isoformat(),
        "ends_at": appointment.ends_at.isoformat(),
        "room": appointment.room_id,
        "clinicians": sorted(str(member.pk) for member in clinicians),
    }


def _unique(clinicians: Iterable[Membership]) -> list[Membership]:
    return list({member.pk: member for member in clinicians}.values())


def _lock(clinicians: Iterable[Membership], room: Room | None) -> None:
    """Serialise bookings that share a clinician or a room (two desks booking the same slot at once)."""
    ids = sorted(member.pk for member in clinicians)
    list(Membership.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk"))
    if room is not None:
        list(Room.objects.select_for_update().filter(pk=room.pk).values_list("pk"))


def _utc(starts_at: object) -> datetime:
    """Store and compute in UTC: adding minutes to a local time would count wall-clock time across a
    DST change (a 150-minute session from 01:00 on the night the clocks go back would end at 03:30)."""
    if not isinstance(starts_at, datetime) or timezone.is_naive(starts_at):
        raise SchedulingError("Give a start date and time.", field="starts_at")
    return starts_at.astimezone(UTC)


def _check_slot(
    client: Client,
    episode: Episode,
    *,
    kind: str,
    starts_at: datetime,
    minutes: int,
    clinicians: Sequence[Membership],
    room: Room | None,
    exclude: Appointment | None = None,
) -> datetime:
    if not MIN_MINUTES <= minutes <= MAX_MINUTES:
        raise SchedulingError(
            f"An appointment lasts from {MIN_MINUTES} to {MAX_MINUTES} minutes.", field="duration_minutes"
        )
    if kind == AppointmentKind.MEDICINE:
        minimum = rules.minimum_medicine_minutes(episode)
        if minutes < minimum:
            protocol = rules.protocol_for(episode)
            raise SchedulingError(
                f"A medicine session lasts at least {minimum} minutes: the {protocol.title} protocol's "
                f"minimum observation time.",
                field="duration_minutes",
            )
        if room is None:
            raise SchedulingError(
                "Choose a room or chair for a medicine session (the live board shows one card per room).",
                field="room",
            )
    if not clinicians:
        raise SchedulingError("Choose at least one clinician.", field="clinicians")
    for member in clinicians:
        if (
            member.practice_id != client.practice_id
            or not member.is_active
            or member.role not in CLINICIAN_ROLES
        ):
            raise SchedulingError(
                f"{member.user.full_name} cannot be booked as a clinician here.", field="clinicians"
            )
    if room is not None and (room.practice_id != client.practice_id or not room.is_active):
        raise SchedulingError(f"{room.name} cannot be booked: it is not an active room.", field="room")
    ends_at = starts_at + timedelta(minutes=minutes)
    _lock(clinicians, room)
    clashes = find_clashes(starts_at, ends_at, clinicians, room, exclude=exclude)
    if clashes:
        zone = client.practice.zone
        raise SchedulingError(" ".join(c.message(zone) for c in clashes), clashes=clashes)
    return ends_at


def _check_gate(
    request: StaffRequest | None,
    episode: Episode,
    override_reason: str,
    role: str | None,
    *,
    already_overridden: Iterable[str] = (),
) -> list[Gap]:
    """Readiness gaps not yet overridden: refused unless an admin/prescriber writes a reason."""
    gaps = [gap for gap in readiness_gaps(episode) if gap.code not in set(already_overridden)]
    if not gaps:
        return []
    override_reason = (override_reason or "").strip()
    if not override_reason:
        raise SchedulingError(
            "A medicine session cannot be scheduled yet: some readiness items are missing.",
            field="kind",
            gaps=gaps,
        )
    if role_of(request, role) not in OVERRIDE_ROLES:
        raise SchedulingError(
            "Only an admin or a prescriber can schedule a medicine session before readiness is complete.",
            field="override_reason",
            gaps=gaps,
        )
    if len(override_reason) < MIN_REASON:
        raise SchedulingError(
            f"Write why the session should go ahead (at least {MIN_REASON} characters).",
            field="override_reason",
            gaps=gaps,
        )
    return gaps


@transaction.atomic
def book_appointment(
    request: StaffRequest | None,
    client: Client,
    *,
    kind: str,
    starts_at: datetime,
    clinicians: Iterable[Membership],
    room: Room | None = None,
    duration_minutes: int | None = None,
    override_reason: str = "",
    actor: User | None = None,
    role: str | None = None,
) -> Appointment:
    """Book an appointment for the client's open episode; ``duration_minutes=None`` means the usual length
    (for a medicine session: see :func:`kapstone.scheduling.rules.medicine_length`)."""
    if kind not in AppointmentKind.values:
        raise SchedulingError("Choose the kind of appointment.", field="kind")
    episode = open_episode_of(client)
    if episode is None:
        raise SchedulingError(
            "This client has no open episode of care. Open an episode before booking.", field="kind"
        )
    starts_at = _utc(starts_at)
    settings = SchedulingSettings.for_practice(client.practice)
    minutes = duration_minutes or rules.default_minutes(kind, episode, settings)
    gaps = []
    if kind == AppointmentKind.MEDICINE:
        gaps = _check_gate(request, episode, override_reason, role)
    clinicians = _unique(clinicians)
    ends_at = _check_slot(
        client, episode, kind=kind, starts_at=starts_at, minutes=minutes, clinicians=clinicians, room=room
    )
    actor = actor_of(request, actor)
    appointment = Appointment.objects.create(
        practice=client.practice,
        client=client,
        episode=episode,
        kind=kind,
        room=room,
        starts_at=starts_at,
        ends_at=ends_at,
        created_by=actor,
        overridden_gates=[gap.code for gap in gaps],
        gate_override_reason=override_reason.strip() if gaps else "",
    )
    AppointmentClinician.objects.bulk_create(
        AppointmentClinician(practice=client.practice, appointment=appointment, membership=member)
        for member in clinicians
    )
    AppointmentChange.objects.create(
        practice=client.practice,
        appointment=appointment,
        kind=AppointmentChange.Kind.CREATED,
        actor=actor,
        after=_snapshot(appointment, clinicians),
    )
    log_event(
        request,
        "scheduling.appointment.created",
        obj=appointment,
        actor=actor,
        data={
            "kind": kind,
            "minutes": minutes,
            "room": room.pk if room else None,
            "clinicians": len(clinicians),
        },
    )
    if gaps:
        _log_override(request, appointment, actor, gaps)
    if kind == AppointmentKind.MEDICINE:
        # The plan's pre-session questionnaires, due before the session (docs/measurement-plan.md).
        assign_for_medicine_appointment(request, appointment, actor=actor)
    _after_commit_schedule_reminder(appointment)
    return appointment


def _log_override(
    request: StaffRequest | None, appointment: Appointment, actor: User | None, gaps: Sequence[Gap]
) -> None:
    log_event(
        request,
        "scheduling.appointment.gate_overridden",
        obj=appointment,
        actor=actor,
        data={"gates": [gap.code for gap in gaps]},
    )


def _after_commit_schedule_reminder(appointment: Appointment) -> None:
    pk = appointment.pk
    transaction.on_commit(lambda: schedule_reminder(pk))


def _locked(appointment: Appointment) -> Appointment:
    locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if locked.status != AppointmentStatus.SCHEDULED:
        raise SchedulingError(f"This appointment is already {locked.get_status_display().lower()}.")
    return locked


def _reason(reason: str, what: str) -> str:
    reason = (reason or "").strip()
    if len(reason) < 3:
        raise SchedulingError(f"Give a reason for {what}.", field="reason")
    return reason


@transaction.atomic
def reschedule_appointment(
    request: StaffRequest | None,
    appointment: Appointment,
    *,
    starts_at: datetime,
    duration_minutes: int,
    clinicians: Iterable[Membership],
    room: Room | None = None,
    reason: str,
    override_reason: str = "",
    actor: User | None = None,
    role: str | None = None,
) -> Appointment:
    """Move an appointment (time, length, clinicians, room), keeping the old values in its history.

    A medicine session is checked against readiness again: items already overridden on this
    appointment stay overridden; new gaps need a new written override.
    """
    appointment = _locked(appointment)
    starts_at = _utc(starts_at)
    reason = _reason(reason, "rescheduling")
    clinicians = _unique(clinicians)
    before = _snapshot(appointment, list(appointment.clinicians.all()))
    gaps = []
    if appointment.kind == AppointmentKind.MEDICINE:
        gaps = _check_gate(
            request,
            appointment.episode,
            override_reason,
            role,
            already_overridden=appointment.overridden_gates,
        )
    ends_at = _check_slot(
        appointment.client,
        appointment.episode,
        kind=appointment.kind,
        starts_at=starts_at,
        minutes=duration_minutes,
        clinicians=clinicians,
        room=room,
        exclude=appointment,
    )
    actor = actor_of(request, actor)
    appointment.starts_at, appointment.ends_at, appointment.room = starts_at, ends_at, room
    appointment.sequence += 1
    appointment.reminder_sent_at = None
    fields = ["starts_at", "ends_at", "room", "sequence", "reminder_sent_at"]
    if gaps:
        appointment.overridden_gates = sorted({*appointment.overridden_gates, *(g.code for g in gaps)})
        appointment.gate_override_reason = "\n".join(
            filter(None, [appointment.gate_override_reason, override_reason.strip()])
        )
        fields += ["overridden_gates", "gate_override_reason"]
    appointment.save(update_fields=fields)
    AppointmentClinician.objects.filter(appointment=appointment).exclude(
        membership__in=[m.pk for m in clinicians]
    ).delete()
    kept = set(
        AppointmentClinician.objects.filter(appointment=appointment).values_list("membership_id", flat=True)
    )
    AppointmentClinician.objects.bulk_create(
        AppointmentClinician(practice=appointment.practice, appointment=appointment, membership=member)
        for member in clinicians
        if member.pk not in kept
    )
    AppointmentChange.objects.create(
        practice=appointment.practice,
        appointment=appointment,
        kind=AppointmentChange.Kind.RESCHEDULED,
        actor=actor,
        reason=reason,
        before=before,
        after=_snapshot(appointment, clinicians),
    )
    log_event(
        request,
        "scheduling.appointment.rescheduled",
        obj=appointment,
        actor=actor,
        data={"minutes": duration_minutes, "room": room.pk if room else None, "clinicians": len(clinicians)},
    )
    if gaps:
        _log_override(request, appointment, actor, gaps)
    if appointment.kind == AppointmentKind.MEDICINE:
        assign_for_medicine_appointment(request, appointment, actor=actor)  # moves the open ones' due time
    _after_commit_schedule_reminder(appointment)
    return appointment


def _close(
    request: StaffRequest | None,
    appointment: Appointment,
    status: str,
    change_kind: str,
    action: str,
    *,
    reason: str = "",
    actor: User | None = None,
    extra: Mapping[str, object | Callable[[Appointment], object]] | None = None,
) -> Appointment:
    appointment = _locked(appointment)
    actor = actor_of(request, actor)
    now = timezone.now()
    if status != AppointmentStatus.CANCELLED and now < appointment.starts_at:
        label = AppointmentStatus(status).label.lower()
        raise SchedulingError(
            f"This appointment has not started yet: it can be marked {label} from its start."
        )
    appointment.status, appointment.status_changed_at = status, now
    fields = ["status", "status_changed_at"]
    for name, value in (extra or {}).items():
        setattr(appointment, name, value(appointment) if callable(value) else value)
        fields.append(name)
    appointment.save(update_fields=fields)
    AppointmentChange.objects.create(
        practice=appointment.practice,
        appointment=appointment,
        kind=change_kind,
        at=now,
        actor=actor,
        reason=reason,
    )
    log_event(request, action, obj=appointment, actor=actor, data={"kind": appointment.kind})
    return appointment


@transaction.atomic
def cancel_appointment(
    request: StaffRequest | None, appointment: Appointment, reason: str, *, actor: User | None = None
) -> Appointment:
    """Cancel with a reason; the clinicians and room are free again, no reminder is sent, and the
    questionnaires assigned for it that are not done yet are cancelled."""
    reason = _reason(reason, "cancelling")
    appointment = _close(
        request,
        appointment,
        AppointmentStatus.CANCELLED,
        AppointmentChange.Kind.CANCELLED,
        "scheduling.appointment.cancelled",
        reason=reason,
        actor=actor,
        extra={"cancel_reason": reason},
    )
    cancel_for_appointment(
        request, appointment, reason="appointment cancelled", actor=actor_of(request, actor)
    )
    return appointment


@transaction.atomic
def complete_appointment(
    request: StaffRequest | None, appointment: Appointment, *, actor: User | None = None
) -> Appointment:
    """Mark an appointment as held. A medicine session then makes an integration appointment due
    within the programme's window (:func:`kapstone.scheduling.rules.integration_window`), counted
    from the session's end."""
    extra = {}
    if appointment.kind == AppointmentKind.MEDICINE:
        extra["integration_due_at"] = lambda appt: appt.ends_at + rules.integration_window(appt.episode)
    return _close(
        request,
        appointment,
        AppointmentStatus.COMPLETED,
        AppointmentChange.Kind.COMPLETED,
        "scheduling.appointment.completed",
        actor=actor,
        extra=extra,
    )


@transaction.atomic
def mark_no_show(
    request: StaffRequest | None, appointment: Appointment, reason: str = "", *, actor: User | None = None
) -> Appointment:
    appointment = _close(
        request,
        appointment,
        AppointmentStatus.NO_SHOW,
        AppointmentChange.Kind.NO_SHOW,
        "scheduling.appointment.no_show",
        reason=(reason or "").strip(),
        actor=actor,
    )
    cancel_for_appointment(request, appointment, reason="client did not come", actor=actor_of(request, actor))
    return appointment


# --- calendar feeds -------------------------------------------------------------------------------------


@transaction.atomic
def issue_feed(request: StaffRequest, membership: Membership) -> str:
    """A new secret feed URL token for the member; any earlier URL stops working. Shown once."""
    feed = CalendarFeed.objects.filter(membership=membership).first()
    regenerated = feed is not None
    feed = feed or CalendarFeed(practice=membership.practice, membership=membership)
    token = feed.issue_token()
    feed.save()
    action = "scheduling.feed.regenerated" if regenerated else "scheduling.feed.created"
    log_event(request, action, obj=membership, practice=membership.practice)
    return token


@transaction.atomic
def revoke_feed(request: StaffRequest, membership: Membership) -> bool:
    deleted, _ = CalendarFeed.objects.filter(membership=membership).delete()
    if deleted:
        log_event(request, "scheduling.feed.revoked", obj=membership, practice=membership.practice)
    return bool(deleted)


# --- rooms and settings ---------------------------------------------------------------------------------


@transaction.atomic
def save_room(request: StaffRequest, form: "ModelForm[Room]") -> Room:
    created = form.instance._state.adding
    room = form.save(commit=False)
    room.practice = request.practice
    room.save()
    log_event(
        request,
        "scheduling.room.created" if created else "scheduling.room.updated",
        obj=room,
        data={"fields": sorted(form.changed_data)},
    )
    return room


@transaction.atomic
def save_settings(request: StaffRequest, form: "ModelForm[SchedulingSettings]") -> SchedulingSettings:
    settings = form.save(commit=False)
    settings.practice = request.practice
    settings.save()
    log_event(
        request, "scheduling.settings.updated", obj=settings, data={"fields": sorted(form.changed_data)}
    )
    return settings
