"""Discharge: the Aldrete score, the protocol's criteria and the minimum observation time.

``kapstone.clinical.monitoring.evaluate_discharge`` decides; a discharge it does not allow (too early,
or a criterion not met) needs a prescriber's override with a written reason.
"""

from dataclasses import replace
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from kapstone.accounts.requests import StaffRequest
from kapstone.audit.services import actor_of
from kapstone.clinical import get_instrument, score
from kapstone.clinical.instruments import Item
from kapstone.clinical.monitoring import DischargeEvaluation, evaluate_discharge
from kapstone.measures.models import SafetyAlert
from kapstone.measures.services import assign_after_session

from .events import session_discharged
from .models import Discharge, MedicineSession
from .roles import PRESCRIBING_ROLES, RECORDING_ROLES, has_role
from .services import SessionError, load, log_session_event
from .state import SessionState

ALDRETE = "aldrete"


def aldrete_items() -> tuple[Item, ...]:
    return get_instrument(ALDRETE).items


def aldrete_total(answers: dict[int, int]) -> int | None:
    """The modified Aldrete total, or None while an item is unanswered."""
    if len(answers) < len(aldrete_items()):
        return None
    total = score(ALDRETE, answers).total
    assert total is not None  # the Aldrete is a sum of its items
    return int(total)


def evaluation(
    state: SessionState,
    when: datetime,
    answers: dict[int, int] | None = None,
    criteria: dict[str, bool] | None = None,
) -> DischargeEvaluation | None:
    """``evaluate_discharge`` for this session at ``when`` (None before the dose)."""
    if state.dose_time is None:
        return None
    result = evaluate_discharge(
        state.protocol,
        state.dose_time,
        max(when, state.dose_time),
        aldrete_total(answers or {}),
        {c.id: (criteria or {}).get(c.id) for c in state.protocol.discharge.criteria},
        infusion_minutes=state.infusion_minutes,
    )
    # A critical vitals or observation alert raised during the session and still unacknowledged means
    # someone has not yet looked at a dangerous reading: going home needs a prescriber's override
    # (docs/severity.md).
    open_critical = SafetyAlert.objects.open().filter(
        client=state.session.client,
        kind__in=(SafetyAlert.Kind.VITALS, SafetyAlert.Kind.OBSERVATION),
        severity=SafetyAlert.Severity.CRITICAL,
        created_at__gte=state.session.opened_at,
    )
    if open_critical.exists():
        why = "An open critical safety alert from this session: acknowledge it, with the action taken."
        result = replace(result, allowed=False, blocking=(*result.blocking, why))
    return result


class DischargeRefused(SessionError):
    def __init__(self, message: str, result: DischargeEvaluation | None) -> None:
        super().__init__(message, result.blocking if result else ())
        self.result = result


@transaction.atomic
def discharge_session(
    request: StaffRequest,
    session: MedicineSession,
    *,
    discharged_at: datetime,
    aldrete_answers: dict[int, int],
    criteria: dict[str, bool],
    escort_name: str = "",
    notes: str = "",
    override_reason: str = "",
    now: datetime | None = None,
) -> Discharge:
    if not has_role(request, RECORDING_ROLES):
        raise SessionError("Your role cannot discharge a client.")
    now = now or timezone.now()
    state = load(session, now)
    if state.discharge is not None:
        raise SessionError("This client has already been discharged from the session.")
    if state.dose_time is None:
        raise SessionError("No dose has been given in this session: there is nothing to discharge from.")
    if discharged_at > now:
        raise SessionError("The discharge time is in the future.")
    if discharged_at < state.dose_time:
        raise SessionError("The discharge time is before the dose.")
    total = aldrete_total(aldrete_answers)
    result = evaluation(state, discharged_at, aldrete_answers, criteria)
    assert result is not None  # there is a dose time (checked above)
    override_reason = override_reason.strip()
    if not result.allowed:
        if not override_reason:
            raise DischargeRefused("Discharge is not allowed yet: a prescriber's override is needed.", result)
        if not has_role(request, PRESCRIBING_ROLES):
            raise DischargeRefused("Only a prescriber can override the discharge rules.", result)
    record = Discharge.objects.create(
        practice=session.practice,
        session=session,
        discharged_at=discharged_at,
        discharged_by=actor_of(request),
        aldrete_answers={str(k): v for k, v in sorted(aldrete_answers.items())},
        aldrete_total=total if total is not None else 0,
        criteria={c.id: bool(criteria.get(c.id)) for c in state.protocol.discharge.criteria},
        blocking=list(result.blocking),
        override_reason=override_reason if not result.allowed else "",
        escort_name=escort_name.strip(),
        notes=notes.strip(),
    )
    log_session_event(request, "sessions.discharge.recorded", record, session, aldrete=record.aldrete_total)
    if not result.allowed:
        log_session_event(
            request, "sessions.discharge.overridden", record, session, blocking=len(result.blocking)
        )
    # The plan's questionnaires for after a dosed session (the EBI), due a day after the discharge.
    assign_after_session(request, session, ended_at=record.discharged_at)
    session_discharged.send(sender=Discharge, request=request, session=session, discharge=record)
    return record
