"""Dangerous vitals on both sides: bradycardia, hypotension (absolute, MAP and a fall from the client's
own pre-dose baseline), low respiratory rate and the pre-dose hypertensive crisis, in every protocol.

Hand-computed examples from the reference's defaults (S60-S62), then properties: any plausible value
beyond a critical threshold is flagged critical, whatever the protocol.
"""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import kapstone.clinical
from kapstone.clinical.eligibility.evidence import load_evidence
from kapstone.clinical.monitoring import Reading, ReadingContext, check_plausible, check_vitals
from kapstone.clinical.protocols import (
    ProtocolError,
    all_protocols,
    apply_overrides,
    get_protocol,
    load_protocol,
)
from kapstone.clinical.vitals import mean_arterial_pressure, vital_ranges

DATA = Path(kapstone.clinical.__file__).parent / "data"
T = datetime(2025, 6, 2, 14, 0, tzinfo=UTC)
PROTOCOLS = all_protocols()
IDS = [p.id for p in PROTOCOLS]
SL = get_protocol("sublingual")


def at(minutes: float) -> datetime:
    return T + timedelta(minutes=minutes)


def flags(protocol, minutes=20, earlier=(), dose_time=T, **values):
    reading = Reading(taken_at=at(minutes), **values)
    return {
        f.parameter: f for f in check_vitals(protocol, reading, ReadingContext(dose_time, tuple(earlier)))
    }


def summary(found):
    return {name: (f.threshold_id, f.severity) for name, f in found.items()}


# --- the reference's defaults, in every protocol -----------------------------------------------------


@pytest.mark.parametrize("pid", IDS)
def test_every_protocol_has_the_low_side_thresholds_with_their_sources(pid):
    limits = {
        t.id: (t.parameter, t.when, t.comparison, t.limit.value, t.severity, t.limit.sources)
        for t in get_protocol(pid).thresholds
    }
    acls, alarms, crisis = (
        ("aha-2020-acls-bradycardia",),
        ("sedation-monitoring-alarms",),
        ("acc-aha-2017-hypertension",),
    )
    assert limits["bradycardia"] == ("hr", "always", "<", 50, "warning", acls)
    assert limits["bradycardia_critical"] == ("hr", "always", "<", 40, "critical", acls)
    assert limits["hypotension_sbp"] == ("sbp", "always", "<", 90, "warning", alarms)
    assert limits["hypotension_map"] == ("map", "always", "<", 65, "warning", alarms)
    assert limits["hypotension_sbp_critical"] == ("sbp", "always", "<", 80, "critical", alarms)
    fall = ("sbp", "after_dose", "fall_greater_than", 40, "critical", alarms)  # the dose fixes the baseline
    assert limits["sbp_fall_from_baseline"] == fall
    assert limits["rr_low"] == ("rr", "always", "<", 10, "warning", alarms)
    assert limits["rr_critical"] == ("rr", "always", "<", 8, "critical", alarms)
    assert limits["predose_crisis_sbp"] == ("sbp", "pre_dose", ">=", 180, "critical", crisis)
    assert limits["predose_crisis_dbp"] == ("dbp", "pre_dose", ">=", 120, "critical", crisis)


@pytest.mark.parametrize("pid", IDS)
def test_what_the_reference_leaves_to_the_medical_director_is_marked_unconfirmed(pid):
    by_id = {t.id: t for t in get_protocol(pid).thresholds}
    for tid in ("hypotension_sbp", "hypotension_map", "hypotension_sbp_critical", "sbp_fall_from_baseline"):
        assert by_id[tid].limit.unconfirmed, tid
    for tid in ("rr_low", "rr_critical"):
        assert by_id[tid].limit.unconfirmed, tid
    assert not by_id["bradycardia"].limit.unconfirmed
    assert not by_id["predose_crisis_sbp"].limit.unconfirmed


@pytest.mark.parametrize("pid", IDS)
def test_only_the_crisis_band_holds_the_dose(pid):
    holding = {t.id for t in get_protocol(pid).thresholds if t.holds_dose}
    assert holding == {"predose_crisis_sbp", "predose_crisis_dbp"}


def test_the_evidence_library_has_the_reference_tags_s60_to_s62():
    tags = {source.id: source.tag for source in load_evidence()}
    assert tags["acc-aha-2017-hypertension"] == "S60"
    assert tags["aha-2020-acls-bradycardia"] == "S61"
    assert tags["sedation-monitoring-alarms"] == "S62"


