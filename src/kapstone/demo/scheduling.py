"""Appointments in the demo practice: rooms and chairs, and for each client a schedule that fits the
stage of their episode.

- referred / screening: an intake (held, or coming up); eligible: a first preparation coming up;
- preparation: a preparation held last week and another in the coming days;
- treatment: earlier medicine sessions (on the dates of the client's course, ``course.py``) each
  followed by an integration; the clients on the live floor have a medicine appointment that started
  when their session was opened (minutes to hours before now, whatever the hour the demo is built),
  with an integration booked for tomorrow; one client's latest session (days ago) has no
  integration: it is overdue;
- follow-up: a follow-up visit in the coming weeks; closed: the last follow-up held;
- paused: a cancelled appointment with its reason; one missed (no-show) preparation.

Appointments are written directly (the demo's readiness records are built by the pathway demo; the
booking gate is the service's business), but never double book a clinician or a room. Medicine
sessions book the therapist who sits with the client; the monitor, who watches several chairs at
once, is not booked (booking a clinician is exclusive). On the live floor five sessions run at once
with two therapists and four medicine rooms, so a floor appointment books its therapist and a room
only where they are free.
"""

import random
from datetime import UTC, datetime, time, timedelta

from django.utils import timezone

from kapstone.clients.models import CareTeamRole
from kapstone.measures.services import assign_for_medicine_appointment
from kapstone.pathway.models import Episode, EpisodeState
from kapstone.practice.models import Membership, Role
from kapstone.scheduling import rules
from kapstone.scheduling.models import (
    Appointment,
    AppointmentChange,
    AppointmentClinician,
    AppointmentKind,
    AppointmentStatus,
    Room,
    SchedulingSettings,
)
from kapstone.scheduling.services import find_clashes

from .course import course_for
from .sessions import FLOOR

S, K, ST = EpisodeState, AppointmentKind, AppointmentStatus
ROOMS = [
    ("Sage room", Room.Kind.ROOM, "Recliner, dimmable light, ground floor"),
    ("Cedar room", Room.Kind.ROOM, "Recliner and couch, quiet side of the building"),
    ("Juniper chair", Room.Kind.CHAIR, "Infusion chair in the treatment suite"),
    ("Aspen chair", Room.Kind.CHAIR, "Infusion chair in the treatment suite"),
    ("Consult room", Room.Kind.ROOM, "Intake, preparation and integration talks"),
]


def add_scheduling(practice, rng: random.Random, now=None) -> None:
    """Add rooms and appointments to the (already built) demo ``practice``. Call after the pathway demo,
    so that each episode's programme sets its medicine-session length and integration window."""
    now = now or timezone.now()
    zone = practice.zone
    today = timezone.localdate(now, timezone=zone)
    SchedulingSettings.objects.get_or_create(practice=practice)
    settings = SchedulingSettings.for_practice(practice)
    rooms = [
        Room.objects.create(practice=practice, name=name, kind=kind, description=description)
        for name, kind, description in ROOMS
    ]
    consult, medicine_rooms = rooms[-1], rooms[:-1]
    members = Membership.objects.filter(practice=practice, is_active=True).select_related("user")
    by_role = {}
    for member in members:
        by_role.setdefault(member.role, []).append(member)
    front_desk = (by_role.get(Role.FRONT_DESK) or by_role[Role.ADMIN])[0]
    episodes = list(
        Episode.objects.filter(practice=practice)
        .select_related("client")
        .order_by("client__record_number", "-opened_at")
    )
    newest = {}
    for episode in episodes:
        newest.setdefault(episode.client_id, episode)
    book = _Booker(practice, front_desk.user, settings, zone, now)
    floor = iter(FLOOR)
    overdue_done = no_show_done = False
    for number, episode in enumerate(newest.values()):
        client = episode.client
        team = {m.role: m.membership for m in client.care_team.select_related("membership__user")}
        therapist = team.get(CareTeamRole.LEAD_THERAPIST) or team.get(CareTeamRole.THERAPIST) or front_desk
        prescriber = team.get(CareTeamRole.PRESCRIBER) or therapist
        day = lambda offset: today + timedelta(days=offset)  # noqa: E731
        state = episode.state
        if state in (S.REFERRED, S.SCREENING):
            held = state == S.SCREENING
            book(
                episode,
                K.INTAKE,
                day(-rng.randint(3, 12) if held else rng.randint(1, 6)),
                time(10),
                [prescriber],
                consult,
                status=ST.COMPLETED if held else ST.SCHEDULED,
            )
        elif state == S.ELIGIBLE:
            book(episode, K.PREPARATION, day(rng.randint(2, 8)), time(14), [therapist], consult)
        elif state == S.PREPARATION:
            if not no_show_done:
                book(episode, K.PREPARATION, day(-10), time(11), [therapist], consult, status=ST.NO_SHOW)
                no_show_done = True
            book(episode, K.PREPARATION, day(-7), time(15), [therapist], consult, status=ST.COMPLETED)
            book(episode, K.PREPARATION, day(rng.randint(1, 5)), time(15), [therapist], consult)
        elif state == S.TREATMENT:
            course = course_for(state, client.record_number, now, zone)
            seat = next(floor, None)
            # The first client in treatment off the floor whose integration window has passed has no
            # integration after their latest session: it is overdue.
            length = timedelta(minutes=rules.default_minutes(K.MEDICINE, episode, settings))
            ended = course.sessions[-1] + length
            overdue = seat is None and not overdue_done and ended + rules.integration_window(episode) < now
            overdue_done = overdue_done or overdue
            for n, opened in enumerate(course.sessions):  # each followed by an integration
                local = opened.astimezone(zone)
                room = medicine_rooms[len(course.sessions) % len(medicine_rooms)]
                held = ST.COMPLETED
                book(episode, K.MEDICINE, local.date(), local.time(), [therapist], room, status=held)
                if overdue and n == len(course.sessions) - 1:
                    break
                after = local.date() + timedelta(days=1)
                book(episode, K.INTEGRATION, after, time(16), [therapist], consult, status=held)
            if seat is not None:
                index = FLOOR.index(seat)
                opened = (now - timedelta(minutes=seat.opened)).replace(second=0, microsecond=0)
                room = medicine_rooms[index] if index < len(medicine_rooms) else None
                book.at(episode, K.MEDICINE, opened, [therapist], room)
                book(episode, K.INTEGRATION, day(1), time(13 + index), [therapist], consult)
            elif not overdue:
                book(
                    episode,
                    K.MEDICINE,
                    day(rng.randint(2, 6)),
                    time(9),
                    [therapist],
                    medicine_rooms[number % len(medicine_rooms)],
                )
        elif state == S.FOLLOW_UP:
            book(episode, K.FOLLOW_UP, day(rng.randint(7, 40)), time(11), [therapist], consult)
        elif state == S.CLOSED:
            book(
                episode,
                K.FOLLOW_UP,
                day(-rng.randint(5, 20)),
                time(11),
                [therapist],
                consult,
                status=ST.COMPLETED,
            )
        elif state == S.PAUSED:
            book(
                episode,
                K.INTEGRATION,
                day(3),
                time(10),
                [therapist],
                consult,
                status=ST.CANCELLED,
                reason="Client travelling for work; will rebook on return.",
            )


