"""Dose arithmetic against hand-computed examples, and dose checks against every protocol limit."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kapstone.clinical.dosing import (
    check_dose,
    default_dose_mg,
    infusion_rate,
    mg_from_mg_per_kg,
    mg_per_kg_from_mg,
    unit_count,
    volume_ml,
)
from kapstone.clinical.protocols import apply_overrides, get_protocol

D = Decimal
IV = get_protocol("iv_infusion")
IM = get_protocol("intramuscular")
SL = get_protocol("sublingual")
ESK = get_protocol("esketamine_intranasal")


# --- hand-computed arithmetic ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mg_per_kg", "weight", "mg"),
    [
        ("0.5", "70", "35.0"),  # the example
        ("0.75", "82.4", "61.8"),
        ("0.5", "70.25", "35.1"),  # 35.125 -> 35.1
        ("0.5", "70.3", "35.2"),  # 35.15 -> 35.2
        ("0.5", "70.5", "35.3"),  # 35.25 -> 35.3 (half even would give 35.2)
        ("2.0", "300", "600.0"),
    ],
)
def test_mg_from_mg_per_kg(mg_per_kg, weight, mg):
    result = mg_from_mg_per_kg(D(mg_per_kg), D(weight))
    assert result == D(mg)
    assert str(result) == mg  # rounded to exactly 0.1 mg


@pytest.mark.parametrize(
    ("mg", "weight", "mg_per_kg"),
    [("35", "70", "0.500"), ("10", "30", "0.333"), ("20", "30", "0.667"), ("52.5", "70", "0.750")],
)
def test_mg_per_kg_from_mg(mg, weight, mg_per_kg):
    assert str(mg_per_kg_from_mg(D(mg), D(weight))) == mg_per_kg


@pytest.mark.parametrize(
    ("mg", "concentration", "ml"),
    [
        ("35", "100", "0.35"),
        ("35", "10", "3.50"),
        ("52.5", "10", "5.25"),
        ("7", "100", "0.07"),
        ("1", "3", "0.33"),
    ],
)
def test_volume_from_stock(mg, concentration, ml):
    assert str(volume_ml(D(mg), D(concentration))) == ml


def test_units_of_tablets_and_devices():
    assert unit_count(84, 28) == 3
    assert unit_count(56, 28) == 2
    assert str(unit_count(150, 100)) == "1.50"


def test_iv_infusion_rate_for_the_standard_protocol():
    # 0.5 mg/kg x 70 kg = 35 mg in a 100 mL bag over 40 min: 100 mL / (40/60) h = 150 mL/h;
    # 35 mg / (2/3) h = 52.5 mg/h; 0.5 mg/kg / (2/3) h = 0.75 mg/kg/h.
    rate = infusion_rate(D(35), D(70), D(100), 40)
    assert (rate.ml_per_h, rate.mg_per_h, rate.mg_per_kg_per_h) == (D("150.0"), D("52.5"), D("0.750"))


def test_iv_infusion_rate_rounds_to_pump_resolution():
    # 61.8 mg (0.75 mg/kg x 82.4 kg) in 100.62 mL over 40 min: 150.93 mL/h -> 150.9; 92.7 mg/h;
    # 0.75 mg/kg over 2/3 h = 1.125 mg/kg/h exactly (the unrounded mg/kg is 0.75000...).
    rate = infusion_rate(D("61.8"), D("82.4"), D("100.62"), 40)
    assert (rate.ml_per_h, rate.mg_per_h, rate.mg_per_kg_per_h) == (D("150.9"), D("92.7"), D("1.125"))


def test_default_doses():
    assert default_dose_mg(IV, 70) == D("35.0")
    assert default_dose_mg(ESK) == 56
    assert default_dose_mg(SL) == 100
    with pytest.raises(ValueError, match="weight_kg is required"):
        default_dose_mg(IM)


@pytest.mark.parametrize("bad", [0.5, True, None, [1]])
def test_floats_and_non_numbers_are_refused(bad):
    with pytest.raises(TypeError, match="give a Decimal, int or str"):
        mg_from_mg_per_kg(bad, 70)


@pytest.mark.parametrize("bad", ["0", "-1", "NaN", "Infinity"])
def test_zero_negative_and_non_finite_values_are_refused(bad):
    with pytest.raises(ValueError, match="must be a positive number"):
        volume_ml(35, bad)


def test_an_implausible_weight_is_refused_with_the_range():
    with pytest.raises(
        ValueError, match="Body weight 7 kg is not plausible: enter a value between 30 and 300 kg"
    ):
        mg_from_mg_per_kg(D("0.5"), 7)
    assert mg_from_mg_per_kg(D("0.5"), 30) == 15
    with pytest.raises(ValueError, match="between 30 and 300 kg"):
        mg_from_mg_per_kg(D("0.5"), D("300.1"))


# --- checks against the protocol --------------------------------------------------------------------


def codes(result):
    return [p.code for p in result.problems]


@pytest.mark.parametrize(
    ("mg", "expected"),
    [
        ("7", []),  # 0.1 mg/kg x 70 kg: the minimum itself
        ("6.9", ["below_minimum"]),
        ("35", []),
        ("52.5", []),  # 0.75 mg/kg: the maximum itself
        ("52.6", ["above_maximum"]),
        ("52.51", ["above_maximum"]),  # rounds to 52.5 mg and 0.750 mg/kg, still above: no rounding loophole
    ],
)
def test_iv_dose_range_boundaries_for_70_kg(mg, expected):
    assert codes(check_dose(IV, D(mg), weight_kg=70)) == expected


def test_a_dose_above_the_maximum_says_by_how_much():
    result = check_dose(IV, D("56"), weight_kg=70)
    assert not result.ok
    (problem,) = result.problems
    assert problem.limit == D("0.75")
    assert problem.excess == D("0.05")  # (56 - 52.5) / 70
    assert problem.message == (
        "0.8 mg/kg (56 mg) is above the protocol maximum of 0.75 mg/kg (52.5 mg) by 0.05 mg/kg (3.5 mg)."
    )
    assert (result.mg, result.mg_per_kg) == (D("56.0"), D("0.800"))


def test_a_dose_below_the_minimum_says_by_how_much():
    (problem,) = check_dose(IV, 5, weight_kg=70).problems
    assert (
        problem.message
        == "0.071 mg/kg (5 mg) is below the protocol minimum of 0.1 mg/kg (7 mg) by 0.029 mg/kg (2 mg)."
    )


def test_im_range_is_0_2_to_2_mg_per_kg():
    assert check_dose(IM, 14, weight_kg=70).ok  # 0.2 mg/kg
    assert codes(check_dose(IM, D("13.9"), weight_kg=70)) == ["below_minimum"]
    assert check_dose(IM, 140, weight_kg=70).ok  # 2.0 mg/kg
    assert codes(check_dose(IM, D("140.1"), weight_kg=70)) == ["above_maximum"]


@pytest.mark.parametrize(
    ("mg", "expected"), [(50, []), (49, ["below_minimum"]), (400, []), (401, ["above_maximum"])]
)
def test_sublingual_fixed_range(mg, expected):
    assert codes(check_dose(SL, mg)) == expected


def test_fixed_dose_messages_are_in_mg_and_mg_per_kg_is_informative():
    result = check_dose(SL, 401, weight_kg=80)
    assert result.problems[0].message == "401 mg is above the protocol maximum of 400 mg by 1 mg."
    assert result.mg_per_kg == D("5.013")
    assert check_dose(SL, 100).mg_per_kg is None


@pytest.mark.parametrize(
    ("mg", "expected"),
    [
        (28, []),
        (56, []),
        (84, []),
        (70, ["not_a_step"]),
        (112, ["above_maximum"]),
        (14, ["below_minimum", "not_a_step"]),
    ],
)
def test_esketamine_doses_come_in_28_mg_devices(mg, expected):
    assert codes(check_dose(ESK, mg)) == expected


def test_esketamine_and_iv_allow_no_booster():
    assert codes(check_dose(ESK, 28, booster=True, given_mg=56, minutes_since_first_dose=60)) == [
        "booster_not_allowed"
    ]
    assert codes(check_dose(IV, 7, weight_kg=70, booster=True, given_mg=35)) == ["booster_not_allowed"]


@pytest.mark.parametrize(
    ("booster_mg", "given", "boosters_given", "minutes", "expected"),
    [
        (100, 200, 0, 40, []),
        (101, 200, 0, 40, ["booster_above_max_each"]),
        (100, 200, 0, 39, ["booster_too_early"]),
        (100, 200, 0, None, ["booster_time_unknown"]),
        (100, 300, 0, 60, []),  # session total exactly 400 mg
        (100, 301, 0, 60, ["above_session_maximum"]),
        (50, 200, 1, 60, ["too_many_boosters"]),
    ],
)
def test_sublingual_booster_rule(booster_mg, given, boosters_given, minutes, expected):
    result = check_dose(
        SL,
        booster_mg,
        booster=True,
        given_mg=given,
        boosters_given=boosters_given,
        minutes_since_first_dose=minutes,
    )
    assert codes(result) == expected


def test_booster_problems_say_what_and_by_how_much():
    result = check_dose(SL, 100, booster=True, given_mg=350, minutes_since_first_dose=30)
    assert result.summary == (
        "A booster 30 min after the first dose is 10 min earlier than the protocol's 40 min. "
        "With 350 mg already given, the session total 450 mg is above the protocol's session maximum "
        "of 400 mg by 50 mg."
    )


def test_a_practice_may_allow_an_im_booster_within_the_bounds():
    assert codes(
        check_dose(IM, 35, weight_kg=70, booster=True, given_mg=35, minutes_since_first_dose=45)
    ) == ["booster_not_allowed"]
    allowing = apply_overrides(IM, {"dose.booster.max_count": 1})
    assert check_dose(allowing, 35, weight_kg=70, booster=True, given_mg=35, minutes_since_first_dose=45).ok
    assert codes(
        check_dose(allowing, D("35.1"), weight_kg=70, booster=True, given_mg=35, minutes_since_first_dose=45)
    ) == ["booster_above_max_each"]


def test_a_practice_override_narrows_the_range_checked():
    narrowed = apply_overrides(IV, {"dose.maximum": "0.6"})
    assert check_dose(narrowed, 42, weight_kg=70).ok  # 0.6 mg/kg
    assert codes(check_dose(narrowed, D("42.1"), weight_kg=70)) == ["above_maximum"]


@pytest.mark.parametrize(("minutes", "ok"), [(2, True), (1, False), (100, True), (101, False), (40, True)])
def test_infusion_duration_is_checked_against_the_protocol(minutes, ok):
    result = check_dose(IV, 35, weight_kg=70, infusion_minutes=minutes)
    assert result.ok is ok
    if not ok:
        assert "outside the protocol's 2-100 min" in result.summary


def test_weight_based_protocols_need_a_weight_and_infusion_minutes_need_an_infusion():
    with pytest.raises(ValueError, match="doses by weight"):
        check_dose(IV, 35)
    with pytest.raises(ValueError, match="has no infusion"):
        check_dose(SL, 100, infusion_minutes=40)
    with pytest.raises(ValueError, match="boosters_given"):
        check_dose(SL, 100, boosters_given=-1)


# --- properties --------------------------------------------------------------------------------------

weights = st.decimals(min_value=30, max_value=300, places=1)
doses = st.decimals(min_value=D("0.1"), max_value=1000, places=1)


@given(mg=st.decimals(min_value=1, max_value=1000, places=1), weight=weights)
def test_mg_to_mg_per_kg_and_back_stays_within_the_rounding(mg, weight):
    # mg/kg is rounded to 0.001 (error <= 0.0005 x weight once multiplied back), then mg to 0.1
    # (error <= 0.05): the round trip can drift by no more than their sum.
    back = mg_from_mg_per_kg(mg_per_kg_from_mg(mg, weight), weight)
    assert abs(back - mg) <= D("0.0005") * weight + D("0.05")


@given(mg=doses, concentration=st.sampled_from([D(10), D(50), D(100)]))
def test_volume_times_concentration_gives_back_the_dose(mg, concentration):
    assert abs(volume_ml(mg, concentration) * concentration - mg) <= D("0.005") * concentration


@given(mg=st.decimals(min_value=1, max_value=120, places=2), weight=weights)
def test_an_iv_dose_passes_exactly_when_its_mg_per_kg_is_in_range(mg, weight):
    in_range = D("0.1") * weight <= mg <= D("0.75") * weight
    assert check_dose(IV, mg, weight_kg=weight).ok is in_range
