"""The demo practice as built by ``kapstone demo``: the story it tells (most clients in treatment
improve, some do not, one gets worse and is flagged), its pathway, schedule and screening records.

One build serves this whole module (``tests/demo/build.py``: a build takes about 15 s), so the demo
is built once per test run; each test's own changes are rolled back. CI also runs the suite at
00:30, 11:59 and 23:30 in the practice zone (``tests/clock.py``), so the build is checked at those
hours too.
"""

from collections import Counter
from datetime import UTC, datetime, timedelta
from itertools import combinations, pairwise
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from kapstone.demo.course import DOSE_AFTER_OPENING, SESSION_STARTS, course_for
from kapstone.demo.pathway import PATHS
from kapstone.demo.sessions import FLOOR, refresh_live_floor
from kapstone.measures.models import Assignment, QuestionnaireResponse, SafetyAlert
from kapstone.measures.outcome_rates import client_trajectories, practice_rates
from kapstone.pathway.models import Episode, EpisodeState, Intention
from kapstone.pathway.readiness import readiness_gaps
from kapstone.practice.models import Membership, Role
from kapstone.register.models import Discrepancy, Entry, EntryKind
from kapstone.register.verify import check_register
from kapstone.scheduling.models import BLOCKING_STATUSES, Appointment, AppointmentKind, Room
from kapstone.scheduling.queries import medicine_appointments_on, overdue_integrations
from kapstone.screening.models import (
    EligibilityAssessment,
    EligibilityDecision,
    Inquiry,
    InquiryStatus,
    Intake,
)
from kapstone.sessions import reporting_due
from kapstone.sessions.chart import client_dosing
from kapstone.sessions.models import DoseAdministration, MedicineSession, Observation, ReportingSubmission

from ..pathway.helpers import PATHWAY_CODES
from .build import built_demo

S = EpisodeState
DOSED = (S.TREATMENT, S.FOLLOW_UP, S.CLOSED)
SCREENERS = ("audit", "dast10", "mdq", "pqb")
CHICAGO = ZoneInfo("America/Chicago")


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with built_demo(django_db_blocker) as practice:
        yield practice


def verdicts(practice, instrument_id):
    """Stage and reliable-change category of each dosed client's trajectory (as on their chart)."""
    found = []
    for episode in Episode.objects.filter(practice=practice, state__in=DOSED).select_related("client"):
        trajectory = next(
            t
            for t in client_trajectories(episode.client, client_dosing(episode.client))
            if t.instrument.id == instrument_id
        )
        found.append((episode.state, episode.client, trajectory))
    return found


def test_most_clients_in_treatment_improve_some_do_not_and_one_gets_worse_and_is_flagged(
    demo, db, scoped, client
):
    phq9 = verdicts(demo, "phq9")
    in_treatment = Counter(t.change.category for state, _, t in phq9 if state == S.TREATMENT)
    assert in_treatment["improved"] + in_treatment["recovered"] > sum(in_treatment.values()) / 2
    assert sum(1 for _, _, t in phq9 if t.change.category == "unchanged") >= 2  # some do not respond
    worse = [(state, person) for state, person, t in phq9 if t.change.category == "deteriorated"]
    assert len(worse) == 1 and worse[0][0] == S.TREATMENT
    person = worse[0][1]
    assert SafetyAlert.objects.open().filter(client=person, kind="critical_item").exists()
    prescriber = Membership.objects.get(practice=demo, role=Role.PRESCRIBER)
    client.force_login(prescriber.user)
    chart = client.get(reverse("measures:client", args=[person.pk])).content.decode()
    assert ">Deteriorated<" in chart


def test_on_the_outcomes_page_improvement_clearly_outnumbers_deterioration(demo, db, scoped, client):
    rates = {r.instrument.id: r for r in practice_rates(demo)}
    for instrument_id in ("phq9", "gad7"):
        counts = rates[instrument_id].counts
        assert counts["deteriorated"] >= 1
        assert counts["improved"] >= 5 * counts["deteriorated"], (instrument_id, counts)
    client.force_login(Membership.objects.get(practice=demo, role=Role.PRESCRIBER).user)
    assert client.get(reverse("measures:outcomes")).status_code == 200


