"""The dose plan gate, starting a session (readiness and its override) and the pre-dose checklist."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kapstone.audit.models import AuditEvent
from kapstone.measures import services as measures
from kapstone.pathway.models import EpisodeState
from kapstone.pathway.readiness import READY_FOR_DOSING, readiness_gaps
from kapstone.pathway.transitions import gaps_for
from kapstone.sessions import services
from kapstone.sessions.models import Checklist, DosePlan, MedicineSession

from .builders import confirm, dose, make_session, ready_to_prescribe, request_for, vitals


def episode_of(client):
    return client.episodes.order_by("-opened_at").first()


def cssrs(client, answers, when=None):
    outcome = measures.save_answers(
        None, measures.draft_for(client, "cssrs_screener", source="staff"), answers, submit=True
    )
    if when is not None:
        outcome.response.submitted_at = when
        outcome.response.save(update_fields=["submitted_at"])
    return outcome.response


def test_no_dosing_and_no_treatment_without_a_prescribers_dose_plan(world, scoped, login):
    episode = episode_of(world.client)
    for target in (READY_FOR_DOSING, EpisodeState.TREATMENT):
        gap = next(g for g in gaps_for(episode, target) if g.code == "sessions.dose_plan")
        assert (gap.label, gap.who) == ("Prescriber's dose plan", "a prescriber")
    url = reverse("sessions:dose_plan", args=[world.client.pk])
    assert login(world.members["therapist"]).get(url).status_code == 403
    client = login(world.members["prescriber"])
    page = client.post(url, {"protocol_id": "intramuscular", "planned_dose": "2.5"}).content.decode()
    assert "2.5 mg/kg is outside the practice&#x27;s Intramuscular ketamine range 0.2-2 mg/kg." in page
    page = client.post(url, {"protocol_id": "intramuscular", "planned_dose": "0.5"}).content.decode()
    assert "No DEA registration is recorded at" in page and "No PDMP check is recorded for" in page
    assert not DosePlan.objects.exists()
    ready_to_prescribe(world.client)
    client.post(url, {"protocol_id": "intramuscular", "planned_dose": "0.5", "notes": "Start low"})
    plan = DosePlan.objects.get()
    assert (plan.dose_unit, plan.prescribed_by) == ("mg/kg", world.members["prescriber"].user)
    assert "sessions.dose_plan" not in [g.code for g in readiness_gaps(episode)]
    assert AuditEvent.objects.filter(action="sessions.dose_plan.saved", client_id=world.client.pk).exists()


def test_a_session_does_not_start_while_readiness_requirements_are_missing(world, scoped, login):
    url = reverse("sessions:start", args=[world.client.pk])
    therapist = login(world.members["therapist"])
    page = therapist.get(url).content.decode()
    assert "Prescriber&#x27;s dose plan" in page  # the gaps are listed before anyone tries
    page = therapist.post(url, {"protocol_id": "sublingual", "room": "Room 1"}).content.decode()
    assert "Some readiness requirements are not met yet." in page and not MedicineSession.objects.exists()
    page = therapist.post(
        url, {"protocol_id": "sublingual", "room": "Room 1", "override_reason": "urgent"}
    ).content.decode()
    assert "Only an admin or a prescriber can start a session with requirements missing." in page

    response = login(world.members["prescriber"]).post(
        url,
        {"protocol_id": "sublingual", "room": "Room 1", "override_reason": "Consent on paper, scanned later"},
    )
    session = MedicineSession.objects.get()
    assert response.url == reverse("sessions:detail", args=[session.pk])
    assert "sessions.dose_plan" in [g["code"] for g in session.readiness_gaps]
    assert session.readiness_override_reason == "Consent on paper, scanned later"
    event = AuditEvent.objects.get(action="sessions.session.readiness_overridden")
    assert "sessions.dose_plan" in event.data["gaps"] and event.actor_role == "prescriber"


def test_a_ready_client_starts_with_the_practices_protocol_version(world, scoped, no_gaps, login):
    services.update_protocol_settings(
        request_for(world.members["admin"]),
        world.practice,
        "sublingual",
        {"dose.maximum": "300"},
        "Director's decision",
    )
    client = login(world.members["monitor"])
    client.post(
        reverse("sessions:start", args=[world.client.pk]), {"protocol_id": "sublingual", "room": "Chair 3"}
    )
    session = MedicineSession.objects.get()
    assert session.protocol_version.startswith(f"sublingual@1.0.0+{world.practice.slug}.")
    assert session.protocol_overrides == {"dose.maximum": "300"}
    assert session.protocol.dose.maximum.value == 300
    # the practice changes its mind; the open session keeps its version
    services.update_protocol_settings(
        request_for(world.members["admin"]),
        world.practice,
        "sublingual",
        {"dose.maximum": "400"},
        "Back to default",
    )
    session = MedicineSession.objects.get()
    assert session.protocol.dose.maximum.value == 300
    page = client.post(
        reverse("sessions:start", args=[world.client.pk]), {"protocol_id": "sublingual", "room": "Chair 3"}
    )
    assert "already has a medicine session open today" in page.content.decode()


def test_the_first_session_moves_a_prepared_episode_into_treatment(world, scoped, no_gaps):
    episode = episode_of(world.client)
    episode.state = EpisodeState.PREPARATION
    episode.save()
    services.start_session(
        request_for(world.members["prescriber"]),
        episode,
        protocol_id="sublingual",
        room="Room 1",
        override_reason="Requirements reviewed",
    )
    episode.refresh_from_db()
    assert episode.state == EpisodeState.TREATMENT


def test_the_checklist_lists_what_is_not_met_and_only_a_prescriber_overrides(world, scoped, login):
    session = make_session(world.client)
    url = reverse("sessions:checklist", args=[session.pk])
    monitor = login(world.members["monitor"])
    page = monitor.get(url).content.decode()
    for problem in (
        "No baseline vitals recorded before the dose.",
        "No C-SSRS screener on record.",
        "No escort present and named.",
    ):
        assert problem in page
    vitals(session, world.members["monitor"], at=timezone.now() - timedelta(minutes=2), sbp=150, dbp=92)
    cssrs(world.client, {1: 0, 2: 0, 6: 0})
    answers = {
        "weight_kg": "70",
        "fasting": "on",
        "no_alcohol_24h": "on",
        "escort_present": "on",
        "escort_name": "Robin",
        "pregnancy_status": "not_applicable",
        "intention_recalled": "on",
        "music": "Playlist A",
    }
    page = monitor.post(url, answers).content.decode()
    assert "The checklist is not met." in page
    assert "Systolic blood pressure 150 mmHg is at or above 140 mmHg." in page
    page = monitor.post(url, answers | {"override_reason": "BP fine"}).content.decode()
    assert "Only a prescriber can override an unmet checklist." in page
    assert not Checklist.objects.exists()
    login(world.members["prescriber"]).post(
        url, answers | {"override_reason": "White-coat BP; repeat was 138/88"}
    )
    checklist = Checklist.objects.get()
    assert checklist.problems and checklist.override_reason.startswith("White-coat")
    assert checklist.cssrs_summary.startswith("C-SSRS screener") and checklist.baseline_vitals is not None
    assert AuditEvent.objects.filter(action="sessions.checklist.overridden").exists()


def test_a_met_checklist_needs_no_override(world, scoped):
    session = make_session(world.client)
    vitals(session, world.members["monitor"], at=timezone.now() - timedelta(minutes=2))
    cssrs(world.client, {1: 0, 2: 0, 6: 0})
    answers = {
        "fasting": True,
        "no_alcohol_24h": True,
        "escort_present": True,
        "escort_name": "Robin",
        "pregnancy_status": "negative_test",
        "intention_recalled": True,
    }
    checklist = services.confirm_checklist(request_for(world.members["therapist"]), session, answers)
    assert checklist.problems == [] and checklist.override_reason == ""


@pytest.mark.parametrize(
    ("answers", "when_days", "problem"),
    [
        ({1: 1, 2: 1, 3: 1, 4: 1, 5: 1, 6: 0}, 0, "C-SSRS since the last contact is high: High risk"),
        ({1: 0, 2: 0, 6: 0}, -30, "No C-SSRS since last contact since the last medicine session"),
    ],
)
def test_a_high_or_stale_cssrs_stops_the_checklist(world, scoped, answers, when_days, problem):
    earlier = make_session(world.client, opened_at=timezone.now() - timedelta(days=7))
    dose(
        earlier,
        world.members["prescriber"],
        world.members["monitor"],
        at=earlier.opened_at + timedelta(minutes=5),
    )
    cssrs(world.client, answers, when=timezone.now() + timedelta(days=when_days))
    session = make_session(world.client)
    state = services.load(session)
    review = services.review_checklist(state, {"fasting": True})
    assert any(p.startswith(problem) for p in review.problems), review.problems


def test_a_pregnant_or_unknown_status_is_a_problem(world, scoped):
    session = make_session(world.client)
    state = services.load(session)
    assert (
        "The client is pregnant."
        in services.review_checklist(state, {"pregnancy_status": "pregnant"}).problems
    )
    assert (
        "Pregnancy status is unknown."
        in services.review_checklist(state, {"pregnancy_status": "unknown"}).problems
    )


def test_no_dose_before_the_checklist_and_no_checklist_after_the_dose(world, scoped):
    session = make_session(world.client)
    confirm(session, world.members["monitor"])
    dose(
        session,
        world.members["prescriber"],
        world.members["monitor"],
        at=timezone.now() - timedelta(minutes=1),
    )
    with pytest.raises(services.SessionError, match="pre-dose checklist is closed"):
        services.confirm_checklist(request_for(world.members["monitor"]), session, {})
