"""Medicine sessions for the demo practice: months of past sessions, and a live floor "now".

``add_sessions(practice, prescriber=..., monitor=..., now=..., rng=...)`` runs once, when the demo is
built. Clients in treatment get a few weekly past sessions, clients in follow-up or closed a full
course, on the dates of their course (``course.py``); each has a dose plan, a checklist, a dose the
prescriber ordered a few minutes before it was given, vitals at every scheduled check, MOAA/S and
RASS ratings, now and then a booster or a mild adverse event, and a discharge.
Five clients in treatment are on the floor today, one per room, each in a different phase: pre-dose,
just dosed, at the peak with an out-of-range blood pressure (its safety alert open), a check overdue,
and ready for discharge.

``refresh_live_floor(practice, now=...)`` runs at every demo start: it moves the floor sessions'
event times (and their medicine appointments) so they are again as far from "now" as when they were
built, so the live board is alive whenever the demo starts. The build goes through the sessions
services, so every record is checked and audited like a real one.
"""

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import F
from django.utils import timezone

from kapstone.clinical.monitoring import observation_end_minutes, scheduled_checks
from kapstone.measures.models import SafetyAlert
from kapstone.pathway.models import Episode, EpisodeState
from kapstone.practice.models import Membership, Role
from kapstone.practice.tenancy import scopes_disabled
from kapstone.scheduling.models import Appointment, AppointmentKind, AppointmentStatus
from kapstone.sessions import discharge, recording, reporting, reporting_due, services
from kapstone.sessions.models import (
    AdverseEvent,
    Checklist,
    Discharge,
    DoseAdministration,
    DoseOrder,
    MedicineSession,
    Observation,
    SessionNote,
    VitalsReading,
)

from .acting import As
from .course import DOSE_AFTER_OPENING, SESSIONS, course_for
from .prescribing import add_credentials, before_dose
from .register import give_from_stock, stock_register

# The prescriber orders each dose this long before it is given, after the checklist is confirmed.
ORDER_LEAD = timedelta(minutes=2)
# The floor clients use sublingual dosing; other clients show the other routes.
OTHER_PROTOCOLS = ("intramuscular", "esketamine_intranasal", "iv_infusion", "sublingual", "sublingual")
WEIGHTS = (58, 64, 71, 77, 83, 90)
# Past sessions never use the floor's room names, so refreshing the floor finds exactly its sessions.
PAST_ROOMS = ("Room 6", "Room 7", "Garden room", "Quiet room")


@dataclass(frozen=True)
class Room:
    room: str
    opened: int  # minutes before "now" the session was opened
    dose: int | None  # minutes before "now" the dose was given (None: pre-dose)
    # (minutes after the dose, sbp, dbp, hr, spo2, rr); negative minutes are before the dose
    readings: tuple = ()
    moaas: tuple = ()  # (minutes after the dose, MOAA/S)
    notes: tuple = ()
    extra: dict = field(default_factory=dict)


BASE = (-8, 124, 80, 72, 98, 14)
FLOOR = (
    Room("Room 1", opened=12, dose=None, readings=(BASE,), notes=("Settling in; playlist chosen.",)),
    Room("Room 2", opened=25, dose=8, readings=((-10, 128, 82, 76, 99, 14),)),
    Room(
        "Room 3",
        opened=58,
        dose=37,
        readings=(BASE, (15, 138, 86, 88, 97, 14), (30, 162, 98, 96, 97, 15), (36, 186, 114, 104, 96, 16)),
        moaas=((30, 4),),
        notes=("Client reports a pounding headache; repeat BP in 5 minutes.",),
    ),
    Room(
        "Room 4",
        opened=120,
        dose=100,
        readings=(
            BASE,
            (15, 134, 84, 84, 98, 14),
            (30, 138, 86, 82, 97, 14),
            (45, 132, 84, 80, 98, 14),
            (60, 128, 82, 76, 98, 14),
        ),
        moaas=((30, 4), (60, 5)),
    ),
    Room(
        "Room 5",
        opened=150,
        dose=126,
        readings=(
            BASE,
            (15, 136, 86, 86, 98, 14),
            (30, 140, 88, 84, 97, 14),
            (45, 134, 84, 80, 98, 14),
            (60, 130, 82, 78, 98, 14),
            (90, 126, 80, 74, 98, 14),
            (120, 122, 78, 72, 99, 14),
        ),
        moaas=((30, 4), (90, 5)),
        notes=("Integration talk begun; client oriented and steady.",),
    ),
)


