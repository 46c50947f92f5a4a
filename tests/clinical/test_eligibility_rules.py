"""The default eligibility rules: each fires on its facts and stays quiet just the other side of its
boundary; the recommendation follows from the findings; missing facts never pass silently."""

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from kapstone.clinical.eligibility import (
    ELIGIBLE,
    EXCLUDE,
    FIRED,
    NOT_ASSESSED,
    NOT_ELIGIBLE,
    NOT_FIRED,
    RECOMMENDATIONS,
    REVIEW,
    STATUSES,
    EligibilityAssessment,
    evaluate_eligibility,
    load_fact_catalogue,
    load_ruleset,
)

RULESET = load_ruleset()
CATALOGUE = load_fact_catalogue()
RANK = {recommendation: rank for rank, recommendation in enumerate(RECOMMENDATIONS)}
SEVERITY_RANK = {"caution": 0, "review": 1, "exclude": 2}

# A complete intake with nothing of concern: every rule can be assessed, none fires.
CLEAN = {
    "age": 40,
    "weight_kg": 70,
    "height_cm": 175,
    "sbp": 120,
    "dbp": 78,
    "hr": 72,
    "hypertension": False,
    "cardiac_disease": False,
    "arrhythmia": False,
    "aneurysmal_vascular_disease": False,
    "arteriovenous_malformation": False,
    "intracerebral_haemorrhage_history": False,
    "stroke_or_tia_history": False,
    "raised_intracranial_pressure": False,
    "raised_intraocular_pressure": False,
    "seizure_disorder": False,
    "seizure_recent": False,
    "respiratory_disease_severe": False,
    "liver_disease": False,
    "bladder_disease": False,
    "thyroid_disease": False,
    "hyperthyroidism_uncontrolled": False,
    "porphyria": False,
    "ketamine_allergy": False,
    "pregnant": False,
    "breastfeeding": False,
    "psychosis_active": False,
    "psychotic_disorder_history": False,
    "psychosis_family_history": False,
    "mania_current": False,
    "mania_history": False,
    "dissociative_disorder": False,
    "personality_disorder_severe": False,
    "substance_use_disorder": "none",
    "ketamine_nonmedical_use": False,
    "recreational_drug_use": False,
    "medication_classes": ["antidepressant"],
    "phq9_total": 16,
    "phq9_item9": 0,
    "gad7_total": 12,
    "pcl5_total": 20,
    "cssrs_risk": "none",
    "audit_total": 3,
    "dast10_total": 0,
    "mdq_positive": False,
    "pqb_total": 1,
    "pqb_distress": 2,
}


def _yes_no(key):
    return [{key: True}], [{key: False}]


def _medicine(*classes):
    return [{"medication_classes": [c]} for c in classes], [
        {"medication_classes": []},
        {"medication_classes": ["lithium", "antidepressant"]},
    ]