def test_phq9_and_gad7_start_moderate_to_severe_and_fall_over_the_course_for_most(demo, db, scoped):
    for instrument_id in ("phq9", "gad7"):
        found = verdicts(demo, instrument_id)
        for _, person, trajectory in found:
            first = trajectory.responses[0]
            assert first.total >= 10, (person, instrument_id, first.total)  # moderate or worse at intake
            dose = client_dosing(person).first_doses[trajectory.latest.episode_id]
            assert trajectory.baseline.submitted_at < dose  # the baseline is a pre-treatment score
        falling = [t for _, _, t in found if t.change.latest < t.change.baseline]
        assert len(falling) > len(found) * 2 / 3


def test_intake_screeners_vary_from_client_to_client_and_none_is_all_zero(demo, db, scoped):
    for instrument_id in SCREENERS:
        responses = list(
            QuestionnaireResponse.objects.submitted().filter(practice=demo, instrument_id=instrument_id)
        )
        assert len(responses) >= 20
        assert all(any(value for value in r.answers.values()) for r in responses), instrument_id
        assert len({r.total for r in responses}) >= 3, instrument_id
        # Below every positive screen, except the heavy drinker the screening worklist shows.
        positive = [r for r in responses if r.positive_screen]
        assert len(positive) == (1 if instrument_id == "audit" else 0), instrument_id


def test_every_dose_given_follows_an_order_a_prescriber_made_earlier(demo, db, scoped):
    prescribers = set(
        Membership.objects.filter(practice=demo, role=Role.PRESCRIBER).values_list("user_id", flat=True)
    )
    given = list(DoseAdministration.objects.filter(practice=demo).select_related("order"))
    assert len(given) > 50
    for dose in given:
        assert dose.order.ordered_at < dose.given_at, dose
        assert dose.order.ordered_by_id in prescribers


def test_the_register_accounts_for_every_demo_dose_with_a_witnessed_waste_and_one_count_to_explain(
    demo, db, scoped
):
    given = DoseAdministration.objects.current().filter(practice=demo).select_related("draw", "container")
    assert given and all(d.draw is not None and d.draw.container == d.container for d in given)
    assert {d.lot_number for d in given} == {d.container.lot for d in given}
    drawn = Entry.objects.filter(practice=demo, kind=EntryKind.DRAW)
    assert sum(-e.mg for e in drawn) == sum(d.amount_mg for d in given)
    waste = Entry.objects.get(practice=demo, kind=EntryKind.WASTE)
    assert waste.witness is not None and waste.witness != waste.recorded_by
    # Balances, chain and draws add up; only the shift count's missing troche waits for the admin.
    problems = check_register(demo)
    assert len(problems) == 1 and problems[0].startswith("count discrepancy on container B-")
    assert Discrepancy.objects.filter(practice=demo, explanation__isnull=True).count() == 1


def test_every_past_rems_form_was_filed_and_the_newest_sessions_form_is_due(demo, db, scoped):
    esketamine = MedicineSession.objects.filter(practice=demo, protocol_id="esketamine_intranasal")
    assert esketamine.count() > 1
    [due] = reporting_due.owing(esketamine)
    assert due.session == esketamine.filter(administrations__isnull=False).latest("opened_at")
    filed = ReportingSubmission.objects.filter(practice=demo)
    assert filed.count() == esketamine.filter(administrations__isnull=False).distinct().count() - 1
    assert all(s.submitted_on <= s.session.opened_at.date() + timedelta(days=7) for s in filed)


