"""Protocol data files: they load, carry the reference's numbers with sources, and refuse bad data and
out-of-bounds overrides with messages that name the file, the field and the bound."""

import re
import tomllib
from decimal import Decimal
from pathlib import Path

import pytest

import kapstone.clinical
from kapstone.clinical.protocols import (
    Override,
    ProtocolError,
    all_protocols,
    apply_overrides,
    get_protocol,
    load_protocol,
    vital_ranges,
)

DATA = Path(kapstone.clinical.__file__).parent / "data"
IDS = ["esketamine_intranasal", "intramuscular", "iv_infusion", "sublingual"]
KAP_CRITERIA = {
    "oriented",
    "dissociation_resolved",
    "walks_steadily",
    "no_active_suicidal_ideation",
    "escort_present",
    "aftercare_given",
}


def test_the_four_protocols_load_in_id_order():
    assert [p.id for p in all_protocols()] == IDS
    assert get_protocol("iv_infusion").version_label == "iv_infusion@1.0.0"


def test_an_unknown_protocol_names_the_known_ones():
    with pytest.raises(KeyError, match="known: esketamine_intranasal, intramuscular"):
        get_protocol("oral")


@pytest.mark.parametrize("pid", IDS)
def test_every_setting_has_a_source_and_its_value_within_its_bounds(pid):
    params = get_protocol(pid).params()
    assert len(params) > 20
    for path, param in params.items():
        assert param.sources, path
        assert param.bounds[0] <= param.value <= param.bounds[1], path
        if param.sources == ("design",):
            assert param.unconfirmed, f"{path} is a design default and must say it is unconfirmed"


def test_every_cited_source_is_in_the_evidence_library():
    library = tomllib.loads((DATA / "evidence.toml").read_text())
    known = {s["id"] for s in library["source"]} | {"design"}
    cited = set()
    for path in [*(DATA / "protocols").glob("*.toml"), DATA / "vitals.toml"]:
        cited |= {(path.name, s) for s in re.findall(r'"([a-z0-9-]+)"', _source_lists(path.read_text()))}
    assert {(f, s) for f, s in cited if s not in known} == set()


def _source_lists(text: str) -> str:
    return " ".join(re.findall(r"sources = \[([^\]]*)\]", text))


def test_the_reference_numbers_are_the_defaults():
    iv, esk = get_protocol("iv_infusion"), get_protocol("esketamine_intranasal")
    sl, im = get_protocol("sublingual"), get_protocol("intramuscular")
    assert (iv.dose.basis, iv.dose.default.value, iv.dose.maximum.value) == (
        "mg_per_kg",
        Decimal("0.5"),
        Decimal("0.75"),
    )
    assert iv.infusion.duration_minutes.value == 40
    assert iv.observation.counted_from == "infusion_end"
    assert (esk.dose.basis, esk.dose.default.value, esk.dose.maximum.value) == ("fixed_mg", 56, 84)
    assert esk.dose.step.value == 28
    assert esk.observation.minimum_minutes.value == 120
    assert esk.observation.minimum_minutes.bounds[0] == 120  # the REMS 2 h cannot be shortened
    assert esk.stock.form == "device" and esk.stock.strengths == (28,)
    assert sl.dose.booster.session_maximum.value == 400
    assert im.dose.minimum.value == Decimal("0.2") and im.dose.maximum.value == Decimal("2.0")
    assert 100 in iv.stock.dilute_before_use


@pytest.mark.parametrize("pid", IDS)
def test_every_protocol_has_the_alert_thresholds_of_the_issue(pid):
    limits = {t.id: (t.comparison, t.limit.value, t.severity) for t in get_protocol(pid).thresholds}
    assert limits["predose_sbp"] == (">=", 140, "review")
    assert limits["predose_dbp"] == (">=", 90, "review")
    assert limits["intra_sbp"] == (">", 180, "warning")
    assert limits["intra_dbp"] == (">", 110, "warning")
    assert limits["tachycardia"] == (">", 120, "warning")
    assert limits["spo2_critical"] == ("<", 90, "critical")
    assert limits["spo2_low"] == ("<=", 92, "warning")
    assert limits["sedation"] == ("<=", 3, "warning")


