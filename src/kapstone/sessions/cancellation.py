"""Ending a session that was opened but never dosed: cancelled, with a reason.

A dosed session is never cancelled: once medicine is given the client must be monitored and discharged
(``discharge.py``). A cancelled session stays on the client's record with its reason, leaves the live
board, and does not send ``session_discharged``, so the day's medicine appointment is not marked held.
Who may cancel (``roles.py``): a prescriber, or the member of staff who opened the session (they know
why the visit did not go ahead), in a clinical role.
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from kapstone.accounts.requests import StaffRequest
from kapstone.audit.services import log_event

from .models import MedicineSession
from .roles import PRESCRIBING_ROLES, RECORDING_ROLES, has_role
from .services import SessionError
from .state import SessionState, with_records

REASON_REQUIRED = "Give the reason the session is cancelled (it is kept on the client's record)."


def may_cancel(request: StaffRequest, session: MedicineSession) -> bool:
    """Whether the caller's role lets them cancel this session (not whether it can be cancelled now)."""
    if has_role(request, PRESCRIBING_ROLES):
        return True
    opened_by_caller = session.opened_by_id is not None and session.opened_by_id == request.user.pk
    return opened_by_caller and has_role(request, RECORDING_ROLES)


def refusal(state: SessionState) -> str | None:
    """Why this session cannot be cancelled now, in words, or None."""
    if state.session.is_cancelled:
        return "This session has already been cancelled."
    if state.administrations:
        return (
            "A dose has been given in this session, so it cannot be cancelled: discharge the client instead."
        )
    if state.discharge is not None:
        return "This session has ended with a discharge."
    return None


@transaction.atomic
def cancel_session(
    request: StaffRequest, session: MedicineSession, *, reason: str, now: datetime | None = None
) -> MedicineSession:
    now = now or timezone.now()
    # Lock the row so a dose recorded at the same moment cannot slip in between the check and the save.
    locked = with_records(MedicineSession.objects.select_for_update(of=("self",)).filter(pk=session.pk)).get()
    if not may_cancel(request, locked):
        raise SessionError("Only a prescriber or the person who opened the session can cancel it.")
    problem = refusal(SessionState(locked, now))
    if problem:
        raise SessionError(problem)
    reason = (reason or "").strip()
    if not reason:
        raise SessionError(REASON_REQUIRED)
    locked.cancelled_at = now
    locked.cancelled_by = request.user
    locked.cancellation_reason = reason
    locked.save(update_fields=["cancelled_at", "cancelled_by", "cancellation_reason"])
    log_event(
        request, "sessions.session.cancelled", obj=locked, client=locked.client, practice=locked.practice
    )
    return locked