class _Booker:
    """Writes one appointment with its clinicians and history, moving it later until nothing clashes."""

    def __init__(self, practice, actor, settings, zone, now):
        self.practice, self.actor, self.settings, self.zone, self.now = practice, actor, settings, zone, now

    def _free_slot(self, day, at, minutes, clinicians, room):
        """The first time from ``day`` at ``at``, in half hours between 08:00 and 19:00 over the next
        days, when the clinicians and room are free (None if there is none within a week)."""
        local = datetime.combine(day, at)
        for _ in range(7 * 22):
            if local.time() < time(8) or (local + timedelta(minutes=minutes)).time() > time(19):
                local = datetime.combine(local.date() + timedelta(days=1), time(8))
                continue
            start = local.replace(tzinfo=self.zone).astimezone(UTC)
            if not find_clashes(start, start + timedelta(minutes=minutes), clinicians, room):
                return start
            local += timedelta(minutes=30)
        return None

    def at(self, episode, kind, start, clinicians, room):
        """An appointment at exactly ``start`` (a session already under way): with the clinicians and
        the room where they are free, without them where they are not."""
        minutes = rules.default_minutes(kind, episode, self.settings)
        # A session running over its booked length keeps its booking until it ends.
        end = max(start + timedelta(minutes=minutes), self.now + timedelta(minutes=30))
        free = [m for m in clinicians if not find_clashes(start, end, [m], None)]
        if room is not None and find_clashes(start, end, [], room):
            room = None
        return self.write(episode, kind, start, end, free, room, status=ST.SCHEDULED, reason="")

    def __call__(self, episode, kind, day, at, clinicians, room, *, status=ST.SCHEDULED, reason=""):
        minutes = rules.default_minutes(kind, episode, self.settings)
        start = self._free_slot(day, at, minutes, clinicians, room)
        if start is None:
            return None
        end = start + timedelta(minutes=minutes)
        return self.write(episode, kind, start, end, clinicians, room, status=status, reason=reason)

    def write(self, episode, kind, start, end, clinicians, room, *, status, reason):
        now = self.now
        created = min(start - timedelta(days=7), now)
        reminder_due = start - timedelta(hours=self.settings.reminder_lead_hours)
        appointment = Appointment.objects.create(
            practice=self.practice,
            client=episode.client,
            episode=episode,
            kind=kind,
            status=status,
            room=room,
            starts_at=start,
            ends_at=end,
            created_at=created,
            created_by=self.actor,
            cancel_reason=reason if status == ST.CANCELLED else "",
            status_changed_at=end if status != ST.SCHEDULED else None,
            integration_due_at=(
                end + rules.integration_window(episode)
                if kind == K.MEDICINE and status == ST.COMPLETED
                else None
            ),
            # Reminders for what has already happened count as sent, so the worker mails no one.
            reminder_sent_at=reminder_due if reminder_due < now else None,
        )
        if kind == K.MEDICINE and status == ST.SCHEDULED:
            # As booking does in the practice: the plan's pre-session questionnaires, due before it.
            assign_for_medicine_appointment(None, appointment, actor=self.actor)
        AppointmentClinician.objects.bulk_create(
            AppointmentClinician(practice=self.practice, appointment=appointment, membership=member)
            for member in {m.pk: m for m in clinicians}.values()
        )
        AppointmentChange.objects.create(
            practice=self.practice,
            appointment=appointment,
            kind=AppointmentChange.Kind.CREATED,
            at=created,
            actor=self.actor,
        )
        if status != ST.SCHEDULED:
            AppointmentChange.objects.create(
                practice=self.practice,
                appointment=appointment,
                kind=status,
                at=end,
                actor=self.actor,
                reason=reason,
            )
        return appointment