def test_the_floor_appointments_started_when_their_sessions_were_opened(demo, db, scoped):
    floor = MedicineSession.objects.filter(practice=demo, room__in=[room.room for room in FLOOR])
    assert floor.count() == len(FLOOR)
    for session in floor:
        booked = Appointment.objects.get(
            client=session.client, kind=AppointmentKind.MEDICINE, status="scheduled"
        )
        assert abs(booked.starts_at - session.opened_at) < timedelta(minutes=1)
        assert booked.starts_at < timezone.now() < booked.ends_at


def test_the_floor_and_its_appointments_move_to_now_at_the_next_start(demo, db, scoped):
    later = timezone.now() + timedelta(hours=20)
    assert refresh_live_floor(demo, now=later) == len(FLOOR)
    for session in MedicineSession.objects.filter(practice=demo, room__in=[room.room for room in FLOOR]):
        booked = Appointment.objects.get(
            client=session.client, kind=AppointmentKind.MEDICINE, status="scheduled"
        )
        assert abs(booked.starts_at - session.opened_at) < timedelta(minutes=1)
        assert session.opened_at < later < booked.ends_at


def test_no_questionnaire_is_asked_for_twice_and_the_floor_answered_theirs(demo, db, scoped):
    open_ones = Counter(
        Assignment.objects.open().filter(practice=demo).values_list("client_id", "instrument_id", "point")
    )
    assert open_ones and max(open_ones.values()) == 1
    floor = MedicineSession.objects.filter(practice=demo, room__in=[room.room for room in FLOOR])
    asked = Assignment.objects.filter(client__in=floor.values("client"), point="pre_session")
    begun = asked.filter(due_at__lte=timezone.now())
    assert begun.count() >= 3 * len(FLOOR) and not begun.filter(completed_at__isnull=True).exists()
    assert all(a.response.submitted_at < a.due_at for a in begun.select_related("response"))


@pytest.mark.parametrize("clock", ["00:30", "11:59", "23:30"])
def test_each_course_is_the_same_at_every_hour_and_keeps_office_hours(clock):
    day = datetime(2026, 12, 3, tzinfo=CHICAGO).date()
    moment = datetime.combine(day, datetime.strptime(clock, "%H:%M").time(), CHICAGO)
    reference = datetime(2026, 12, 3, 12, 0, tzinfo=CHICAGO)
    denver = ZoneInfo("America/Denver")
    with time_machine.travel(moment.astimezone(UTC), tick=False):
        now = timezone.now()
        for number in range(17, 34):
            state = S.TREATMENT if number < 25 else S.FOLLOW_UP if number < 30 else S.CLOSED
            course = course_for(state, f"K-{number:05d}", now, denver)
            again = course_for(state, f"K-{number:05d}", reference, denver)
            today, other_day = now.astimezone(denver).date(), reference.astimezone(denver).date()
            # The same days before today, whatever the hour.
            assert [today - s.date() for s in course.sessions] == [
                other_day - s.date() for s in again.sessions
            ]
            assert all(s.astimezone(denver).time() in SESSION_STARTS for s in course.sessions)
            assert course.intake < course.first_dose < now - timedelta(days=2)
            assert course.first_dose == course.sessions[0] + timedelta(minutes=DOSE_AFTER_OPENING)


# --- pathway ---


def test_every_demo_episode_has_a_timeline_ending_at_its_stage(demo, db, scoped):
    for episode in Episode.objects.filter(practice=demo).prefetch_related("transitions"):
        steps = list(episode.transitions.all())
        assert steps[0].to_state == S.REFERRED and steps[-1].to_state == episode.state
        assert [step.to_state for step in steps[1:]] == list(PATHS[episode.state])
        assert all(a.at <= b.at for a, b in pairwise(steps))
        assert all(b.from_state == a.to_state for a, b in pairwise(steps))
        assert episode.state_changed_at == steps[-1].at