@pytest.mark.parametrize("pid", IDS)
def test_every_discharge_rule_is_aldrete_9_plus_the_kap_criteria(pid):
    rule = get_protocol(pid).discharge
    assert rule.aldrete_minimum.value == 9
    assert {c.id for c in rule.criteria} >= KAP_CRITERIA


def test_esketamine_adds_the_rems_discharge_conditions():
    ids = {c.id for c in get_protocol("esketamine_intranasal").discharge.criteria}
    assert {"sedation_resolved", "respiratory_depression_resolved", "clinically_stable"} <= ids


@pytest.mark.parametrize("pid", IDS)
def test_every_protocol_has_the_adverse_event_categories(pid):
    ids = [a.id for a in get_protocol(pid).adverse_events]
    assert ids == ["expected", "psychological", "cardiovascular", "respiratory", "serious", "delayed"]


def test_the_rems_monitoring_form_has_every_section_of_the_reference():
    (form,) = get_protocol("esketamine_intranasal").reporting
    assert form.due_within_days.value == 7
    sections = {s.id: {f.id: f for f in s.fields} for s in form.sections}
    assert set(sections) == {
        "patient",
        "concomitant_medication",
        "monitoring_hcp",
        "healthcare_setting",
        "treatment",
        "duration",
        "vital_signs",
        "blood_pressure",
        "events",
    }
    assert sections["duration"]["monitoring_minutes"].minimum == 120
    assert set(sections["blood_pressure"]) == {"before_administration", "post_40_min", "before_completion"}
    assert sections["treatment"]["dose"].choices == ("56 mg", "84 mg", "other")
    assert "lot_number" in sections["treatment"]
    assert all(f.unconfirmed for f in sections["events"].values())
    assert [f.reporting for f in all_protocols() if f.reporting] == [(form,)]


def test_vital_ranges_cover_every_threshold_parameter_with_units():
    ranges = vital_ranges()
    assert (ranges["sbp"].low, ranges["sbp"].high, ranges["sbp"].unit) == (40, 300, "mmHg")
    for p in all_protocols():
        for t in p.thresholds:
            assert t.limit.unit == ranges[t.parameter].unit


# --- malformed files -------------------------------------------------------------------------------


def _variant(tmp_path, old, new, name="sublingual"):
    text = (DATA / "protocols" / f"{name}.toml").read_text()
    assert old in text, "the test's anchor is gone from the data file"
    path = tmp_path / f"{name}.toml"
    path.write_text(text.replace(old, new, 1))
    return path


def test_an_unchanged_copy_loads(tmp_path):
    assert load_protocol(_variant(tmp_path, "schema = 1", "schema = 1")) == get_protocol("sublingual")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("[dose.minimum]", "[dose.minimun]", r"sublingual.toml: dose.minimun: unknown field"),
        (
            '[dose.default]\nvalue = 100\nunit = "mg"',
            '[dose.default]\nvalue = 100\nunit = "mL"',
            r"dose.default.unit: expected 'mg'",
        ),
        (
            "[dose.default]\nvalue = 100",
            '[dose.default]\nvalue = "lots"',
            r"dose.default.value: expected a number",
        ),
        (
            "[dose.default]\nvalue = 100",
            "[dose.default]\nvalue = 500",
            r"dose.default.value: 500 is outside its own bounds 50-400",
        ),
        ('basis = "fixed_mg"', 'basis = "per_m2"', r"dose.basis: 'per_m2' is not one of mg_per_kg, fixed_mg"),
        (
            'sources = ["ctp-lozenge-method"]\nnote = "Highest',
            'sources = []\nnote = "Highest',
            r"dose.maximum.sources: at least one source",
        ),
        (
            'id = "predose_sbp"\nparameter = "sbp"',
            'id = "predose_sbp"\nparameter = "bp"',
            r"thresholds\[0\].parameter: 'bp' is not one of",
        ),
        ("continuous_spo2 = true", "continuous_spo2 = 1", r"monitoring.continuous_spo2: expected true/false"),
        ('end = "discharge"', 'end = "forever"', r"monitoring.segments\[1\].end: 'forever' is not minutes"),
        ("schema = 1", "schema = 2", r"schema: this kapstone reads schema 1"),
    ],
)
def test_a_malformed_field_is_named_with_its_file(tmp_path, old, new, message):
    with pytest.raises(ProtocolError, match=message):
        load_protocol(_variant(tmp_path, old, new))