# --- hand-computed examples --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sbp", "dbp", "expected"),
    [
        (70, 40, Decimal("50.0")),
        (120, 80, Decimal("93.3")),
        (141, 85, Decimal("103.7")),
        (90, 52, Decimal("64.7")),
    ],
)
def test_mean_arterial_pressure_is_dbp_plus_a_third_of_the_pulse_pressure(sbp, dbp, expected):
    # 70/40: 40 + 30/3 = 50; 120/80: 80 + 40/3 = 93.33; 141/85: 85 + 56/3 = 103.67; 90/52: 52 + 38/3 = 64.67
    assert mean_arterial_pressure(sbp, dbp) == expected


def test_the_plausible_ranges_admit_the_dangerous_values():
    check_plausible(Reading(taken_at=T, hr=35, rr=6, sbp=70, dbp=40))
    ranges = vital_ranges()
    assert ranges["map"].derived and not ranges["sbp"].derived


@pytest.mark.parametrize("pid", IDS)
@pytest.mark.parametrize("minutes", [-10, 20])  # before and after the dose
def test_hr_35_is_critical_bradycardia(pid, minutes):
    found = flags(get_protocol(pid), minutes, hr=35)
    assert summary(found) == {"hr": ("bradycardia_critical", "critical")}
    assert found["hr"].message == "Heart rate 35 bpm is below 40 bpm."
    assert found["hr"].direction == "low"


@pytest.mark.parametrize("pid", IDS)
def test_hr_45_is_a_bradycardia_warning_and_50_is_normal(pid):
    assert summary(flags(get_protocol(pid), hr=45)) == {"hr": ("bradycardia", "warning")}
    assert summary(flags(get_protocol(pid), hr=50)) == {}


@pytest.mark.parametrize("pid", IDS)
@pytest.mark.parametrize("minutes", [-10, 20])
def test_70_over_40_is_critical_hypotension_with_map_50(pid, minutes):
    found = flags(get_protocol(pid), minutes, sbp=70, dbp=40)
    assert summary(found) == {
        "sbp": ("hypotension_sbp_critical", "critical"),
        "map": ("hypotension_map", "warning"),
    }
    assert found["map"].value == Decimal("50.0")
    assert found["map"].message == "Mean arterial pressure 50 mmHg is below 65 mmHg."


@pytest.mark.parametrize("pid", IDS)
def test_hypotension_warnings_by_sbp_or_by_map(pid):
    p = get_protocol(pid)
    assert summary(flags(p, sbp=85, dbp=60)) == {"sbp": ("hypotension_sbp", "warning")}  # MAP 68.3
    assert summary(flags(p, sbp=92, dbp=50)) == {"map": ("hypotension_map", "warning")}  # MAP 64
    assert summary(flags(p, sbp=90, dbp=53)) == {}  # MAP 65.3


@pytest.mark.parametrize("pid", IDS)
def test_rr_6_is_critical(pid):
    found = flags(get_protocol(pid), -5, rr=6)
    assert summary(found) == {"rr": ("rr_critical", "critical")}
    assert found["rr"].sources == ("sedation-monitoring-alarms",)


@pytest.mark.parametrize("pid", IDS)
def test_205_over_125_before_the_dose_is_a_critical_crisis_that_holds_the_dose(pid):
    found = flags(get_protocol(pid), -5, dose_time=None, sbp=205, dbp=125)
    assert summary(found) == {
        "sbp": ("predose_crisis_sbp", "critical"),
        "dbp": ("predose_crisis_dbp", "critical"),
    }
    assert all(f.holds_dose for f in found.values())


@pytest.mark.parametrize("pid", IDS)
def test_141_over_85_before_the_dose_is_review_only(pid):
    found = flags(get_protocol(pid), -5, dose_time=None, sbp=141, dbp=85)
    assert summary(found) == {"sbp": ("predose_sbp", "review")}
    assert not found["sbp"].holds_dose


@pytest.mark.parametrize("pid", IDS)
def test_severity_grows_with_the_pre_dose_reading(pid):
    order = ("review", "warning", "critical")

    def worst(sbp, dbp):
        found = flags(get_protocol(pid), -5, dose_time=None, sbp=sbp, dbp=dbp)
        return max((order.index(f.severity) for f in found.values()), default=-1)

    assert worst(205, 125) > worst(141, 85) > worst(120, 80)
    assert worst(180, 100) == order.index("critical")
    assert worst(179, 119) == order.index("review")


# --- a fall from the client's own pre-dose baseline ------------------------------------------------


