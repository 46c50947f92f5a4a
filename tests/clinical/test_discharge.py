"""Discharge evaluation: Aldrete minimum, KAP criteria, minimum observation time, overrides, DST."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kapstone.clinical.monitoring import (
    Reading,
    ReadingContext,
    check_vitals,
    evaluate_discharge,
    monitoring_status,
    session_phase,
)
from kapstone.clinical.protocols import all_protocols, apply_overrides, get_protocol

T = datetime(2025, 6, 2, 14, 0, tzinfo=UTC)
SL = get_protocol("sublingual")
ESK = get_protocol("esketamine_intranasal")


def at(minutes: float) -> datetime:
    return T + timedelta(minutes=minutes)


def all_met(protocol):
    return {c.id: True for c in protocol.discharge.criteria}


def test_discharge_is_allowed_with_every_criterion_met_after_the_minimum_time():
    result = evaluate_discharge(SL, T, at(130), 9, all_met(SL))
    assert result.allowed and result.observation_met and result.blocking == ()
    assert [r.id for r in result.criteria] == ["aldrete", *all_met(SL)]
    assert all(r.passed for r in result.criteria)
    assert result.observed == timedelta(minutes=130)
    assert result.earliest_discharge_at == at(120)


@pytest.mark.parametrize(
    ("pid", "minutes"),
    [("sublingual", 120), ("intramuscular", 60), ("iv_infusion", 100), ("esketamine_intranasal", 120)],
)
def test_minimum_observation_boundary_for_each_protocol(pid, minutes):
    protocol = get_protocol(pid)
    on_time = evaluate_discharge(protocol, T, at(minutes), 10, all_met(protocol))
    assert on_time.allowed and on_time.minimum_observation == timedelta(minutes=minutes)
    early = evaluate_discharge(protocol, T, at(minutes) - timedelta(seconds=1), 10, all_met(protocol))
    assert not early.allowed and not early.observation_met
    assert early.blocking == (
        f"Minimum observation of {minutes} min after the dose not reached: 1 min to go.",
    )


def test_the_iv_observation_starts_when_the_infusion_ends():
    iv = get_protocol("iv_infusion")
    result = evaluate_discharge(iv, T, at(110), 9, all_met(iv), infusion_minutes=60)
    assert result.minimum_observation == timedelta(minutes=120)
    assert result.blocking == ("Minimum observation of 120 min after the dose not reached: 10 min to go.",)


@pytest.mark.parametrize(
    ("total", "passed", "reason"),
    [
        (8, False, "Total 8 is below the discharge minimum of 9."),
        (9, True, "Total 9 reaches the discharge minimum of 9."),
        (10, True, "Total 10 reaches the discharge minimum of 9."),
        (0, False, "Total 0 is below the discharge minimum of 9."),
        (None, False, "Not assessed."),
    ],
)
def test_the_aldrete_minimum_is_inclusive(total, passed, reason):
    result = evaluate_discharge(SL, T, at(130), total, all_met(SL))
    aldrete = result.criteria[0]
    assert (aldrete.id, aldrete.passed, aldrete.reason) == ("aldrete", passed, reason)
    assert result.allowed is passed
    if not passed:
        assert result.blocking == (f"Modified Aldrete score: {reason}",)


@pytest.mark.parametrize(
    ("total", "error"), [(11, ValueError), (-1, ValueError), (True, TypeError), ("9", TypeError)]
)
def test_an_aldrete_total_outside_the_scale_is_an_error(total, error):
    with pytest.raises(error):
        evaluate_discharge(SL, T, at(130), total, all_met(SL))


def test_each_criterion_reports_met_not_met_or_not_assessed():
    answers = all_met(SL) | {"walks_steadily": False, "escort_present": None}
    del answers["aftercare_given"]
    result = evaluate_discharge(SL, T, at(130), 9, answers)
    reasons = {r.id: (r.passed, r.reason) for r in result.criteria}
    assert reasons["walks_steadily"] == (False, "Not met.")
    assert reasons["escort_present"] == (False, "Not assessed.")
    assert reasons["aftercare_given"] == (False, "Not assessed.")
    assert reasons["oriented"] == (True, "Met.")
    assert not result.allowed
    assert result.blocking == (
        "Walks steadily without help: Not met.",
        "Escort present to take the client home: Not assessed.",
        "Aftercare instructions given (no driving until the next day): Not assessed.",
    )


def test_a_misspelt_criterion_is_an_error_not_a_silent_pass():
    with pytest.raises(
        ValueError, match=r"unknown discharge criteria \['escort'\]; sublingual has: oriented"
    ):
        evaluate_discharge(SL, T, at(130), 9, all_met(SL) | {"escort": True})
    with pytest.raises(TypeError, match="give True, False or None"):
        evaluate_discharge(SL, T, at(130), 9, all_met(SL) | {"oriented": "yes"})


def test_esketamine_also_needs_the_rems_conditions():
    kap_only = all_met(SL)
    result = evaluate_discharge(ESK, T, at(130), 10, kap_only)
    assert not result.allowed
    assert "Sedation resolved: Not assessed." in result.blocking
    assert "Clinician judges the client clinically stable: Not assessed." in result.blocking
    assert evaluate_discharge(ESK, T, at(130), 10, all_met(ESK)).allowed


def test_both_failures_are_listed_when_early_and_a_criterion_fails():
    result = evaluate_discharge(SL, T, at(100), 8, all_met(SL))
    assert result.blocking == (
        "Minimum observation of 120 min after the dose not reached: 20 min to go.",
        "Modified Aldrete score: Total 8 is below the discharge minimum of 9.",
    )


def test_practice_overrides_move_the_minimum_time_and_score():
    stricter = apply_overrides(SL, {"observation.minimum_minutes": 150, "discharge.aldrete_minimum": 10})
    assert not evaluate_discharge(stricter, T, at(149), 10, all_met(SL)).observation_met
    assert evaluate_discharge(stricter, T, at(150), 10, all_met(SL)).allowed
    assert not evaluate_discharge(stricter, T, at(150), 9, all_met(SL)).allowed


def test_two_real_hours_across_the_spring_forward_gap():
    ny = ZoneInfo("America/New_York")
    dose = datetime(2025, 3, 9, 1, 30, tzinfo=ny)
    result = evaluate_discharge(ESK, dose, datetime(2025, 3, 9, 3, 30, tzinfo=ny), 10, all_met(ESK))
    assert result.observed == timedelta(hours=1)  # 01:30 EST to 03:30 EDT is one real hour
    assert not result.allowed
    assert result.earliest_discharge_at == datetime(2025, 3, 9, 8, 30, tzinfo=UTC)  # 04:30 EDT
    assert evaluate_discharge(ESK, dose, datetime(2025, 3, 9, 4, 30, tzinfo=ny), 10, all_met(ESK)).allowed


def test_times_must_be_aware_and_in_order():
    with pytest.raises(ValueError, match="now is before the dose time"):
        evaluate_discharge(SL, T, at(-1), 9, all_met(SL))
    with pytest.raises(ValueError, match="timezone-aware"):
        evaluate_discharge(SL, datetime(2025, 6, 2, 14, 0), at(130), 9, all_met(SL))


@given(
    pid=st.sampled_from([p.id for p in all_protocols()]),
    minutes=st.integers(min_value=0, max_value=400),
    total=st.one_of(st.none(), st.integers(min_value=0, max_value=10)),
    answers=st.data(),
)
def test_allowed_exactly_when_time_score_and_every_criterion_pass(pid, minutes, total, answers):
    protocol = get_protocol(pid)
    criteria = {
        c.id: answers.draw(st.sampled_from([True, True, True, False, None]), label=c.id)
        for c in protocol.discharge.criteria
    }
    result = evaluate_discharge(protocol, T, at(minutes), total, criteria)
    expected = (
        result.earliest_discharge_at <= at(minutes)
        and total is not None
        and total >= protocol.discharge.aldrete_minimum.value
        and all(criteria.values())
    )
    assert result.allowed is expected
    assert bool(result.blocking) is not expected


def test_the_issue_session_story_end_to_end():
    """Dosed -> next check due -> overdue -> 185/112 alert -> normal later -> discharge refused before
    the minimum time, allowed after with every criterion met (the browser test's story, in the core)."""
    readings = [Reading(at(-5), sbp=128, dbp=82, hr=76, spo2=98)]
    status = monitoring_status(SL, T, [r.taken_at for r in readings], at(1))
    assert status.next.id == "t+15" and status.seconds_until_next == 14 * 60
    assert session_phase(SL, at(1), dose_time=T).label == "dosed"

    status = monitoring_status(SL, T, [r.taken_at for r in readings], at(21))
    assert [c.id for c in status.overdue] == ["t+15"]

    high = Reading(at(22), sbp=185, dbp=112, hr=88, spo2=97)
    flags = check_vitals(SL, high, ReadingContext(T, tuple(readings)))
    assert {f.parameter for f in flags} == {"sbp", "dbp"}
    readings.append(high)
    assert monitoring_status(SL, T, [r.taken_at for r in readings], at(23)).overdue == ()

    normal = Reading(at(30), sbp=132, dbp=84, hr=80, spo2=98)
    assert check_vitals(SL, normal, ReadingContext(T, tuple(readings))) == ()

    assert not evaluate_discharge(SL, T, at(90), 10, all_met(SL)).allowed
    assert session_phase(SL, at(121), dose_time=T).label == "discharge-ready"
    assert evaluate_discharge(SL, T, at(121), 10, all_met(SL)).allowed
