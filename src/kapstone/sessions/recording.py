"""What is recorded during a session: vitals, observations, adverse events, notes, and corrections.

Vitals and MOAA/S are checked against the session protocol's thresholds
(``kapstone.clinical.monitoring.check_vitals``); a flag of warning or critical severity raises a
``SafetyAlert`` (kind "vitals" or "observation") through ``kapstone.measures.alerts.raise_alert``, at
the most severe flag's severity, which decides who is told at once and how soon it escalates
(docs/severity.md). A correction never edits a record: :func:`amend` adds a new
version that points at the original, with the reason, and may withdraw the original as an error.
"""

from collections.abc import Iterable
from dataclasses import fields as dataclass_fields
from datetime import datetime
from decimal import Decimal
from typing import Any, cast

from django.db import transaction
from django.utils import timezone

from kapstone.accounts.requests import StaffRequest
from kapstone.audit.services import actor_of
from kapstone.clinical import score
from kapstone.clinical.monitoring import Flag, Reading, ReadingContext, check_plausible, check_vitals
from kapstone.measures.alerts import raise_alert
from kapstone.measures.models import SafetyAlert

from . import supply
from .models import (
    AdverseEvent,
    DoseAdministration,
    MedicineSession,
    Observation,
    SessionNote,
    VitalsReading,
)
from .roles import ADMINISTERING_ROLES, has_role
from .scales import level_label
from .services import SessionError, load, log_session_event, record_administration
from .state import ALERT_SEVERITIES, SessionState, alert_severity

# The records a session keeps in versions (models.SessionRecord): each has its session and amendments.
Record = VitalsReading | Observation | AdverseEvent | SessionNote | DoseAdministration

VITAL_FIELDS = ("sbp", "dbp", "hr", "spo2", "rr")
READING_FIELDS = frozenset(f.name for f in dataclass_fields(Reading)) - {"taken_at"}


def _flag_dicts(flags: Iterable[Flag]) -> list[dict[str, Any]]:
    return [
        {
            "parameter": f.parameter,
            "value": str(f.value),
            "severity": f.severity,
            "direction": f.direction,
            "message": f.message,
            "advice": f.advice,
            "threshold": f.threshold_id,
            "holds_dose": f.holds_dose,
        }
        for f in flags
    ]


def _check_time(when: datetime | None, now: datetime) -> None:
    if when is None:
        raise SessionError("Enter the time.")
    if when > now:
        raise SessionError("The time is in the future.")


def _alert_for(
    request: StaffRequest, session: MedicineSession, kind: str, flags: list[dict[str, Any]], what: str
) -> SafetyAlert | None:
    """One safety alert for a record's flags of warning or critical severity, at the most severe one."""
    serious = [f for f in flags if f["severity"] in ALERT_SEVERITIES]
    if not serious:
        return None
    text = f"{session.room}: {what} out of range. " + " ".join(f["message"] for f in serious)
    severity = alert_severity(serious)
    return raise_alert(request, client=session.client, kind=kind, severity=severity, summary=text)


def _before_discharge(state: SessionState, when: datetime) -> None:
    if state.discharged_at is not None and when > state.discharged_at:
        raise SessionError("The client was discharged before this time; record it as a note instead.")


def _writable(original: Record | None = None) -> None:
    if original is not None and (original.amendments.exists() or original.entered_in_error):
        raise SessionError("This record has already been corrected; correct the newest version.")


# --- vitals -------------------------------------------------------------------------------------------


@transaction.atomic
def record_vitals(
    request: StaffRequest,
    session: MedicineSession,
    *,
    taken_at: datetime,
    amends: VitalsReading | None = None,
    reason: str = "",
    entered_in_error: bool = False,
    now: datetime | None = None,
    **values: Any,
) -> VitalsReading:
    """Record one reading of BP, HR, SpO2, RR. Implausible values raise ``ValueError`` with the range."""
    now = now or timezone.now()
    values = {name: values.get(name) for name in VITAL_FIELDS}
    if not entered_in_error:
        _check_time(taken_at, now)
        if all(v is None for v in values.values()):
            raise SessionError("Enter at least one value.")
        if (values["sbp"] is None) != (values["dbp"] is None):
            raise SessionError("Enter blood pressure as systolic and diastolic together.")
    state = load(session, now)
    _writable(amends)
    _before_discharge(state, taken_at)
    reading = Reading(taken_at=taken_at, **values)
    flags = []
    if not entered_in_error:
        check_plausible(reading)
        earlier = tuple(
            Reading(taken_at=v.taken_at, **{n: getattr(v, n) for n in VITAL_FIELDS})
            for v in state.vitals
            if v.taken_at < taken_at and (amends is None or v.pk != amends.pk)
        )
        flags = _flag_dicts(check_vitals(state.protocol, reading, ReadingContext(state.dose_time, earlier)))
    record = VitalsReading(
        practice=session.practice,
        session=session,
        taken_at=taken_at,
        flags=flags,
        recorded_by=actor_of(request),
        amends=amends,
        amendment_reason=reason,
        entered_in_error=entered_in_error,
        **values,
    )
    record.alert = _alert_for(request, session, SafetyAlert.Kind.VITALS, flags, "Vitals")
    record.save()
    log_session_event(
        request, "sessions.vitals.recorded", record, session, flagged=[f["parameter"] for f in flags]
    )
    if amends is not None:
        log_session_event(
            request, "sessions.record.amended", record, session, record="vitals", original=str(amends.pk)
        )
    return record