@pytest.mark.parametrize("pid", IDS)
def test_a_fall_of_more_than_40_from_the_pre_dose_baseline_is_critical(pid):
    baseline = [Reading(taken_at=at(-10), sbp=150, dbp=90)]
    found = flags(get_protocol(pid), 30, baseline, sbp=109, dbp=70)
    assert summary(found) == {"sbp": ("sbp_fall_from_baseline", "critical")}
    assert found["sbp"].baseline == 150
    assert found["sbp"].message == (
        "Systolic blood pressure 109 mmHg is a fall of 41 mmHg from the pre-dose baseline of 150 mmHg "
        "(more than 40 mmHg)."
    )
    assert summary(flags(get_protocol(pid), 30, baseline, sbp=110, dbp=70)) == {}  # a fall of exactly 40


def test_the_baseline_is_the_last_pre_dose_reading_with_that_value():
    earlier = [
        Reading(taken_at=at(-30), sbp=170, dbp=90),
        Reading(taken_at=at(-10), sbp=140, dbp=85),  # the last pre-dose BP: the baseline
        Reading(taken_at=at(-5), hr=70),  # no BP: not a baseline for SBP
        Reading(taken_at=at(10), sbp=160, dbp=90),  # after the dose: never the baseline
    ]
    assert summary(flags(SL, 30, earlier, sbp=120, dbp=80)) == {}  # 170 - 120 = 50, but 140 is the baseline
    assert summary(flags(SL, 30, earlier, sbp=99, dbp=70)) == {"sbp": ("sbp_fall_from_baseline", "critical")}


def test_without_a_baseline_a_relative_threshold_cannot_fire():
    assert summary(flags(SL, 30, (), sbp=100, dbp=70)) == {}


def test_before_the_dose_there_is_no_baseline_yet_so_a_settling_bp_is_no_fall():
    # A client who arrives in the crisis band and settles is reassuring, not a critical fall.
    earlier = [Reading(taken_at=at(-20), sbp=190, dbp=100)]
    for dose_time in (None, T):
        found = flags(SL, -5, earlier, dose_time=dose_time, sbp=145, dbp=85)  # 45 lower
        assert summary(found) == {"sbp": ("predose_sbp", "review")}
    # ... and the settled reading is then the baseline the readings after the dose compare with
    settled = [*earlier, Reading(taken_at=at(-5), sbp=145, dbp=85)]
    assert summary(flags(SL, 30, settled, sbp=108, dbp=70)) == {}  # a fall of 37
    assert summary(flags(SL, 30, settled, sbp=100, dbp=65)) == {"sbp": ("sbp_fall_from_baseline", "critical")}


def test_a_practice_may_alert_on_a_smaller_fall_but_not_a_larger_one():
    stricter = apply_overrides(SL, {"thresholds.sbp_fall_from_baseline.limit": 30})
    baseline = [Reading(taken_at=at(-10), sbp=150, dbp=90)]
    assert summary(flags(stricter, 30, baseline, sbp=115, dbp=75)) == {
        "sbp": ("sbp_fall_from_baseline", "critical")
    }
    with pytest.raises(ValueError, match="outside the protocol's bounds 20-40"):
        apply_overrides(SL, {"thresholds.sbp_fall_from_baseline.limit": 50})


def test_a_practice_can_raise_the_low_limits_but_never_below_the_reference():
    with pytest.raises(
        ValueError, match=r"bradycardia.limit = 40 bpm is outside the protocol's bounds 50-60"
    ):
        apply_overrides(SL, {"thresholds.bradycardia_critical.limit": 45, "thresholds.bradycardia.limit": 40})
    changed = apply_overrides(
        SL, {"thresholds.bradycardia_critical.limit": 45, "thresholds.bradycardia.limit": 55}
    )
    assert summary(flags(changed, hr=44)) == {"hr": ("bradycardia_critical", "critical")}


def test_a_practice_may_hold_the_dose_lower_but_never_higher():
    apply_overrides(SL, {"thresholds.predose_crisis_sbp.limit": 170})
    with pytest.raises(ValueError, match="outside the protocol's bounds 160-180"):
        apply_overrides(SL, {"thresholds.predose_crisis_sbp.limit": 190})


# --- the new threshold kind is validated on load --------------------------------------------------

FALL = 'relative_to = "baseline"\ncomparison = "fall_greater_than"'


