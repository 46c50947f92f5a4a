"""A pre-dose blood pressure in the hypertensive crisis band (>= 180 systolic or >= 120 diastolic [S60])
is critical: the prescribers hear of it at once and no first dose can be recorded, by any role and with
no override, until a newer pre-dose reading is below the band. The 140/90 band stays "review"."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from kapstone.measures.models import SafetyAlert
from kapstone.practice.models import Role
from kapstone.sessions import services
from kapstone.sessions.models import DoseAdministration, DoseOrder

from .builders import confirm, make_session, name_handler, request_for, stock_for, vitals

NOON = datetime(2026, 6, 10, 17, 0, tzinfo=UTC)  # 12:00 in the practice's zone (America/Chicago)


@pytest.fixture
def waiting(world, scoped):
    """A pre-dose session, checklist confirmed, with a dose ordered."""
    with time_machine.travel(NOON - timedelta(minutes=30), tick=False):
        session = make_session(world.client, room="Room 4")
        confirm(session, world.members["monitor"])
        services.order_dose(
            request_for(world.members["prescriber"]),
            session,
            dose=100,
            stock_strength=100,
            now=timezone.now(),
        )
    return session


def reading(world, session, minutes_before_noon, sbp, dbp):
    at = NOON - timedelta(minutes=minutes_before_noon)
    with time_machine.travel(at + timedelta(seconds=1), tick=False):
        return vitals(session, world.members["monitor"], at=at, sbp=sbp, dbp=dbp)


def give(world, session, member="monitor"):
    with time_machine.travel(NOON, tick=False):
        order = DoseOrder.objects.get(session=session)
        name_handler(world.members[member])
        return services.record_administration(
            request_for(world.members[member]),
            session,
            order,
            given_at=NOON,
            amount_mg=order.dose_mg,
            container=stock_for(session),
            now=NOON,
        )


def test_205_over_125_before_the_dose_is_critical_and_alerts_the_prescribers_at_once(
    world, waiting, django_capture_on_commit_callbacks
):
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        crisis = reading(world, waiting, 5, 205, 125)
    assert [(f["threshold"], f["severity"]) for f in crisis.flags] == [
        ("predose_crisis_sbp", "critical"),
        ("predose_crisis_dbp", "critical"),
    ]
    assert crisis.alert.severity == SafetyAlert.Severity.CRITICAL
    (message,) = mail.outbox
    assert world.members[Role.PRESCRIBER].user.email in message.to
    assert world.members[Role.ADMIN].user.email in message.to
    assert message.subject.startswith("Safety alert (CRITICAL)")


@pytest.mark.parametrize("member", ["monitor", "prescriber"])
def test_no_one_can_record_the_dose_while_the_newest_bp_is_in_the_crisis_band(world, waiting, member):
    reading(world, waiting, 5, 205, 125)
    with pytest.raises(services.SessionError) as refused:
        give(world, waiting, member)
    assert refused.value.message.startswith(
        "Do not dose: the newest pre-dose blood pressure (205/125 mmHg at 11:55) is in the hypertensive "
        "crisis band."
    )
    assert "once a newer pre-dose reading is below the band" in refused.value.message
    assert not DoseAdministration.objects.exists()


def test_a_newer_reading_below_the_band_lifts_the_hold(world, waiting):
    reading(world, waiting, 10, 205, 125)
    reading(world, waiting, 2, 178, 100)  # below the crisis band: review only, so a prescriber doses
    given = give(world, waiting, "prescriber")
    assert given.amount_mg == 100


def test_a_reading_without_bp_does_not_lift_the_hold(world, waiting):
    reading(world, waiting, 10, 182, 100)
    with time_machine.travel(NOON - timedelta(minutes=4), tick=False):
        services_reading = vitals(
            waiting, world.members["monitor"], at=NOON - timedelta(minutes=5), sbp=None, dbp=None, hr=80
        )
    assert services_reading.sbp is None
    with pytest.raises(services.SessionError, match="182/100 mmHg"):
        give(world, waiting)


def test_withdrawing_a_crisis_reading_entered_in_error_lifts_the_hold(world, waiting, login):
    crisis = reading(world, waiting, 10, 210, 130)
    reading(world, waiting, 20, 130, 80)
    with time_machine.travel(NOON - timedelta(minutes=5), tick=False):
        client = login(world.members["monitor"])
        url = reverse("sessions:amend", args=[waiting.pk, "vitals", crisis.pk])
        client.post(url, {"amend-reason": "Another client's cuff", "amend-entered_in_error": "on"})
    assert give(world, waiting).amount_mg == 100


def test_141_over_85_is_review_only_and_does_not_hold_the_dose(world, waiting):
    review = reading(world, waiting, 5, 141, 85)
    assert [(f["threshold"], f["severity"]) for f in review.flags] == [("predose_sbp", "review")]
    assert review.alert is None
    assert give(world, waiting, "prescriber").amount_mg == 100


def test_the_dose_page_shows_the_hold_and_the_refusal(world, waiting, login):
    reading(world, waiting, 5, 190, 100)
    with time_machine.travel(NOON, tick=False):
        client = login(world.members["monitor"])
        url = reverse("sessions:administer", args=[waiting.pk])
        page = client.get(url).content.decode()
        assert 'id="dose-hold"' in page and "Dose on hold." in page and "Critical" in page
        assert "190/100 mmHg at 11:55" in page
        order = DoseOrder.objects.get(session=waiting)
        data = {"order": order.pk, "given_at": "2026-06-10T12:00", "amount_mg": "100"}
        page = client.post(url, data).content.decode()
    assert "Do not dose: the newest pre-dose blood pressure (190/100 mmHg at 11:55)" in page
    assert not DoseAdministration.objects.exists()


def test_the_hold_is_in_the_checklist_problems_too(world, waiting):
    reading(world, waiting, 5, 181, 95)
    with time_machine.travel(NOON, tick=False):
        review = services.review_checklist(services.load(waiting), {})
    assert any("hypertensive crisis band" in problem for problem in review.problems)


def test_the_board_card_says_critical_in_words(world, waiting, login):
    reading(world, waiting, 5, 205, 125)
    with time_machine.travel(NOON, tick=False):
        page = login(world.members["monitor"]).get(reverse("sessions:board")).content.decode()
    card = page[page.index(f'id="card-{waiting.pk}"') - 200 :]
    assert "severity-critical" in card[:400]
    assert '<strong class="severity severity-critical">' in card and "Critical</strong>" in card


def test_a_dose_recorded_back_into_a_crisis_is_refused(world, waiting):
    reading(world, waiting, 20, 210, 125)  # 11:40, crisis
    reading(world, waiting, 2, 150, 88)  # 11:58, below the band: the hold is lifted now
    order = DoseOrder.objects.get(session=waiting)
    with (
        time_machine.travel(NOON, tick=False),
        pytest.raises(
            services.SessionError,
            match=r"Do not dose: the newest pre-dose blood pressure \(210/125 mmHg at 11:40\)",
        ),
    ):
        services.record_administration(
            request_for(world.members["prescriber"]),
            waiting,
            order,
            given_at=NOON - timedelta(minutes=15),
            amount_mg=order.dose_mg,
            container=stock_for(waiting),
            now=NOON,
        )
    assert not DoseAdministration.objects.exists()


def test_a_review_level_pressure_after_the_checklist_needs_a_prescriber(world, waiting):
    reading(world, waiting, 5, 178, 104)  # after the checklist (confirmed at 11:30): review, not crisis
    with pytest.raises(services.SessionError, match="a prescriber reviews it and records this dose"):
        give(world, waiting, "monitor")
    assert not DoseAdministration.objects.exists()
    assert give(world, waiting, "prescriber").amount_mg == 100