# --- observations -------------------------------------------------------------------------------------


@transaction.atomic
def record_observation(
    request: StaffRequest,
    session: MedicineSession,
    *,
    observed_at: datetime,
    scale: str,
    value: int | str,
    amends: Observation | None = None,
    reason: str = "",
    entered_in_error: bool = False,
    now: datetime | None = None,
) -> Observation:
    """A MOAA/S or RASS rating, scored by ``kapstone.clinical.score``; MOAA/S is checked against the
    protocol's sedation thresholds (RASS has none in the protocols, so it never alerts)."""
    now = now or timezone.now()
    if scale not in Observation.Scale.values:
        raise SessionError(f"Unknown scale {scale!r}.")
    _check_time(observed_at, now)
    result = score(scale, {1: int(value)})  # ValueError names an out-of-range answer
    state = load(session, now)
    _writable(amends)
    _before_discharge(state, observed_at)
    flags = []
    if scale in READING_FIELDS and not entered_in_error:
        level: dict[str, Any] = {scale: int(value)}  # the scale's field of Reading (READING_FIELDS)
        reading = Reading(taken_at=observed_at, **level)
        flags = _flag_dicts(check_vitals(state.protocol, reading, ReadingContext(state.dose_time)))
    record = Observation(
        practice=session.practice,
        session=session,
        observed_at=observed_at,
        scale=scale,
        value=int(value),
        # A configurable scale keeps the practice's words as shown when it was rated (scales.py).
        band=level_label(session.practice, scale, int(value)) or result.band or "",
        flags=flags,
        recorded_by=actor_of(request),
        amends=amends,
        amendment_reason=reason,
        entered_in_error=entered_in_error,
    )
    label = Observation.Scale(scale).label
    record.alert = _alert_for(request, session, SafetyAlert.Kind.OBSERVATION, flags, label)
    record.save()
    log_session_event(request, "sessions.observation.recorded", record, session, scale=scale)
    if amends is not None:
        log_session_event(
            request, "sessions.record.amended", record, session, record="observation", original=str(amends.pk)
        )
    return record


# --- adverse events and notes ------------------------------------------------------------------------


@transaction.atomic
def record_adverse_event(
    request: StaffRequest,
    session: MedicineSession,
    *,
    category: str,
    description: str,
    onset_at: datetime,
    severity: str,
    serious: bool = False,
    relatedness: str = AdverseEvent.Relatedness.UNKNOWN,
    action_taken: str = "",
    outcome: str,
    amends: AdverseEvent | None = None,
    reason: str = "",
    entered_in_error: bool = False,
    now: datetime | None = None,
) -> AdverseEvent:
    now = now or timezone.now()
    _check_time(onset_at, now)
    state = load(session, now)
    _writable(amends)
    categories = {c.id: c for c in state.protocol.adverse_events}
    if category not in categories:
        raise SessionError(f"Choose one of the protocol's categories: {', '.join(categories)}.")
    if not description.strip():
        raise SessionError("Describe the adverse event.")
    record = AdverseEvent.objects.create(
        practice=session.practice,
        session=session,
        category=category,
        category_label=categories[category].label,
        description=description.strip(),
        onset_at=onset_at,
        severity=severity,
        # A category the protocol calls serious (respiratory, serious/reportable) always is.
        serious=bool(serious) or categories[category].serious,
        relatedness=relatedness,
        action_taken=action_taken.strip(),
        outcome=outcome,
        recorded_by=actor_of(request),
        amends=amends,
        amendment_reason=reason,
        entered_in_error=entered_in_error,
    )
    log_session_event(
        request, "sessions.adverse_event.recorded", record, session, category=category, serious=record.serious
    )
    if amends is not None:
        log_session_event(
            request,
            "sessions.record.amended",
            record,
            session,
            record="adverse_event",
            original=str(amends.pk),
        )
    return record


@transaction.atomic
def add_note(
    request: StaffRequest,
    session: MedicineSession,
    *,
    text: str,
    written_at: datetime | None = None,
    amends: SessionNote | None = None,
    reason: str = "",
    entered_in_error: bool = False,
    now: datetime | None = None,
) -> SessionNote:
    now = now or timezone.now()
    written_at = written_at or now
    _check_time(written_at, now)
    if not text.strip():
        raise SessionError("Write the note.")
    _writable(amends)
    record = SessionNote.objects.create(
        practice=session.practice,
        session=session,
        written_at=written_at,
        text=text.strip(),
        recorded_by=actor_of(request),
        amends=amends,
        amendment_reason=reason,
        entered_in_error=entered_in_error,
    )
    log_session_event(request, "sessions.note.added", record, session)
    if amends is not None:
        log_session_event(
            request, "sessions.record.amended", record, session, record="note", original=str(amends.pk)
        )
    return record