def test_clients_from_preparation_on_are_prepared_and_one_misses_only_consent(demo, db, scoped):
    prepared = Episode.objects.filter(practice=demo, state__in=[S.PREPARATION, S.TREATMENT, S.FOLLOW_UP])
    blocked = []
    for episode in prepared:
        assert episode.programme is not None
        assert Intention.objects.filter(episode=episode).exists()
        missing = {gap.code for gap in readiness_gaps(episode)} & PATHWAY_CODES
        if missing:
            blocked.append((episode.state, missing))
    assert blocked == [(S.PREPARATION, {"pathway.consent"})]


# --- schedule ---


def test_the_demo_schedule_has_todays_sessions_an_overdue_integration_and_no_clash(demo, db, scoped):
    practice = demo
    assert Room.objects.filter(practice=practice).count() == 5
    today = list(medicine_appointments_on(practice, practice.today()))
    assert len(today) >= 3 and len({a.room_id for a in today}) == len(today)
    overdue = [
        a
        for m in Membership.objects.filter(practice=practice, role="therapist")
        for a in overdue_integrations(m)
    ]
    assert len(overdue) == 1
    held = list(
        Appointment.objects.filter(practice=practice, status__in=BLOCKING_STATUSES).prefetch_related(
            "clinicians"
        )
    )
    for a, b in combinations(held, 2):
        if a.starts_at < b.ends_at and b.starts_at < a.ends_at:
            assert a.room_id is None or a.room_id != b.room_id
            assert not set(a.clinicians.all()) & set(b.clinicians.all())
    kinds = set(Appointment.objects.filter(practice=practice).values_list("kind", "status"))
    assert {("intake", "scheduled"), ("preparation", "no_show"), ("follow_up", "scheduled")} <= kinds
    assert ("integration", "cancelled") in kinds


# --- screening ---

PAST_SCREENING = {
    EpisodeState.ELIGIBLE,
    EpisodeState.PREPARATION,
    EpisodeState.TREATMENT,
    EpisodeState.FOLLOW_UP,
    EpisodeState.CLOSED,
    EpisodeState.PAUSED,
    EpisodeState.WITHDRAWN,
}


def test_the_demo_has_screening_at_every_outcome(demo, db, scoped):
    practice = demo
    statuses = set(Inquiry.objects.filter(practice=practice).values_list("status", flat=True))
    assert statuses == set(InquiryStatus.values)
    for episode in Episode.objects.filter(practice=practice, state__in=PAST_SCREENING):
        decision = EligibilityDecision.objects.get(episode=episode)
        assert decision.is_approval, episode
        assert "screening.eligibility" not in [gap.code for gap in readiness_gaps(episode)]
    declined = EligibilityDecision.objects.get(episode__state=EpisodeState.DECLINED, practice=practice)
    assert declined.assessment.recommendation == "not_eligible" and declined.outcome == "decline"
    recommendations = set(EligibilityAssessment.objects.values_list("recommendation", flat=True))
    assert recommendations == {"eligible", "review", "not_eligible"}
    outcomes = set(EligibilityDecision.objects.values_list("outcome", flat=True))
    assert outcomes == {"approve", "approve_with_conditions", "decline"}
    awaiting = EligibilityAssessment.objects.filter(episode__state=EpisodeState.SCREENING)
    assert (
        awaiting.count() == 2 and not EligibilityDecision.objects.filter(episode__state="screening").exists()
    )
    assert Intake.objects.filter(episode__state="screening", completed_at__isnull=True).count() == 2
    clean = EligibilityAssessment.objects.filter(recommendation="eligible").first()
    assert clean.engine_result().reproduce().recommendation == "eligible"


def test_past_sessions_rate_dissociation_at_the_peak_and_back_to_baseline_by_discharge(demo, db, scoped):
    rated = Observation.objects.filter(practice=demo, scale="dissociation_level")
    sessions = {o.session_id for o in rated}
    assert len(sessions) > 20
    for session_id in sessions:
        values = [o.value for o in rated.filter(session_id=session_id).order_by("observed_at")]
        assert values[0] >= 1 and (len(values) == 1 or values[-1] == 0), values