def add_sessions(
    practice,
    *,
    admin: Membership,
    prescriber: Membership,
    monitor: Membership,
    now=None,
    rng: random.Random | None = None,
) -> int:
    """Build the demo's medicine sessions (past courses and today's floor), every dose drawn from the
    register, which is stocked two weeks before the first session. Returns how many sessions."""
    now = now or timezone.now()
    rng = rng or random.Random(20261126)  # noqa: S311 - synthetic data, not security
    with scopes_disabled():
        episodes = list(_episodes(practice))
        floor = _floor_episodes(episodes)
        courses = {e.pk: course_for(e.state, e.client.record_number, now, practice.zone) for e in episodes}
        first = min((opened for c in courses.values() for opened in c.sessions), default=now)
        since = timezone.localdate(first - timedelta(days=14), practice.zone)
        stock_register(practice, admin=admin, prescriber=prescriber, monitor=monitor, since=since)
        add_credentials(practice, admin=admin, prescriber=prescriber, monitor=monitor, since=since)
        count = 0
        for index, episode in enumerate(episodes):
            protocol_id = "sublingual" if episode in floor else OTHER_PROTOCOLS[index % len(OTHER_PROTOCOLS)]
            course = courses[episode.pk]
            weight = Decimal(rng.choice(WEIGHTS))
            before_dose(episode.client, prescriber, now, esketamine=False)
            plan_dose = _plan(prescriber, episode, protocol_id)
            for opened in course.sessions:
                _past_session(rng, episode, protocol_id, opened, weight, plan_dose, prescriber, monitor)
                count += 1
        for episode, room in zip(floor, FLOOR, strict=False):
            _floor_session(episode, room, now, prescriber, monitor)
            count += 1
        _file_reporting_forms(practice, monitor)
    return count


def _file_reporting_forms(practice, monitor):
    """Each past REMS Patient Monitoring Form was saved and filed two days after its session, except the
    newest session's, which is left due for the monitor to finish."""
    owed = reporting_due.owing(MedicineSession.objects.filter(practice=practice))
    for due in owed[:-1]:
        state = services.load(due.session)
        filed_on = min(due.dosed_on + timedelta(days=2), practice.today())
        filed = datetime.combine(filed_on, datetime.min.time(), practice.zone)
        reporting.save_reporting_form(
            As(monitor), due.session, due.definition.id, reporting.prefill(state), now=filed
        )
        reporting_due.record_submission(
            As(monitor),
            due.session,
            due.definition,
            submitted_on=filed_on,
            confirmation=f"RMS-{due.session.client.record_number}-{due.session.number:02d}",
        )


def _episodes(practice):
    return (
        Episode.objects.filter(practice=practice, state__in=list(SESSIONS))
        .select_related("client")
        .order_by("client__record_number")
    )


def _floor_episodes(episodes):
    """The clients on today's floor: the first clients in treatment, by record number."""
    return [e for e in episodes if e.state == EpisodeState.TREATMENT][: len(FLOOR)]


def _plan(prescriber, episode, protocol_id) -> Decimal:
    protocol = services.practice_protocol(episode.practice, protocol_id)
    dose = protocol.dose.default.value
    services.save_dose_plan(
        As(prescriber),
        episode,
        protocol_id=protocol_id,
        planned_dose=dose,
        notes="Start at the protocol default; review after each session.",
    )
    return dose


def _open(episode, protocol_id, room, opened, by) -> MedicineSession:
    protocol = services.practice_protocol(episode.practice, protocol_id)
    return MedicineSession.objects.create(
        practice=episode.practice,
        client=episode.client,
        episode=episode,
        number=MedicineSession.objects.filter(episode=episode).count() + 1,
        protocol_id=protocol.id,
        protocol_version=protocol.version_label,
        protocol_overrides={o.path: f"{o.new.normalize():f}" for o in protocol.overrides},
        room=room,
        opened_at=opened,
        opened_by=by.user,
    )


def _checklist(session, weight, by, at):
    baseline = session.vitals.order_by("-taken_at").first()
    return Checklist.objects.create(
        practice=session.practice,
        session=session,
        weight_kg=weight,
        fasting=True,
        no_alcohol_24h=True,
        escort_present=True,
        escort_name=session.client.emergency_contact_name or "Escort",
        escort_phone=session.client.emergency_contact_phone,
        pregnancy_status="not_applicable",
        intention_recalled=True,
        music="The practice's session playlist",
        eye_shades=True,
        setting_notes="Dim light, weighted blanket.",
        baseline_vitals=baseline,
        cssrs_summary="C-SSRS screener before the session: no risk indicated",
        confirmed_by=by.user,
        confirmed_at=at,
    )


def _order(session, amount, weight, prescriber, at, *, booster=False):
    """The prescriber's order, made at ``at``."""
    protocol = session.protocol
    order = services.order_dose(
        As(prescriber),
        session,
        dose=amount,
        weight_kg=weight,
        stock_strength=protocol.stock.strengths[-1]
        if protocol.stock.form != "solution"
        else protocol.stock.strengths[0],
        booster=booster,
        override_reason="Demo",
        now=at,
    )
    return order


