"""The course at a glance: one episode's preparation, each dose, its integration, and the measures.

Everything is fetched in a fixed number of queries and merged in time order, so a therapist reads the
whole course top to bottom: preparation -> dose (route, amount, key vitals, EBI) -> integration
(themes, insights, action items) -> measures.
"""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.urls import reverse
from django.utils import timezone

from kapstone.measures.models import QuestionnaireResponse
from kapstone.pathway.models import Intention, PreparationSession
from kapstone.sessions.models import MedicineSession
from kapstone.sessions.state import SessionState, with_records

from .models import IntegrationNote

EBI_WINDOW = timedelta(days=4)  # an EBI submitted within this time after a dose belongs to that dose
OUTCOME_INSTRUMENTS = ("phq9", "gad7", "pcl5", "qids_sr16")


@dataclass
class Event:
    at: datetime
    kind: str  # preparation | dose | integration | measure
    title: str
    details: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    url: str = ""


def _start_of(day, zone):
    return datetime.combine(day, time(12), zone)


def episode_timeline(episode, zone) -> list[Event]:
    events: list[Event] = []
    intentions = list(Intention.objects.filter(episode=episode).order_by("recorded_at"))
    for prep in PreparationSession.objects.filter(episode=episode).select_related("therapist__user"):
        words = [i.text for i in intentions if i.preparation_session_id == prep.pk]
        events.append(
            Event(
                _start_of(prep.held_on, zone),
                "preparation",
                "Preparation session",
                [f"With {prep.therapist.user.full_name}"] + [f"Intention: {w}" for w in words],
            )
        )
    ebis = list(
        QuestionnaireResponse.objects.submitted()
        .filter(episode=episode, instrument_id="ebi")
        .order_by("submitted_at")
    )
    now = timezone.now()
    sessions = with_records(MedicineSession.objects.filter(episode=episode).order_by("opened_at"))
    session_at: dict[object, datetime] = {}
    for session in sessions:
        state = SessionState(session, now)
        at = state.dose_time or session.opened_at
        details = []
        if state.dose_time is not None:
            details.append(f"{state.given_mg.normalize():f} mg, {state.protocol.title}")
        vitals = state.vitals
        if vitals:
            peak = max((v for v in vitals if v.sbp), key=lambda v: v.sbp or 0, default=None)
            if peak is not None:
                details.append(
                    f"Highest BP {peak.sbp}/{peak.dbp} mmHg; lowest SpO2 "
                    f"{min(v.spo2 for v in vitals if v.spo2) if any(v.spo2 for v in vitals) else '—'} %"
                )
        ebi = next(
            (
                r
                for r in ebis
                if state.dose_time and state.dose_time <= r.submitted_at <= state.dose_time + EBI_WINDOW
            ),
            None,
        )
        if ebi is not None:
            details.append(f"EBI {ebi.total:.1f} (mean of 0-100 ratings)")
        session_at[session.pk] = at
        events.append(
            Event(
                at,
                "dose",
                f"Medicine session {session.number}",
                details,
                url=reverse("sessions:detail", args=[session.pk]),
            )
        )
    notes = IntegrationNote.objects.filter(episode=episode).prefetch_related("action_items")
    for note in notes:
        details = [note.insights] if note.insights else []
        details += [
            f"Action: {item.what} ({item.get_status_display().lower()})" for item in note.action_items.all()
        ]
        # A note is dated by day only; on the day of its medicine session it still reads after it.
        at = _start_of(note.held_on, zone)
        if note.medicine_session_id in session_at:
            at = max(at, session_at[note.medicine_session_id])
        events.append(
            Event(
                at,
                "integration",
                "Integration",
                details,
                list(note.themes),
                url=reverse("integration:note", args=[note.client_id, note.pk]),
            )
        )
    for response in QuestionnaireResponse.objects.submitted().filter(
        episode=episode, instrument_id__in=OUTCOME_INSTRUMENTS
    ):
        total = f"{response.total:g}" if response.total is not None else ""
        events.append(
            Event(
                response.submitted_at,
                "measure",
                f"{response.instrument_id.upper()} {total}".strip(),
                [response.band] if response.band else [],
            )
        )
    return sorted(events, key=lambda event: event.at)