# rule id -> (fact sets on which it fires, fact sets just the other side on which it is assessed and quiet)
CASES = {
    "age.under_18": ([{"age": 17}], [{"age": 18}]),
    "age.older_adult": ([{"age": 65}], [{"age": 64}]),
    "allergy.ketamine": _yes_no("ketamine_allergy"),
    "hypertension.uncontrolled": (
        [{"hypertension": True, "hypertension_controlled": False}],
        # No hypertension decides the rule even though "controlled?" was never asked.
        [{"hypertension": True, "hypertension_controlled": True}, {"hypertension": False}],
    ),
    "bp.severe": (
        [{"sbp": 180, "dbp": 100}, {"sbp": 150, "dbp": 110}],
        [{"sbp": 179, "dbp": 109}],
    ),
    "bp.predose_elevated": (
        [{"sbp": 140, "dbp": 80}, {"sbp": 130, "dbp": 90}, {"sbp": 140, "dbp": 90}],
        [{"sbp": 139, "dbp": 89}],
    ),
    "vascular.aneurysm_or_avm": (
        [
            {"aneurysmal_vascular_disease": True, "arteriovenous_malformation": False},
            {"aneurysmal_vascular_disease": False, "arteriovenous_malformation": True},
        ],
        [{"aneurysmal_vascular_disease": False, "arteriovenous_malformation": False}],
    ),
    "cerebrovascular.intracerebral_haemorrhage": _yes_no("intracerebral_haemorrhage_history"),
    "cerebrovascular.stroke_or_tia": _yes_no("stroke_or_tia_history"),
    "cardiac.disease": _yes_no("cardiac_disease"),
    "cardiac.arrhythmia": _yes_no("arrhythmia"),
    "neuro.raised_intracranial_pressure": _yes_no("raised_intracranial_pressure"),
    "eye.raised_intraocular_pressure": _yes_no("raised_intraocular_pressure"),
    "neuro.seizure_recent": _yes_no("seizure_recent"),
    "neuro.seizure_history": _yes_no("seizure_disorder"),
    "respiratory.severe": _yes_no("respiratory_disease_severe"),
    "liver.disease": _yes_no("liver_disease"),
    "bladder.disease": _yes_no("bladder_disease"),
    "thyroid.hyperthyroidism_uncontrolled": _yes_no("hyperthyroidism_uncontrolled"),
    "thyroid.disease": _yes_no("thyroid_disease"),
    "metabolic.porphyria": _yes_no("porphyria"),
    "pregnancy.pregnant": _yes_no("pregnant"),
    "pregnancy.breastfeeding": _yes_no("breastfeeding"),
    "psychosis.active": _yes_no("psychosis_active"),
    "psychosis.history": _yes_no("psychotic_disorder_history"),
    "psychosis.family_history": _yes_no("psychosis_family_history"),
    "psychosis.pqb_positive": (
        [{"pqb_total": 3, "pqb_distress": 0}, {"pqb_total": 0, "pqb_distress": 6}],
        [{"pqb_total": 2, "pqb_distress": 5}],
    ),
    "mania.current": _yes_no("mania_current"),
    "mania.history": _yes_no("mania_history"),
    "mania.mdq_positive": _yes_no("mdq_positive"),
    "dissociation.disorder": _yes_no("dissociative_disorder"),
    "personality.severe": _yes_no("personality_disorder_severe"),
    "suicide.cssrs_high": ([{"cssrs_risk": "high"}], [{"cssrs_risk": "moderate"}]),
    "suicide.cssrs_moderate": ([{"cssrs_risk": "moderate"}], [{"cssrs_risk": "low"}, {"cssrs_risk": "high"}]),
    "suicide.cssrs_low": ([{"cssrs_risk": "low"}], [{"cssrs_risk": "none"}, {"cssrs_risk": "moderate"}]),
    "suicide.phq9_item9": ([{"phq9_item9": 1}], [{"phq9_item9": 0}]),
    "substance.severe": (
        [
            {"substance_use_disorder": "severe", "audit_total": 0, "dast10_total": 0},
            {"substance_use_disorder": "none", "audit_total": 20, "dast10_total": 0},
            {"substance_use_disorder": "none", "audit_total": 0, "dast10_total": 6},
        ],
        [{"substance_use_disorder": "moderate", "audit_total": 19, "dast10_total": 5}],
    ),
    "substance.use_disorder": (
        [{"substance_use_disorder": v} for v in ("early_remission", "mild", "moderate")],
        [{"substance_use_disorder": v} for v in ("none", "sustained_remission", "severe")],
    ),
    "substance.alcohol_positive_screen": ([{"audit_total": 8}], [{"audit_total": 7}]),
    "substance.drug_positive_screen": ([{"dast10_total": 3}], [{"dast10_total": 2}]),
    "substance.ketamine_nonmedical_use": _yes_no("ketamine_nonmedical_use"),
    "substance.recreational_use": _yes_no("recreational_drug_use"),
    "medication.benzodiazepine": _medicine("benzodiazepine"),
    "medication.sedative_hypnotic": _medicine("sedative_hypnotic"),
    "medication.opioid": _medicine("opioid"),
    "medication.stimulant": _medicine("stimulant"),
    "medication.maoi": _medicine("maoi"),
    "medication.lamotrigine": _medicine("lamotrigine"),
    "medication.naltrexone": _medicine("naltrexone"),
    "medication.antipsychotic": _medicine("antipsychotic"),
    "medication.cyp_modulator": _medicine(
        "cyp3a4_inducer", "cyp3a4_inhibitor", "cyp2b6_inducer", "cyp2b6_inhibitor"
    ),
    # 160 kg at 2.00 m is BMI 40.0 exactly; 159.6 kg is 39.9.
    "weight.high_bmi": ([{"weight_kg": 160, "height_cm": 200}], [{"weight_kg": 159.6, "height_cm": 200}]),
}

FIRING = [(rule_id, facts) for rule_id, (fire, _) in CASES.items() for facts in fire]
QUIET = [(rule_id, facts) for rule_id, (_, quiet) in CASES.items() for facts in quiet]


def finding(assessment, rule_id):
    (match,) = [f for f in assessment.findings if f.rule_id == rule_id]
    return match


def test_every_default_rule_has_boundary_cases():
    assert set(CASES) == {rule.id for rule in RULESET.rules}


def test_the_clean_intake_is_eligible_with_nothing_fired_or_unassessed():
    assessment = evaluate_eligibility(CLEAN)
    assert assessment.recommendation == ELIGIBLE
    assert [f.rule_id for f in assessment.findings if f.status != NOT_FIRED] == []