def _variant(tmp_path, old, new):
    text = (DATA / "protocols" / "sublingual.toml").read_text()
    assert old in text, "the test's anchor is gone from the data file"
    path = tmp_path / "sublingual.toml"
    path.write_text(text.replace(old, new, 1))
    return path


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            FALL,
            'comparison = "fall_greater_than"',
            r"sbp_fall_from_baseline: comparison 'fall_greater_than' needs",
        ),
        (FALL, 'relative_to = "baseline"\ncomparison = "<"', r"relative_to 'baseline' compares with one of"),
        (
            FALL,
            'relative_to = "yesterday"\ncomparison = "fall_greater_than"',
            r"relative_to: 'yesterday' is not",
        ),
        (
            'id = "bradycardia"\nparameter = "hr"\nwhen = "always"\ncomparison = "<"\nseverity = "warning"',
            'id = "bradycardia"\nparameter = "hr"\nwhen = "always"\ncomparison = "<"\nseverity = "warning"\n'
            "holds_dose = true",
            r"thresholds.bradycardia: holds_dose needs severity 'critical'",
        ),
        (
            'id = "predose_crisis_sbp"\nparameter = "sbp"\nwhen = "pre_dose"',
            'id = "predose_crisis_sbp"\nparameter = "sbp"\nwhen = "after_dose"',
            r"predose_crisis_sbp: holds_dose needs",
        ),
        ("holds_dose = true", 'holds_dose = "yes"', r"holds_dose: expected true/false"),
        (
            'id = "sbp_fall_from_baseline"\nparameter = "sbp"\nwhen = "after_dose"',
            'id = "sbp_fall_from_baseline"\nparameter = "sbp"\nwhen = "always"',
            r"sbp_fall_from_baseline: a change from the pre-dose baseline applies after the dose",
        ),
    ],
)
def test_a_malformed_threshold_kind_is_refused_with_the_field(tmp_path, old, new, message):
    with pytest.raises(ProtocolError, match=message):
        load_protocol(_variant(tmp_path, old, new))


# --- properties: beyond a critical threshold is always critical --------------------------------------


def _critical_cases():
    for p in PROTOCOLS:
        for th in p.thresholds:
            if (
                th.severity == "critical"
                and th.relative_to is None
                and not vital_ranges()[th.parameter].derived
            ):
                yield pytest.param(p, th, id=f"{p.id}-{th.id}")


def _reading_for(parameter, value, minutes):
    values = {parameter: value}
    if parameter == "sbp":
        values["dbp"] = 20 if value < 100 else 80  # a diastolic below any systolic in range
    elif parameter == "dbp":
        values["sbp"] = min(value + 30, 300)
    return Reading(taken_at=at(minutes), **values)


@pytest.mark.parametrize(("protocol", "threshold"), list(_critical_cases()))
@given(data=st.data())
def test_a_plausible_value_beyond_a_critical_threshold_is_always_flagged_critical(protocol, threshold, data):
    r = vital_ranges()[threshold.parameter]
    limit = int(threshold.limit.value)
    low, high = int(r.low), int(r.high)
    if threshold.parameter == "dbp":
        high = min(high, 270)  # keep a systolic above it within range
    if threshold.comparison in (">", ">="):
        value = data.draw(st.integers(limit + (threshold.comparison == ">"), high))
    else:
        value = data.draw(st.integers(low, limit - (threshold.comparison == "<")))
    stages = {"pre_dose": [-5], "after_dose": [20], "always": [-5, 20]}[threshold.when]
    minutes = data.draw(st.sampled_from(stages))
    found = flags(protocol, minutes, (), **_reading_for(threshold.parameter, value, minutes).values())
    assert found[threshold.parameter].severity == "critical"


@pytest.mark.parametrize("protocol", PROTOCOLS, ids=IDS)
@given(baseline=st.integers(130, 300), fall=st.integers(41, 200), dose_minutes=st.integers(0, 240))
def test_any_fall_of_more_than_40_from_the_baseline_is_critical(protocol, baseline, fall, dose_minutes):
    value = max(baseline - fall, 40)
    if baseline - value <= 40:
        return
    earlier = [Reading(taken_at=at(-10), sbp=baseline, dbp=80)]
    found = flags(protocol, dose_minutes, earlier, sbp=value, dbp=min(value - 1, 80))
    assert found["sbp"].severity == "critical"


@pytest.mark.parametrize("protocol_id", [p.id for p in all_protocols()])
def test_a_practice_may_raise_a_low_side_limit_but_never_lower_it_below_the_default(protocol_id):
    """Err toward the alert: a low-side threshold (bradycardia, hypotension, desaturation, slow
    breathing, sedation) can be made more sensitive by a practice, never less."""
    protocol = get_protocol(protocol_id)
    low_side = [t for t in protocol.thresholds if t.comparison in ("<", "<=") and t.relative_to is None]
    assert {t.parameter for t in low_side} >= {"hr", "sbp", "map", "spo2", "rr", "moaas"}
    for th in low_side:
        path = f"thresholds.{th.id}.limit"
        with pytest.raises(ValueError):
            apply_overrides(protocol, {path: th.limit.value - 1})
        upper = th.limit.bounds[1] if th.limit.bounds else th.limit.value
        assert apply_overrides(protocol, {path: upper}).params()[path].value == upper
