"""Which of the plan's pre-session questionnaires a client has done before a medicine session, which
are still due, and which are missing: what the pre-dose checklist shows (docs/measurement-plan.md)."""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from kapstone.clinical import get_instrument

from .models import Assignment, PathwayPoint, QuestionnaireResponse
from .plan import DEFAULT_PLAN, FIRST_SESSION_STANDS_IN, items_at


class Status:
    DONE, DUE, OVERDUE, MISSING = "done", "due", "overdue", "missing"


@dataclass(frozen=True)
class PreSessionQuestionnaire:
    instrument_id: str
    name: str
    status: str  # one of Status
    response: QuestionnaireResponse | None = None  # the answers that count, when done
    assignment: Assignment | None = None  # the open assignment, when due or overdue

    def describe(self, zone) -> str:
        if self.response is not None:
            when = timezone.localtime(self.response.submitted_at, zone)
            band = f": {self.response.band}" if self.response.band else ""
            return f"{self.name}: done {when:%a} {when.day} {when:%b %H:%M}{band}"
        if self.assignment is not None:
            due = timezone.localtime(self.assignment.due_at, zone)
            word = "overdue since" if self.status == Status.OVERDUE else "due by"
            return f"{self.name}: not done yet, {word} {due:%a} {due.day} {due:%b %H:%M}"
        return f"{self.name}: missing (not assigned, not answered)"


def counting_responses(client, instrument_ids, *, since: datetime | None, episode):
    """Submitted responses that count for the coming session: those submitted after ``since`` (the
    end of the previous medicine session), or, before the first session (``since`` None), those of
    this episode, the intake ones included. Newest first."""
    responses = QuestionnaireResponse.objects.submitted().filter(
        client=client, instrument_id__in=instrument_ids
    )
    if since is None:
        responses = responses.filter(episode=episode)
    else:
        responses = responses.filter(submitted_at__gt=since)
    return responses.order_by("-submitted_at")


_DEFAULT_ORDER = [instrument for point, instrument, *_ in DEFAULT_PLAN if point == PathwayPoint.PRE_SESSION]


def _plan_order(instrument_id: str) -> tuple[int, str]:
    """The default plan's order (PHQ-9, GAD-7, C-SSRS), then any the practice added by id."""
    known = instrument_id in _DEFAULT_ORDER
    return (_DEFAULT_ORDER.index(instrument_id) if known else len(_DEFAULT_ORDER), instrument_id)


def pre_session_questionnaires(
    client, episode, *, since: datetime | None, now: datetime | None = None
) -> list[PreSessionQuestionnaire]:
    """The plan's pre-session questionnaires for the client's coming medicine session, each done (a
    response that counts, see :func:`counting_responses`), due or overdue (an open pre-session
    assignment, the earliest if several appointments are booked) or missing. Three queries."""
    now = now or timezone.now()
    wanted = sorted(
        (item.instrument_id for item in items_at(client.practice, PathwayPoint.PRE_SESSION)), key=_plan_order
    )
    stand_ins = {
        FIRST_SESSION_STANDS_IN[i]: i
        for i in wanted
        if since is None and i in FIRST_SESSION_STANDS_IN and FIRST_SESSION_STANDS_IN[i] not in wanted
    }
    done: dict[str, QuestionnaireResponse] = {}
    for response in counting_responses(client, [*wanted, *stand_ins], since=since, episode=episode):
        done.setdefault(stand_ins.get(response.instrument_id, response.instrument_id), response)
    due: dict[str, Assignment] = {}
    for assignment in (
        Assignment.objects.open()
        .filter(client=client, point=PathwayPoint.PRE_SESSION, instrument_id__in=wanted)
        .order_by("-due_at")
    ):
        due[assignment.instrument_id] = assignment  # the earliest wins
    rows = []
    for instrument_id in wanted:
        name = get_instrument(instrument_id).short_name
        if instrument_id in done:
            rows.append(
                PreSessionQuestionnaire(instrument_id, name, Status.DONE, response=done[instrument_id])
            )
        elif instrument_id in due:
            late = due[instrument_id].due_at < now
            status = Status.OVERDUE if late else Status.DUE
            rows.append(PreSessionQuestionnaire(instrument_id, name, status, assignment=due[instrument_id]))
        else:
            rows.append(PreSessionQuestionnaire(instrument_id, name, Status.MISSING))
    return rows