def _order_and_give(session, amount, weight, prescriber, monitor, at, *, booster=False):
    """The prescriber orders the dose, and a few minutes later the monitor records it given at ``at``."""
    if not booster:
        before_dose(
            session.client,
            prescriber,
            at - ORDER_LEAD,
            esketamine=session.protocol_id.startswith("esketamine"),
        )
    order = _order(session, amount, weight, prescriber, at - ORDER_LEAD, booster=booster)
    given = give_from_stock(session, order, monitor, at, at + timedelta(minutes=1))
    return order, given


def _vitals(session, monitor, at, sbp, dbp, hr, spo2, rr):
    return recording.record_vitals(
        As(monitor),
        session,
        taken_at=at,
        sbp=sbp,
        dbp=dbp,
        hr=hr,
        spo2=spo2,
        rr=rr,
        now=at + timedelta(seconds=30),
    )


def _past_session(rng, episode, protocol_id, opened, weight, plan_dose, prescriber, monitor):
    session = _open(episode, protocol_id, rng.choice(PAST_ROOMS), opened, monitor)
    protocol = session.protocol
    base_sbp, base_dbp = rng.randint(112, 132), rng.randint(70, 84)
    _vitals(
        session,
        monitor,
        opened + timedelta(minutes=8),
        base_sbp,
        base_dbp,
        rng.randint(62, 80),
        rng.randint(97, 99),
        14,
    )
    _checklist(session, weight, monitor, opened + timedelta(minutes=12))
    dose_at = opened + timedelta(minutes=DOSE_AFTER_OPENING)
    if protocol.stock.form == "device":
        # The lot now comes from the register's container; the draw keeps the demo's sequence as built.
        rng.randint(10000, 99999)
    _order_and_give(session, plan_dose, weight, prescriber, monitor, dose_at)
    state = services.load(session, dose_at + timedelta(minutes=1))
    end = observation_end_minutes(protocol, infusion_minutes=state.infusion_minutes) + rng.randint(5, 20)
    checks = scheduled_checks(
        protocol, dose_at, until=dose_at + timedelta(minutes=end), infusion_minutes=state.infusion_minutes
    )
    for check in checks[1:]:
        rise = rng.randint(4, 22) if (check.offset_minutes or 0) <= 60 else rng.randint(-4, 8)
        at = check.due_at + timedelta(minutes=rng.randint(-2, 3))
        _vitals(
            session,
            monitor,
            at,
            base_sbp + rise,
            base_dbp + rise // 2,
            rng.randint(66, 92),
            rng.randint(96, 99),
            rng.randint(12, 16),
        )
    for minutes, scale, value in (
        (30, "moaas", rng.choice([4, 4, 5])),
        (30, "rass", rng.choice([-1, -1, 0])),
        # The clinician's dissociation level: marked at the peak, back to baseline by discharge (no
        # draw from rng, so the rest of the demo stays as it was).
        (30, "dissociation_level", 2 if session.number % 2 else 1),
        (90, "moaas", 5),
        (90, "dissociation_level", 0),
    ):
        if minutes < end:
            at = dose_at + timedelta(minutes=minutes, seconds=30)
            recording.record_observation(
                As(monitor),
                session,
                observed_at=at,
                scale=scale,
                value=value,
                now=at + timedelta(seconds=30),
            )
    if protocol.id == "sublingual" and rng.random() < 0.25:
        booster_at = dose_at + timedelta(minutes=int(protocol.dose.booster.earliest_minutes.value) + 5)
        booster = protocol.dose.booster.max_each.value / 2
        _order_and_give(session, booster, weight, prescriber, monitor, booster_at, booster=True)
    if rng.random() < 0.2:
        onset = dose_at + timedelta(minutes=rng.randint(20, 50))
        recording.record_adverse_event(
            As(monitor),
            session,
            category="expected",
            description="Mild nausea",
            onset_at=onset,
            severity="mild",
            relatedness="related",
            action_taken="Reassurance, sips of water",
            outcome="resolved",
            now=onset + timedelta(minutes=1),
        )
    note_at = dose_at + timedelta(minutes=end - 5)
    recording.add_note(
        As(monitor), session, text=_note(rng), written_at=note_at, now=note_at + timedelta(minutes=1)
    )
    out = dose_at + timedelta(minutes=end)
    discharge.discharge_session(
        As(monitor),
        session,
        discharged_at=out,
        aldrete_answers=dict.fromkeys(range(1, 6), 2),
        criteria={c.id: True for c in protocol.discharge.criteria},
        escort_name=session.client.emergency_contact_name or "Escort",
        now=out + timedelta(minutes=1),
    )
    return session