@pytest.mark.parametrize(("rule_id", "facts"), FIRING)
def test_rule_fires_on_its_facts_alone(rule_id, facts):
    result = finding(evaluate_eligibility(facts), rule_id)
    assert result.status == FIRED
    assert set(facts) <= set(result.facts)
    for key, value in facts.items():
        expected = tuple(value) if isinstance(value, list) else value
        assert result.facts[key] == expected


@pytest.mark.parametrize(("rule_id", "facts"), QUIET)
def test_rule_is_assessed_and_quiet_just_the_other_side(rule_id, facts):
    assert finding(evaluate_eligibility(facts), rule_id).status == NOT_FIRED


@pytest.mark.parametrize(("rule_id", "facts"), FIRING)
def test_a_fired_rule_sets_the_recommendation_by_its_severity(rule_id, facts):
    assessment = evaluate_eligibility({**CLEAN, **facts})
    fired = {f.rule_id: f.severity for f in assessment.fired}
    assert rule_id in fired
    worst = max(SEVERITY_RANK[s] for s in fired.values())
    expected = {2: NOT_ELIGIBLE, 1: REVIEW, 0: ELIGIBLE}[worst]
    assert assessment.recommendation == expected


@pytest.mark.parametrize(
    ("rule_id", "facts"),
    [
        ("psychosis.active", {"psychosis_active": True}),
        ("hypertension.uncontrolled", {"hypertension": True, "hypertension_controlled": False}),
        ("substance.severe", {"substance_use_disorder": "severe"}),
    ],
)
def test_the_three_mission_exclusions_make_a_client_not_eligible(rule_id, facts):
    assert RULESET.rule(rule_id).severity == EXCLUDE
    assessment = evaluate_eligibility({**CLEAN, **facts})
    assert assessment.recommendation == NOT_ELIGIBLE
    assert [f.rule_id for f in assessment.fired] == [rule_id]


def test_the_browser_scenario_bp_150_95_and_a_benzodiazepine_needs_review_with_sources():
    facts = {**CLEAN, "sbp": 150, "dbp": 95, "medication_classes": ["benzodiazepine"]}
    assessment = evaluate_eligibility(facts)
    assert assessment.recommendation == REVIEW
    assert {f.rule_id for f in assessment.fired} == {"bp.predose_elevated", "medication.benzodiazepine"}
    bp = finding(assessment, "bp.predose_elevated")
    assert [c.id for c in bp.citations] == ["spravato-label", "sanacora-2017"]
    assert bp.facts == {"sbp": 150, "dbp": 95}
    assert "140" in bp.condition


def test_a_caution_alone_leaves_the_client_eligible():
    assessment = evaluate_eligibility({**CLEAN, "medication_classes": ["opioid"], "age": 70})
    assert {f.rule_id for f in assessment.fired} == {"medication.opioid", "age.older_adult"}
    assert assessment.recommendation == ELIGIBLE


def test_an_exclusion_outweighs_reviews_and_unassessed_rules():
    facts = {"ketamine_allergy": True, "sbp": 150, "dbp": 95}
    assessment = evaluate_eligibility(facts)
    assert assessment.not_assessed
    assert assessment.recommendation == NOT_ELIGIBLE


# ---------------------------------------------------------------- not assessed


def test_no_facts_at_all_is_never_eligible_and_nothing_is_assessed():
    assessment = evaluate_eligibility({})
    assert assessment.recommendation == REVIEW
    assert {f.status for f in assessment.findings} == {NOT_ASSESSED}
    assert "sbp" in assessment.missing_facts
    assert "bmi" not in assessment.missing_facts  # derived: ask for weight and height instead
    assert {"weight_kg", "height_cm"} <= set(assessment.missing_facts)


def test_one_missing_reading_leaves_only_the_rules_it_decides_unassessed():
    assessment = evaluate_eligibility({"sbp": 150})
    # 150 systolic already decides "140/90 or higher"; "180/110 or higher" still needs the diastolic.
    assert finding(assessment, "bp.predose_elevated").status == FIRED
    severe = finding(assessment, "bp.severe")
    assert severe.status == NOT_ASSESSED
    assert severe.missing == ("dbp",)
    assert severe.facts == {"sbp": 150, "dbp": None}


def test_hypertension_without_the_control_answer_is_not_assessed():
    result = finding(evaluate_eligibility({"hypertension": True}), "hypertension.uncontrolled")
    assert result.status == NOT_ASSESSED
    assert result.missing == ("hypertension_controlled",)


