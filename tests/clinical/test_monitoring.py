"""Vitals schedule, due/overdue/missed checks, phases, threshold flags and plausibility, all computed
from event times with aware datetimes."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from kapstone.clinical.monitoring import (
    Phase,
    Reading,
    ReadingContext,
    check_plausible,
    check_vitals,
    monitoring_status,
    schedule_offsets,
    scheduled_checks,
    session_phase,
)
from kapstone.clinical.protocols import all_protocols, apply_overrides, get_protocol

NY = ZoneInfo("America/New_York")
T = datetime(2025, 6, 2, 14, 0, tzinfo=UTC)  # an ordinary dose time
IDS = [p.id for p in all_protocols()]
SL = get_protocol("sublingual")
IV = get_protocol("iv_infusion")


def at(minutes: float, origin: datetime = T) -> datetime:
    return origin + timedelta(minutes=minutes)


# --- schedule ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pid", "offsets"),
    [
        ("sublingual", [15, 30, 45, 60, 90, 120]),  # every 15 min for an hour, then every 30, to 2 h
        ("intramuscular", [15, 30, 45, 60]),  # minimum observation 60 min
        ("iv_infusion", [10, 20, 30, 40, 55, 70, 85, 100]),  # every 10 during 40 min, then 15, to 40 + 60
        ("esketamine_intranasal", [40, 70, 100]),  # BP at 40 min (REMS form), then every 30, to 2 h
    ],
)
def test_default_schedule_until_the_minimum_observation(pid, offsets):
    checks = scheduled_checks(get_protocol(pid), T)
    assert checks[0].id == "baseline" and checks[0].due_at == T and checks[0].offset_minutes is None
    assert [c.offset_minutes for c in checks[1:]] == offsets
    assert [c.due_at for c in checks[1:]] == [at(m) for m in offsets]


def test_open_ended_segments_continue_past_the_minimum_observation():
    assert [c.offset_minutes for c in scheduled_checks(SL, T, until=at(185))][-3:] == [120, 150, 180]


def test_the_esketamine_40_minute_check_carries_its_rems_label():
    check = scheduled_checks(get_protocol("esketamine_intranasal"), T)[1]
    assert (check.id, check.source, check.label) == ("t+40", "bp_40", "BP ~40 min after the dose (REMS form)")


def test_a_longer_infusion_moves_the_switch_to_15_minute_checks_and_the_observation_end():
    assert schedule_offsets(IV, until_minutes=120, infusion_minutes=60) == (
        10,
        20,
        30,
        40,
        50,
        60,
        75,
        90,
        105,
        120,
    )
    assert scheduled_checks(IV, T, infusion_minutes=60)[-1].due_at == at(120)
    with pytest.raises(ValueError, match="has no infusion"):
        scheduled_checks(SL, T, infusion_minutes=60)


def test_a_practice_override_changes_the_cadence():
    faster = apply_overrides(SL, {"monitoring.segments.until_discharge.every_minutes": 20})
    assert schedule_offsets(faster, until_minutes=120) == (15, 30, 45, 60, 80, 100, 120)


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="dose_time must be timezone-aware"):
        scheduled_checks(SL, datetime(2025, 6, 2, 14, 0))


def test_checks_are_real_minutes_apart_across_the_spring_forward_gap():
    dose = datetime(2025, 3, 9, 1, 30, tzinfo=NY)  # 06:30 UTC; at 02:00 local the clocks jump to 03:00
    checks = scheduled_checks(SL, dose)[1:]
    assert all(c.due_at.tzinfo is UTC for c in checks)
    assert [c.due_at - dose for c in checks] == [timedelta(minutes=c.offset_minutes) for c in checks]
    t30 = checks[1].due_at
    assert t30 == datetime(2025, 3, 9, 7, 0, tzinfo=UTC)
    assert (t30.astimezone(NY).hour, t30.astimezone(NY).minute) == (3, 0)  # 30 min later on the wall: 03:00


def test_checks_are_real_minutes_apart_across_the_fall_back_repeat():
    dose = datetime(2025, 11, 2, 1, 30, tzinfo=NY)  # the first 01:30 (EDT, 05:30 UTC)
    t60 = scheduled_checks(SL, dose)[4]
    assert t60.offset_minutes == 60
    assert t60.due_at == datetime(2025, 11, 2, 6, 30, tzinfo=UTC)
    local = t60.due_at.astimezone(NY)
    assert (local.hour, local.minute, local.fold) == (1, 30, 1)  # the second 01:30 (EST)


def test_status_with_local_times_across_the_spring_forward_gap():
    dose = datetime(2025, 3, 9, 1, 30, tzinfo=NY)
    now = datetime(2025, 3, 9, 3, 7, tzinfo=NY)  # 37 real minutes after the dose
    readings = [datetime(2025, 3, 9, 1, 25, tzinfo=NY), datetime(2025, 3, 9, 1, 44, tzinfo=NY)]
    status = monitoring_status(SL, dose, readings, now)
    assert status.since_dose == timedelta(minutes=37)
    assert [c.id for c in status.overdue] == ["t+30"]
    assert status.seconds_until_next == -7 * 60


@given(
    pid=st.sampled_from(IDS),
    every=st.data(),
    until=st.integers(min_value=0, max_value=600),
)
def test_schedules_are_strictly_increasing_for_any_allowed_cadence(pid, every, until):
    protocol = get_protocol(pid)
    changes = {}
    for seg in protocol.monitoring.segments:
        low, high = (int(b) for b in seg.every_minutes.bounds)
        changes[f"monitoring.segments.{seg.id}.every_minutes"] = every.draw(st.integers(low, high))
    try:
        protocol = apply_overrides(protocol, changes)
    except ValueError:
        assume(False)  # a cadence the grace window does not fit is refused, which is tested elsewhere
    checks = scheduled_checks(protocol, T, until=at(until))
    offsets = [c.offset_minutes for c in checks[1:]]
    assert offsets == sorted(set(offsets))
    assert all(0 < m <= until for m in offsets)
    assert [c.due_at for c in checks[1:]] == [at(m) for m in offsets]


# --- due, overdue, missed ------------------------------------------------------------------------------


def states(status):
    return {s.check.id: s.status for s in status.checks}


def test_before_dosing_the_baseline_is_next():
    status = monitoring_status(SL, None, [], T)
    assert status.next.id == "baseline" and status.next_due_at is None and status.since_dose is None
    assert states(status) == {"baseline": "due"}
    done = monitoring_status(SL, at(30), [at(-2)], T)  # the dose is recorded for later: not dosed yet
    assert states(done) == {"baseline": "done"} and done.next is None


def test_dosing_without_a_baseline_leaves_it_missed():
    status = monitoring_status(SL, T, [], at(1))
    assert states(status)["baseline"] == "missed"
    assert [c.id for c in status.missed] == ["baseline"]


@pytest.mark.parametrize(
    ("now", "status_of_t15", "seconds"),
    [
        (at(10) - timedelta(seconds=1), "upcoming", 301),
        (at(10), "due", 300),  # the window opens 5 min early
        (at(20), "due", -300),  # the 5 min grace is inclusive
        (at(20) + timedelta(seconds=1), "overdue", -301),
        (at(25) - timedelta(seconds=1), "overdue", -599),
    ],
)
def test_the_first_check_moves_from_upcoming_to_due_to_overdue(now, status_of_t15, seconds):
    status = monitoring_status(SL, T, [at(-5)], now)
    assert states(status)["t+15"] == status_of_t15
    assert status.next.id == "t+15"
    assert status.next_due_at == at(15)
    assert status.seconds_until_next == seconds
    assert [c.id for c in status.overdue] == (["t+15"] if status_of_t15 == "overdue" else [])


def test_a_check_not_recorded_by_the_next_window_is_missed_and_the_next_is_due():
    status = monitoring_status(SL, T, [at(-5)], at(25))
    assert states(status) == {"baseline": "done", "t+15": "missed", "t+30": "due", "t+45": "upcoming"}
    assert status.next.id == "t+30"
    assert [c.id for c in status.missed] == ["t+15"] and status.overdue == ()


@pytest.mark.parametrize(
    ("reading", "credited_to"),
    [
        (at(10) - timedelta(seconds=1), None),  # too early for t+15, too late for the baseline
        (at(10), "t+15"),
        (at(22), "t+15"),  # late, but inside its window
        (at(25) - timedelta(seconds=1), "t+15"),
        (at(25), "t+30"),
    ],
)
def test_a_reading_counts_for_the_check_whose_window_holds_it(reading, credited_to):
    status = monitoring_status(SL, T, [at(-5), reading], at(26))
    done = [s.check.id for s in status.checks if s.status == "done" and s.check.id != "baseline"]
    assert done == ([credited_to] if credited_to else [])
    if credited_to:
        assert next(s.recorded_at for s in status.checks if s.check.id == credited_to) == reading


def test_a_full_hour_of_checks_done_on_time():
    readings = [at(-5), at(15), at(31), at(44), at(60)]
    status = monitoring_status(SL, T, readings, at(70))
    assert states(status) == {
        "baseline": "done",
        "t+15": "done",
        "t+30": "done",
        "t+45": "done",
        "t+60": "done",
        "t+90": "upcoming",
    }
    assert status.next.id == "t+90" and status.seconds_until_next == 20 * 60


def test_readings_after_now_are_ignored():
    status = monitoring_status(SL, T, [at(-5), at(16)], at(15))
    assert states(status)["t+15"] == "due"


def test_after_discharge_nothing_is_due_and_unrecorded_checks_are_missed():
    readings = [at(-5), at(15), at(30), at(45)]
    status = monitoring_status(SL, T, readings, at(90), discharged_at=at(62))
    assert states(status) == {
        "baseline": "done",
        "t+15": "done",
        "t+30": "done",
        "t+45": "done",
        "t+60": "missed",
    }
    assert status.next is None and status.seconds_until_next is None and status.overdue == ()


def test_an_iv_check_has_an_overdue_moment_before_its_window_closes():
    assert states(monitoring_status(IV, T, [at(-5)], at(16)))["t+10"] == "overdue"
    assert states(monitoring_status(IV, T, [at(-5)], at(17)))["t+10"] == "missed"


@given(
    pid=st.sampled_from(IDS),
    readings=st.lists(st.integers(min_value=-30, max_value=300), max_size=12),
    now=st.integers(min_value=0, max_value=300),
)
def test_the_status_at_a_moment_depends_only_on_what_happened_by_then(pid, readings, now):
    protocol = get_protocol(pid)
    times = [at(m) for m in readings]
    past = [t for t in times if t <= at(now)]
    assert monitoring_status(protocol, T, times, at(now)) == monitoring_status(protocol, T, past, at(now))


@given(
    pid=st.sampled_from(IDS),
    minutes=st.lists(st.integers(min_value=0, max_value=400), min_size=2, max_size=6),
)
def test_without_readings_checks_only_ever_get_later_or_worse(pid, minutes):
    protocol = get_protocol(pid)
    order = {"upcoming": 0, "due": 1, "overdue": 2, "missed": 3}
    earlier = {}
    for m in sorted(minutes):
        status = monitoring_status(protocol, T, [at(-1)], at(m))
        for s in status.checks[1:]:
            assert order[s.status] >= earlier.get(s.check.id, 0)
            earlier[s.check.id] = order[s.status]
        assert status.next is not None


# --- phases ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("minutes", "phase"),
    [
        (-1, Phase.PRE_DOSE),
        (0, Phase.DOSED),
        (19.99, Phase.DOSED),
        (20, Phase.PEAK),  # effects start 15-20 min
        (64.99, Phase.PEAK),
        (65, Phase.RECOVERY),
        (119.99, Phase.RECOVERY),
        (120, Phase.DISCHARGE_READY),  # the minimum observation has passed
        (600, Phase.DISCHARGE_READY),
    ],
)
def test_sublingual_phases_by_time_since_dose(minutes, phase):
    assert session_phase(SL, at(minutes), dose_time=T) is phase


def test_phase_before_any_dose_and_after_discharge():
    assert session_phase(SL, T) is Phase.PRE_DOSE
    assert session_phase(SL, at(130), dose_time=T, discharged_at=at(125)) is Phase.DISCHARGED
    assert session_phase(SL, at(124), dose_time=T, discharged_at=at(125)) is Phase.DISCHARGE_READY
    assert Phase.PRE_DOSE.label == "pre-dose" and Phase.DISCHARGE_READY.label == "discharge-ready"


def test_iv_is_discharge_ready_an_hour_after_the_infusion_ends():
    assert session_phase(IV, at(99), dose_time=T) is Phase.RECOVERY
    assert session_phase(IV, at(100), dose_time=T) is Phase.DISCHARGE_READY
    assert session_phase(IV, at(119), dose_time=T, infusion_minutes=60) is Phase.RECOVERY
    assert session_phase(IV, at(120), dose_time=T, infusion_minutes=60) is Phase.DISCHARGE_READY


@given(
    pid=st.sampled_from(IDS),
    dose=st.one_of(st.none(), st.integers(min_value=-60, max_value=60)),
    discharge=st.one_of(st.none(), st.integers(min_value=-60, max_value=600)),
    a=st.integers(min_value=-120, max_value=900),
    b=st.integers(min_value=-120, max_value=900),
)
def test_phases_only_move_forward_in_time(pid, dose, discharge, a, b):
    protocol = get_protocol(pid)
    events = {
        "dose_time": None if dose is None else at(dose),
        "discharged_at": None if discharge is None else at(discharge),
    }
    first, second = sorted((a, b))
    assert (
        session_phase(protocol, at(first), **events).rank
        <= session_phase(protocol, at(second), **events).rank
    )


# --- vitals flags ------------------------------------------------------------------------------------


def reading(minutes=20, **values):
    values.setdefault("sbp", 120)
    values.setdefault("dbp", 75)
    return Reading(taken_at=at(minutes), **values)


def flagged(protocol, r, dose_time=T, earlier=()):
    return {
        f.parameter: (f.threshold_id, f.severity)
        for f in check_vitals(protocol, r, ReadingContext(dose_time, earlier))
    }


@pytest.mark.parametrize("pid", IDS)
@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"sbp": 180}, {}),
        ({"sbp": 181}, {"sbp": ("intra_sbp", "warning")}),
        ({"sbp": 200}, {"sbp": ("intra_sbp", "warning")}),
        ({"sbp": 201}, {"sbp": ("intra_sbp_severe", "critical")}),
        ({"dbp": 110}, {}),
        ({"dbp": 111}, {"dbp": ("intra_dbp", "warning")}),
        ({"dbp": 120, "sbp": 170}, {"dbp": ("intra_dbp", "warning")}),
        ({"dbp": 121, "sbp": 170}, {"dbp": ("intra_dbp_severe", "critical")}),
        ({"hr": 120}, {}),
        ({"hr": 121}, {"hr": ("tachycardia", "warning")}),
        ({"spo2": 93}, {}),
        ({"spo2": 92}, {"spo2": ("spo2_low", "warning")}),
        ({"spo2": 90}, {"spo2": ("spo2_low", "warning")}),
        ({"spo2": 89}, {"spo2": ("spo2_critical", "critical")}),
        ({"rr": 10}, {}),
        ({"rr": 9}, {"rr": ("rr_low", "warning")}),
        ({"rr": 8}, {"rr": ("rr_low", "warning")}),
        ({"rr": 7}, {"rr": ("rr_critical", "critical")}),
        ({"moaas": 4}, {}),
        ({"moaas": 3}, {"moaas": ("sedation", "warning")}),
        ({"moaas": 1}, {"moaas": ("sedation", "warning")}),
        ({"moaas": 0}, {"moaas": ("unresponsive", "critical")}),
    ],
)
def test_after_dose_thresholds_on_both_sides(pid, values, expected):
    assert flagged(get_protocol(pid), reading(**values)) == expected


@pytest.mark.parametrize("pid", IDS)
@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"sbp": 139, "dbp": 89}, {}),
        ({"sbp": 140, "dbp": 89}, {"sbp": ("predose_sbp", "review")}),
        ({"sbp": 139, "dbp": 90}, {"dbp": ("predose_dbp", "review")}),
        ({"sbp": 179, "dbp": 112}, {"sbp": ("predose_sbp", "review"), "dbp": ("predose_dbp", "review")}),
        (
            {"sbp": 185, "dbp": 112},
            {"sbp": ("predose_crisis_sbp", "critical"), "dbp": ("predose_dbp", "review")},
        ),
        ({"spo2": 89}, {"spo2": ("spo2_critical", "critical")}),  # SpO2 matters before the dose too
        ({"moaas": 3, "hr": 130}, {}),  # sedation and tachycardia thresholds apply after the dose
    ],
)
def test_pre_dose_thresholds(pid, values, expected):
    assert flagged(get_protocol(pid), reading(minutes=-5, **values), dose_time=None) == expected
    assert flagged(get_protocol(pid), reading(minutes=-5, **values), dose_time=T) == expected


def test_the_issue_scenario_185_over_112_raises_two_alerts_with_reasons():
    flags = check_vitals(SL, reading(sbp=185, dbp=112), ReadingContext(T))
    assert [(f.parameter, f.severity) for f in flags] == [("sbp", "warning"), ("dbp", "warning")]
    assert flags[0].message == "Systolic blood pressure 185 mmHg is above 180 mmHg."
    assert flags[0].advice == "Systolic BP above the alert level: repeat in 5 min."
    assert flags[0].sources == ("esketamine-clinic-thresholds",)
    assert flags[0].limit == 180 and flags[0].unit == "mmHg" and not flags[0].sustained


@pytest.mark.parametrize(
    ("earlier", "severity"),
    [
        ([reading(15, sbp=185)], "critical"),  # twice, 5 min apart
        ([reading(16, sbp=185)], "warning"),  # only 4 min apart
        ([reading(10, sbp=185), reading(15, sbp=150)], "warning"),  # a normal reading broke the run
        ([reading(15, sbp=185), reading(17, hr=80, sbp=None, dbp=None)], "critical"),  # no BP: no break
        ([reading(-5, sbp=185)], "warning"),  # pre-dose readings do not count
        ([reading(25, sbp=185)], "warning"),  # a later reading does not count
    ],
)
def test_sustained_hypertension_escalates(earlier, severity):
    current = reading(20, sbp=186)
    (flag,) = check_vitals(SL, current, ReadingContext(T, tuple(earlier)))
    assert flag.severity == severity
    assert flag.sustained is (severity == "critical")
    if flag.sustained:
        assert flag.message == "Systolic blood pressure 186 mmHg is above 180 mmHg for at least 5 min."


def test_sustained_tachycardia_escalates():
    earlier = (reading(10, hr=125),)
    assert flagged(SL, reading(15, hr=121), earlier=earlier) == {"hr": ("tachycardia", "critical")}


def test_the_most_severe_flag_per_parameter_comes_first():
    flags = check_vitals(SL, reading(sbp=205, dbp=100, spo2=91), ReadingContext(T))
    assert [(f.threshold_id, f.severity) for f in flags] == [
        ("intra_sbp_severe", "critical"),
        ("spo2_low", "warning"),
    ]


def test_a_practice_threshold_override_applies():
    stricter = apply_overrides(SL, {"thresholds.intra_sbp.limit": 170})
    assert flagged(stricter, reading(sbp=171)) == {"sbp": ("intra_sbp", "warning")}
    assert flagged(SL, reading(sbp=171)) == {}


# --- plausibility ------------------------------------------------------------------------------------


def test_sbp_400_is_refused_with_the_range():
    with pytest.raises(
        ValueError,
        match=r"^Systolic blood pressure 400 mmHg is not plausible: enter a value between 40 and 300 mmHg\.$",
    ):
        check_plausible(reading(sbp=400))


@pytest.mark.parametrize(
    ("values", "ok"),
    [
        ({"sbp": 300, "dbp": 120}, True),
        ({"sbp": 301, "dbp": 120}, False),
        ({"sbp": 40, "dbp": 20}, True),
        ({"sbp": 39, "dbp": 20}, False),
        ({"dbp": 19, "sbp": 60}, False),
        ({"spo2": 100}, True),
        ({"spo2": 101}, False),
        ({"spo2": 50}, True),
        ({"spo2": 49}, False),
        ({"hr": 20}, True),
        ({"hr": 19}, False),
        ({"hr": 250}, True),
        ({"hr": 251}, False),
        ({"rr": 4}, True),
        ({"rr": 3}, False),
        ({"rr": 60}, True),
        ({"rr": 61}, False),
        ({"temperature": Decimal("43.0")}, True),
        ({"temperature": Decimal("43.1")}, False),
        ({"temperature": Decimal("36.8")}, True),
        ({"moaas": 5}, True),
        ({"moaas": 6}, False),
        ({"hr": Decimal("72.5")}, False),
    ],
)
def test_plausible_ranges_on_both_sides(values, ok):
    if ok:
        check_plausible(reading(**values))
    else:
        with pytest.raises(ValueError, match=r"not plausible|whole number"):
            check_plausible(reading(**values))


def test_every_problem_is_reported_at_once_and_diastolic_must_be_below_systolic():
    with pytest.raises(
        ValueError, match=r"Heart rate 400 bpm .* Diastolic BP \(120\) must be lower than systolic BP \(120\)"
    ):
        check_plausible(reading(sbp=120, dbp=120, hr=400))


def test_check_vitals_refuses_an_implausible_reading_before_flagging():
    with pytest.raises(ValueError, match="between 50 and 100 %"):
        check_vitals(SL, reading(spo2=120), ReadingContext(T))


def test_floats_and_naive_times_are_refused():
    with pytest.raises(TypeError, match="not float"):
        check_plausible(reading(hr=72.0))
    with pytest.raises(ValueError, match="taken_at must be timezone-aware"):
        check_plausible(Reading(taken_at=datetime(2025, 6, 2, 14, 0), sbp=120, dbp=80))