def test_a_design_default_must_be_marked_unconfirmed(tmp_path):
    old = (
        'max_each = { value = 100, unit = "mg", bounds = [25, 200], sources = ["design"], unconfirmed = true,'
    )
    new = 'max_each = { value = 100, unit = "mg", bounds = [25, 200], sources = ["design"],'
    with pytest.raises(ProtocolError, match=r"max_each\.unconfirmed: a value sourced only to 'design'"):
        load_protocol(_variant(tmp_path, old, new))


def test_inconsistent_settings_are_refused_on_load(tmp_path):
    path = _variant(
        tmp_path,
        '[dose.default]\nvalue = 100\nunit = "mg"\nbounds = [50, 400]',
        '[dose.default]\nvalue = 40\nunit = "mg"\nbounds = [25, 400]',
    )
    with pytest.raises(
        ProtocolError, match=r"dose.default \(40 mg\) must lie within dose.minimum-dose.maximum \(50-400 mg\)"
    ):
        load_protocol(path)


def test_the_file_name_must_match_the_id(tmp_path):
    path = tmp_path / "sublingual_v2.toml"
    path.write_text((DATA / "protocols" / "sublingual.toml").read_text())
    with pytest.raises(ProtocolError, match="id 'sublingual' must match the file name"):
        load_protocol(path)


def test_invalid_toml_says_so(tmp_path):
    with pytest.raises(ProtocolError, match=r"sublingual\.toml: not valid TOML"):
        load_protocol(_variant(tmp_path, "schema = 1", "schema = = 1"))


# --- overrides -------------------------------------------------------------------------------------


def test_an_override_within_bounds_returns_a_new_labelled_protocol():
    base = get_protocol("sublingual")
    changed = apply_overrides(base, {"observation.minimum_minutes": 150}, label="riverbend")
    assert changed.observation.minimum_minutes.value == 150
    assert base.observation.minimum_minutes.value == 120  # the bundled protocol is untouched
    assert re.fullmatch(r"sublingual@1\.0\.0\+riverbend\.[0-9a-f]{8}", changed.version_label)
    assert changed.overrides == (Override("observation.minimum_minutes", Decimal(120), Decimal(150)),)
    assert changed.observation.minimum_minutes.sources == ("practice",)
    assert "protocol default 120 min" in changed.observation.minimum_minutes.note


@pytest.mark.parametrize(
    ("path", "value", "ok"),
    [
        ("observation.minimum_minutes", 120, True),
        ("observation.minimum_minutes", 119, False),
        ("observation.minimum_minutes", 480, True),
        ("observation.minimum_minutes", 481, False),
        ("thresholds.intra_sbp.limit", 160, True),
        ("thresholds.intra_sbp.limit", 159, False),
        ("thresholds.intra_sbp.limit", 200, True),
        ("thresholds.intra_sbp.limit", 201, False),
        ("discharge.aldrete_minimum", 10, True),
        ("discharge.aldrete_minimum", 11, False),
        ("discharge.aldrete_minimum", 7, False),
    ],
)
def test_override_bounds_are_inclusive_on_both_sides(path, value, ok):
    base = get_protocol("sublingual")
    if ok:
        assert apply_overrides(base, {path: value}).param(path).value == value
    else:
        low, high = base.param(path).bounds
        with pytest.raises(
            ValueError, match=rf"{re.escape(path)} = {value} .* outside the protocol's bounds {low}-{high}"
        ):
            apply_overrides(base, {path: value})