def _note(rng) -> str:
    return rng.choice(
        [
            "Calm throughout; brief tearfulness at the peak, settled with the music.",
            "Talked about the intention on the way in; quiet, eyes shaded, steady recovery.",
            "Some restlessness early on, reassured; oriented and walking steadily at the end.",
            "Described a sense of distance from recent worries; aftercare reviewed with the escort.",
        ]
    )


def _floor_session(episode, room: Room, now, prescriber, monitor):
    opened = now - timedelta(minutes=room.opened)
    session = _open(episode, "sublingual", room.room, opened, monitor)
    dose_at = now - timedelta(minutes=room.dose) if room.dose is not None else None
    anchor = dose_at or now
    for minutes, sbp, dbp, hr, spo2, rr in sorted(room.readings):
        if minutes < 0:
            _vitals(
                session,
                monitor,
                (dose_at or opened + timedelta(minutes=2)) + timedelta(minutes=minutes if dose_at else 0),
                sbp,
                dbp,
                hr,
                spo2,
                rr,
            )
    _checklist(session, Decimal("72"), monitor, (dose_at or now) - timedelta(minutes=3))
    if dose_at is None:
        _order(session, Decimal("100"), Decimal("72"), prescriber, now - timedelta(minutes=1))
    else:
        _order_and_give(session, Decimal("100"), Decimal("72"), prescriber, monitor, dose_at)
        for minutes, sbp, dbp, hr, spo2, rr in sorted(room.readings):
            if minutes >= 0:
                _vitals(session, monitor, anchor + timedelta(minutes=minutes), sbp, dbp, hr, spo2, rr)
        for minutes, value in room.moaas:
            at = anchor + timedelta(minutes=minutes, seconds=20)
            recording.record_observation(
                As(monitor),
                session,
                observed_at=at,
                scale="moaas",
                value=value,
                now=at + timedelta(seconds=10),
            )
    for text in room.notes:
        recording.add_note(As(monitor), session, text=text, written_at=now - timedelta(minutes=1), now=now)
    return session


# --- every demo start ---------------------------------------------------------------------------------

SHIFTED = (
    (MedicineSession, ("opened_at",)),
    (Checklist, ("confirmed_at",)),
    (DoseOrder, ("ordered_at",)),
    (DoseAdministration, ("given_at", "recorded_at")),
    (VitalsReading, ("taken_at", "recorded_at")),
    (Observation, ("observed_at", "recorded_at")),
    (AdverseEvent, ("onset_at", "recorded_at")),
    (SessionNote, ("written_at", "recorded_at")),
    (Discharge, ("discharged_at", "recorded_at")),
)


def refresh_live_floor(practice, *, now=None) -> int:
    """Bring the floor sessions back to "now" (as built), so the live board is alive at every start.

    Every event time of each floor session moves by the same amount, so its phase, its next check and
    its overdue check are as they were when the demo was built. Returns how many sessions moved.
    """
    now = now or timezone.now()
    moved = 0
    with scopes_disabled():
        for episode, room in zip(_floor_episodes(list(_episodes(practice))), FLOOR, strict=False):
            session = (
                MedicineSession.objects.filter(episode=episode, room=room.room).order_by("number").first()
            )
            if session is None:
                continue
            delta = (now - timedelta(minutes=room.opened)) - session.opened_at
            if abs(delta) < timedelta(seconds=30):
                continue
            for model, names in SHIFTED:
                rows = (
                    MedicineSession.objects.filter(pk=session.pk)
                    if model is MedicineSession
                    else model.objects.filter(session=session)
                )
                rows.update(**{name: F(name) + delta for name in names})
            # The floor's medicine appointment started when the session was opened; it moves along.
            Appointment.objects.filter(
                client=episode.client,
                kind=AppointmentKind.MEDICINE,
                status=AppointmentStatus.SCHEDULED,
                starts_at__gte=session.opened_at - timedelta(minutes=1),
                starts_at__lte=session.opened_at + timedelta(minutes=1),
            ).update(starts_at=F("starts_at") + delta, ends_at=F("ends_at") + delta)
            alerts = VitalsReading.objects.filter(session=session, alert__isnull=False).values_list(
                "alert", flat=True
            )
            SafetyAlert.objects.filter(pk__in=list(alerts)).update(created_at=F("created_at") + delta)
            moved += 1
    return moved


def demo_staff(practice) -> dict[str, Membership]:
    """The demo's prescriber and monitor (the first of each role)."""
    with scopes_disabled():
        members = Membership.objects.filter(practice=practice).select_related("user")
        return {
            "prescriber": members.filter(role=Role.PRESCRIBER).first(),
            "monitor": members.filter(role=Role.MONITOR).first(),
        }