def test_none_means_not_known():
    assert finding(evaluate_eligibility({"pregnant": None}), "pregnancy.pregnant").status == NOT_ASSESSED


BLOCKING_FACTS = sorted(
    {
        key
        for rule in RULESET.rules
        if rule.severity != "caution"
        for key in finding(evaluate_eligibility(CLEAN), rule.id).facts
        if key in CLEAN
    }
)


@pytest.mark.parametrize("key", BLOCKING_FACTS)
def test_dropping_any_fact_an_exclude_or_review_rule_needs_prevents_eligible(key):
    facts = {k: v for k, v in CLEAN.items() if k != key}
    assessment = evaluate_eligibility(facts)
    assert assessment.recommendation == REVIEW
    assert key in assessment.missing_facts


def test_dropping_a_fact_only_a_caution_rule_needs_keeps_eligible_but_reports_it():
    facts = {k: v for k, v in CLEAN.items() if k != "weight_kg"}
    assessment = evaluate_eligibility(facts)
    assert assessment.recommendation == ELIGIBLE
    assert finding(assessment, "weight.high_bmi").status == NOT_ASSESSED
    assert assessment.missing_facts == ("weight_kg",)


# ---------------------------------------------------------------- properties


def _value(spec):
    if spec.type == "bool":
        return st.booleans()
    if spec.type == "choice":
        return st.sampled_from(spec.choices)
    if spec.type == "list":
        return st.lists(st.sampled_from(spec.choices), unique=True)
    if spec.integer:
        return st.integers(int(spec.minimum), int(spec.maximum))
    return st.floats(spec.minimum, spec.maximum, allow_nan=False)


INPUT_SPECS = [spec for spec in CATALOGUE.facts.values() if not spec.derived]


# Random facts alone are almost never eligible; a clean intake with a few answers changed or removed
# often is, which is where "eligible" has to hold up.
_changes = st.lists(
    st.sampled_from(INPUT_SPECS).flatmap(lambda spec: st.tuples(st.just(spec.key), st.none() | _value(spec))),
    max_size=4,
)


@st.composite
def near_clean_facts(draw):
    facts = dict(CLEAN)
    for key, value in draw(_changes):
        if value is None:
            facts.pop(key, None)
        else:
            facts[key] = value
    return facts


any_facts = st.fixed_dictionaries({}, optional={spec.key: _value(spec) for spec in INPUT_SPECS})
fact_sets = st.one_of(any_facts, near_clean_facts())


@settings(deadline=None)  # logic, not speed: a loaded CI machine must not fail these
@given(fact_sets)
def test_any_valid_fact_set_gives_a_complete_result_that_round_trips(facts):
    assessment = evaluate_eligibility(facts)
    assert assessment.recommendation in RECOMMENDATIONS
    assert [f.rule_id for f in assessment.findings] == [rule.id for rule in RULESET.rules]
    assert {f.status for f in assessment.findings} <= set(STATUSES)
    assert EligibilityAssessment.from_dict(assessment.to_dict()) == assessment


@settings(deadline=None)
@given(fact_sets, st.sampled_from(FIRING))
def test_adding_facts_that_fire_a_rule_never_ranks_better_than_its_severity(facts, case):
    rule_id, firing = case
    severity = RULESET.rule(rule_id).severity
    assessment = evaluate_eligibility({**facts, **firing})
    assert finding(assessment, rule_id).fired
    if severity == EXCLUDE:
        assert assessment.recommendation == NOT_ELIGIBLE
    elif severity == REVIEW:
        assert assessment.recommendation != ELIGIBLE


@settings(deadline=None)
@given(fact_sets, st.sampled_from([r for r in RULESET.rules if r.severity != "caution"]))
def test_removing_every_fact_an_exclude_or_review_rule_reads_never_gives_eligible(facts, rule):
    needed = set(finding(evaluate_eligibility({}), rule.id).facts)
    assessment = evaluate_eligibility({k: v for k, v in facts.items() if k not in needed})
    assert finding(assessment, rule.id).status == NOT_ASSESSED
    assert assessment.recommendation != ELIGIBLE


one_answer_each = st.fixed_dictionaries({spec.key: _value(spec) for spec in INPUT_SPECS})


@settings(deadline=None)
@example(facts=CLEAN, answers={**CLEAN, "hypertension_controlled": False})
@given(facts=near_clean_facts(), answers=one_answer_each)
def test_an_eligible_result_holds_whatever_the_missing_answers_turn_out_to_be(facts, answers):
    if evaluate_eligibility(facts).recommendation != ELIGIBLE:
        return  # the claim is about eligible results only
    for key, answer in answers.items():
        if key not in facts:
            assert evaluate_eligibility({**facts, key: answer}).recommendation == ELIGIBLE, key