def test_the_rems_two_hours_cannot_be_shortened():
    with pytest.raises(ValueError, match="bounds 120-480 min"):
        apply_overrides(get_protocol("esketamine_intranasal"), {"observation.minimum_minutes": 90})


def test_override_values_must_be_exact_and_whole_where_the_unit_is():
    base = get_protocol("iv_infusion")
    assert apply_overrides(base, {"dose.maximum": "0.6"}).dose.maximum.value == Decimal("0.6")
    with pytest.raises(ValueError, match="must be a whole number"):
        apply_overrides(base, {"observation.minimum_minutes": "62.5"})
    with pytest.raises(TypeError, match="not float"):
        apply_overrides(base, {"dose.maximum": 0.6})
    with pytest.raises(ValueError, match="is not a number"):
        apply_overrides(base, {"dose.maximum": "lots"})


def test_only_settings_can_be_overridden():
    with pytest.raises(ValueError, match=r"'dose\.basis' is not an adjustable setting"):
        apply_overrides(get_protocol("iv_infusion"), {"dose.basis": 1})


def test_an_override_that_breaks_a_relation_is_refused_with_the_relation():
    with pytest.raises(
        ValueError, match=r"dose.booster.session_maximum \(300 mg\) must be at least dose.maximum \(400 mg\)"
    ):
        apply_overrides(get_protocol("sublingual"), {"dose.booster.session_maximum": 300})
    lowered = {"dose.maximum": 300, "dose.booster.session_maximum": 300}
    assert apply_overrides(get_protocol("sublingual"), lowered).dose.maximum.value == 300


def test_an_override_cannot_put_a_critical_threshold_inside_a_warning_one():
    with pytest.raises(
        ValueError, match=r"intra_sbp_severe\.limit .* must be at or above thresholds\.intra_sbp\.limit"
    ):
        apply_overrides(
            get_protocol("sublingual"),
            {"thresholds.intra_sbp.limit": 195, "thresholds.intra_sbp_severe.limit": 185},
        )


def test_a_grace_window_too_long_for_the_schedule_is_refused():
    with pytest.raises(
        ValueError,
        match=r"grace_minutes \(15 min\) must be shorter than the closest two checks \(15 min apart\)",
    ):
        apply_overrides(get_protocol("sublingual"), {"monitoring.grace_minutes": 10})
    assert (
        apply_overrides(
            get_protocol("sublingual"), {"monitoring.grace_minutes": 9}
        ).monitoring.grace_minutes.value
        == 9
    )


def test_overrides_stack_keep_the_file_value_and_reverting_removes_them():
    base = get_protocol("intramuscular")
    once = apply_overrides(base, {"dose.maximum": "1.5"})
    twice = apply_overrides(once, {"dose.maximum": "1.0", "dose.booster.max_count": 1})
    assert {o.path: (o.old, o.new) for o in twice.overrides} == {
        "dose.maximum": (Decimal("2.0"), Decimal("1.0")),
        "dose.booster.max_count": (Decimal(0), Decimal(1)),
    }
    reverted = apply_overrides(twice, {"dose.maximum": "2.0", "dose.booster.max_count": 0})
    assert reverted.overrides == ()
    assert reverted.version_label == "intramuscular@1.0.0"
    assert reverted == base


def test_equal_override_sets_share_a_label_and_different_ones_do_not():
    base = get_protocol("iv_infusion")
    a = apply_overrides(base, {"dose.maximum": "0.6"})
    b = apply_overrides(base, {"dose.maximum": "0.60"})
    c = apply_overrides(base, {"dose.maximum": "0.7"})
    assert a.version_label == b.version_label != c.version_label


def test_override_labels_are_slugs():
    with pytest.raises(ValueError, match="override label"):
        apply_overrides(get_protocol("iv_infusion"), {"dose.maximum": "0.6"}, label="Riverbend KAP")