# --- corrections --------------------------------------------------------------------------------------

RECORD_TYPES = {
    "vitals": VitalsReading,
    "observation": Observation,
    "adverse_event": AdverseEvent,
    "note": SessionNote,
    "administration": DoseAdministration,
}


def amend(
    request: StaffRequest,
    original: Record,
    *,
    reason: str,
    entered_in_error: bool = False,
    now: datetime | None = None,
    **values: Any,
) -> Record:
    """Correct ``original`` with a new version (``values`` as for recording it), keeping both.

    ``entered_in_error`` withdraws the original instead: the new version repeats its values and says
    so. A reason is always required.
    """
    reason = reason.strip()
    if not reason:
        raise SessionError("Give the reason for the correction.")
    if original.amendments.exists() or original.entered_in_error:
        raise SessionError("This record has already been corrected; correct the newest version.")
    session = original.session
    common: dict[str, Any] = {"amends": original, "reason": reason, "now": now}
    if entered_in_error:
        values = copy_values(original)
    if isinstance(original, VitalsReading):
        return record_vitals(request, session, entered_in_error=entered_in_error, **common, **values)
    if isinstance(original, Observation):
        return record_observation(request, session, entered_in_error=entered_in_error, **common, **values)
    if isinstance(original, AdverseEvent):
        return record_adverse_event(request, session, entered_in_error=entered_in_error, **common, **values)
    if isinstance(original, SessionNote):
        return add_note(request, session, entered_in_error=entered_in_error, **common, **values)
    if isinstance(original, DoseAdministration):
        return _amend_administration(request, original, entered_in_error, values, common)
    raise TypeError(f"{type(original).__name__} records are not amended")


def copy_values(original: Record) -> dict[str, Any]:
    names = {
        VitalsReading: ("taken_at", *VITAL_FIELDS),
        Observation: ("observed_at", "scale", "value"),
        AdverseEvent: (
            "category",
            "description",
            "onset_at",
            "severity",
            "serious",
            "relatedness",
            "action_taken",
            "outcome",
        ),
        SessionNote: ("written_at", "text"),
        DoseAdministration: ("given_at", "amount_mg", "lot_number", "note"),
    }[type(original)]
    return {name: getattr(original, name) for name in names}


@transaction.atomic
def _amend_administration(
    request: StaffRequest,
    original: DoseAdministration,
    entered_in_error: bool,
    values: dict[str, Any],
    common: dict[str, Any],
) -> DoseAdministration:
    session = original.session
    if entered_in_error:
        if not has_role(request, ADMINISTERING_ROLES):
            raise SessionError("Only a prescriber or a monitor can correct a dose given.")
        # A dose that was never given returns its whole draw to the container (the register first,
        # so its locks come before the audit trail's).
        if original.draw is not None:
            try:
                supply.refuse_non_mover(request)
                supply.correct_draw(request, original, Decimal(0), common["reason"])
            except supply.SupplyError as exc:
                raise SessionError(str(exc)) from exc
        values.setdefault("lot_number", original.lot_number)
        record = DoseAdministration.objects.create(
            practice=session.practice,
            session=session,
            order=original.order,
            given_by=original.given_by,
            container=original.container,
            draw=original.draw,
            prescription_ref=original.prescription_ref,
            recorded_by=actor_of(request),
            amends=original,
            amendment_reason=common["reason"],
            entered_in_error=True,
            **values,
        )
    else:
        record = record_administration(
            request,
            session,
            original.order,
            amends=original,
            reason=common["reason"],
            now=common["now"],
            **values,
        )
    log_session_event(
        request,
        "sessions.record.amended",
        record,
        session,
        record="administration",
        original=str(original.pk),
    )
    return record


TIME_FIELDS = {
    VitalsReading: "taken_at",
    Observation: "observed_at",
    AdverseEvent: "onset_at",
    SessionNote: "written_at",
    DoseAdministration: "given_at",
}


def history(
    model: type[Record], session: MedicineSession, *related: str
) -> list[tuple[Record, list[Record]]]:
    """Every version of a session's records of one type with its correction chain, in event-time
    order: [(newest version, [earlier versions, newest first])]. The newest version may withdraw
    the record (``entered_in_error``)."""
    # The manager is declared on the abstract SessionRecord, so django-stubs types the rows as that.
    rows = cast(
        list[Record],
        list(
            model.objects.filter(session=session)
            .select_related("recorded_by", *related)
            .order_by("recorded_at")
        ),
    )
    by_id = {r.pk: r for r in rows}
    amended = {r.amends_id for r in rows if r.amends_id}
    out: list[tuple[Record, list[Record]]] = []
    for record in rows:
        if record.pk in amended:
            continue
        chain: list[Record] = []
        cursor = record
        while cursor.amends_id is not None:
            cursor = by_id[cursor.amends_id]
            chain.append(cursor)
        out.append((record, chain))
    return sorted(out, key=lambda pair: getattr(pair[0], TIME_FIELDS[model]))
