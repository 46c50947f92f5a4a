"""The eligibility engine's data: rule set validation, practice overrides, fact checking, evidence,
and storing an assessment so it can be shown and reproduced later."""

import copy
import json
import tomllib
from decimal import Decimal

import pytest

from kapstone.clinical.eligibility import (
    DEFAULT_RULESET_ID,
    NOT_ELIGIBLE,
    REVIEW,
    EligibilityAssessment,
    EligibilityDataError,
    bundled_ruleset,
    bundled_ruleset_versions,
    evaluate_eligibility,
    load_evidence,
    load_fact_catalogue,
    load_ruleset,
)
from kapstone.clinical.eligibility._files import data_file

DEFAULT = load_ruleset()
EVIDENCE = load_evidence()
CATALOGUE = load_fact_catalogue()


def default_data():
    """The bundled rule set as parsed TOML, to break in tests."""
    return tomllib.loads(data_file("eligibility", f"ruleset-{DEFAULT.version}.toml").read_text("utf-8"))


def minimal(**rule):
    base = {
        "id": "test.rule",
        "title": "A test rule",
        "severity": "review",
        "explanation": "Explains.",
        "citations": ["spravato-label"],
        "when": {"fact": "sbp", "op": ">=", "value": 140},
    }
    base.update(rule)
    return {"ruleset": {"id": "test", "version": "1"}, "rule": [base]}


def practice(*overrides, rules=(), sources=()):
    return {
        "ruleset": {"id": "riverside", "version": "2026.1-r1", "extends": f"{DEFAULT_RULESET_ID}@2026.1"},
        "override": list(overrides),
        "rule": list(rules),
        "source": list(sources),
    }


# ---------------------------------------------------------------- the bundled files


def test_the_bundled_default_loads_with_its_version():
    assert "2026.1" in bundled_ruleset_versions()
    assert DEFAULT.id == DEFAULT_RULESET_ID
    assert DEFAULT.version == bundled_ruleset_versions()[-1]
    assert bundled_ruleset("2026.1").digest == DEFAULT.digest
    assert load_ruleset("kapstone-default@2026.1") is bundled_ruleset("2026.1")
    assert len(DEFAULT.digest) == 64


def test_every_reference_source_tag_has_an_evidence_entry():
    tags = {source.tag for source in EVIDENCE if source.tag}
    assert {f"S{n}" for n in range(1, 43)} <= tags


def test_the_studies_behind_kap_named_in_the_issue_are_in_the_library():
    for source_id in (
        "zorumski-2016",
        "duman-2016",
        "ly-2018",
        "scheidegger-2012",
        "wilkinson-2018",
        "mcintyre-2021",
    ):
        assert source_id in EVIDENCE


def test_rules_citing_lists_the_rules_behind_a_source():
    citing = {rule.id for rule in DEFAULT.rules_citing("veraart-2021")}
    assert {"medication.benzodiazepine", "medication.lamotrigine", "medication.antipsychotic"} <= citing
    assert "age.under_18" not in citing


def test_unconfirmed_rules_say_what_is_unconfirmed():
    unconfirmed = {rule.id: rule.note for rule in DEFAULT.rules if rule.unconfirmed}
    assert {"bp.severe", "substance.severe", "medication.naltrexone", "weight.high_bmi"} <= set(unconfirmed)
    assert all(note for note in unconfirmed.values())


INTAKE_FACTS = (
    "hypertension",
    "hypertension_controlled",
    "sbp",
    "dbp",
    "hr",
    "cardiac_disease",
    "arrhythmia",
    "aneurysmal_vascular_disease",
    "arteriovenous_malformation",
    "intracerebral_haemorrhage_history",
    "stroke_or_tia_history",
    "raised_intracranial_pressure",
    "raised_intraocular_pressure",
    "seizure_disorder",
    "seizure_recent",
    "respiratory_disease_severe",
    "liver_disease",
    "bladder_disease",
    "thyroid_disease",
    "hyperthyroidism_uncontrolled",
    "pregnant",
    "breastfeeding",
    "ketamine_allergy",
    "psychosis_active",
    "psychotic_disorder_history",
    "psychosis_family_history",
    "mania_current",
    "mania_history",
    "dissociative_disorder",
    "cssrs_risk",
    "personality_disorder_severe",
    "substance_use_disorder",
    "medication_classes",
    "weight_kg",
    "height_cm",
    "age",
    "audit_total",
    "dast10_total",
    "mdq_positive",
    "pqb_distress",
    "pqb_total",
    "phq9_total",
    "pcl5_total",
    "gad7_total",
)


def test_the_catalogue_covers_the_intake_of_issue_4():
    assert set(INTAKE_FACTS) <= set(CATALOGUE.facts)
    classes = set(CATALOGUE["medication_classes"].choices)
    assert {"benzodiazepine", "sedative_hypnotic", "opioid", "stimulant", "maoi", "lamotrigine"} <= classes
    assert {"naltrexone", "antipsychotic", "cyp3a4_inducer", "cyp3a4_inhibitor", "cyp2b6_inducer"} <= classes
    assert CATALOGUE["cssrs_risk"].choices == ("none", "low", "moderate", "high")
    for spec in CATALOGUE.facts.values():
        assert spec.question and spec.label and spec.answered_by in ("client", "clinician")


# ---------------------------------------------------------------- checking the facts


@pytest.mark.parametrize(
    ("facts", "message"),
    [
        ({"sbpp": 140}, "unknown fact 'sbpp' (did you mean 'sbp'?)"),
        ({"sbp": "140"}, "fact 'sbp' must be a number"),
        ({"sbp": True}, "fact 'sbp' must be a number"),
        ({"sbp": 400}, "fact 'sbp' = 400 is outside the plausible range 50-300 mmHg"),
        ({"sbp": float("nan")}, "fact 'sbp' must be a finite number"),
        ({"audit_total": 7.5}, "fact 'audit_total' must be a whole number"),
        ({"pregnant": "no"}, "fact 'pregnant' must be true or false"),
        ({"pregnant": 0}, "fact 'pregnant' must be true or false"),
        ({"cssrs_risk": "severe"}, "fact 'cssrs_risk' must be one of none, low, moderate, high"),
        ({"medication_classes": "benzodiazepine"}, "fact 'medication_classes' must be a list"),
        ({"medication_classes": ["benzo"]}, "fact 'medication_classes': 'benzo' not among"),
        ({"bmi": 41}, "fact 'bmi' is derived from weight_kg, height_cm"),
    ],
)
def test_bad_facts_are_refused_naming_the_fact(facts, message):
    with pytest.raises(
        ValueError, match="^" + message.replace("(", r"\(").replace(")", r"\)").replace("?", r"\?")
    ):
        evaluate_eligibility(facts)


def test_facts_are_stored_in_one_canonical_form():
    assessment = evaluate_eligibility(
        {
            "sbp": 140.0,
            "weight_kg": Decimal("70.5"),
            "medication_classes": {"opioid", "benzodiazepine"},
            "age": None,
        }
    )
    assert dict(assessment.facts) == {
        "weight_kg": 70.5,
        "sbp": 140,
        "medication_classes": ("benzodiazepine", "opioid"),
    }
    assert type(assessment.facts["sbp"]) is int


# ---------------------------------------------------------------- rule set validation


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            minimal(when={"fact": "spb", "op": ">=", "value": 1}),
            "rule 'test.rule': when: fact 'spb' is not in",
        ),
        (
            minimal(citations=["nobody-2030"]),
            "rule 'test.rule': cites 'nobody-2030', not in the evidence library",
        ),
        (minimal(citations=[]), "rule 'test.rule': cites no evidence"),
        (minimal(citations=[], unconfirmed=True), "rule 'test.rule': an unconfirmed rule needs a note"),
        (minimal(severity="block"), "rule 'test.rule': severity 'block' is not one of"),
        (minimal(severty="review"), "rule #1: unknown key 'severty'"),
        (minimal(id="Bad Id"), "rule id 'Bad Id' must look like"),
        (
            minimal(when={"fact": "sbp", "op": "=>", "value": 1}),
            "operator '=>' does not apply to number fact 'sbp'",
        ),
        (minimal(when={"fact": "sbp", "op": ">=", "value": "140"}), "value for 'sbp' must be a number"),
        (minimal(when={"fact": "sbp", "op": ">=", "value": 1400}), "1400 is outside the fact's range"),
        (
            minimal(when={"fact": "pregnant", "op": "==", "value": 1}),
            "value for 'pregnant' must be true or false",
        ),
        (minimal(when={"fact": "cssrs_risk", "op": "==", "value": "severe"}), "'severe' not among none, low"),
        (
            minimal(when={"fact": "medication_classes", "op": "==", "value": "x"}),
            "operator '==' does not apply",
        ),
        (minimal(when={"all": []}), "'all' needs a non-empty list of conditions"),
        (minimal(when={"any": [{"fact": "sbp", "op": ">", "value": 1}], "not": {}}), "exactly one of"),
        (
            minimal(when={"fact": "sbp", "op": ">", "value": 1, "unit": "mmHg"}),
            "exactly 'fact', 'op' and 'value'",
        ),
        (minimal(when="sbp >= 140"), "a condition must be a table"),
        ({"ruleset": {"id": "t"}, "rule": []}, r"\[ruleset\]: missing 'version'"),
    ],
)
def test_an_invalid_rule_set_is_refused_with_a_clear_message(data, message):
    with pytest.raises(EligibilityDataError, match=message):
        load_ruleset(data)


def test_deep_nesting_is_refused():
    condition = {"fact": "sbp", "op": ">", "value": 100}
    for _ in range(20):
        condition = {"not": condition}
    with pytest.raises(EligibilityDataError, match="nested more than"):
        load_ruleset(minimal(when=condition))


def test_a_rule_defined_twice_is_refused():
    data = minimal()
    data["rule"].append(copy.deepcopy(data["rule"][0]))
    with pytest.raises(EligibilityDataError, match=r"rule 'test\.rule' is defined twice"):
        load_ruleset(data)


def test_a_broken_default_names_the_rule():
    data = default_data()
    data["rule"][5]["citations"] = ["missing-source"]
    with pytest.raises(EligibilityDataError, match=f"rule '{data['rule'][5]['id']}': cites 'missing-source'"):
        load_ruleset(data)


def test_file_errors_name_the_file(tmp_path):
    broken = tmp_path / "ours.toml"
    broken.write_text("[ruleset\nid = 1", encoding="utf-8")
    with pytest.raises(EligibilityDataError, match=r"ours\.toml: not valid TOML"):
        load_ruleset(broken)
    with pytest.raises(EligibilityDataError, match=r"absent\.toml: cannot read the file"):
        load_ruleset(tmp_path / "absent.toml")
    with pytest.raises(EligibilityDataError, match=r"no bundled rule set version '1999\.1'"):
        bundled_ruleset("1999.1")


def test_a_bad_evidence_file_names_the_entry(tmp_path):
    path = tmp_path / "evidence.toml"
    path.write_text(
        '[library]\nversion = "1"\n[[source]]\nid = "x-2020"\nshort = "X"\ncitation = "X."\n'
        'kind = "blog"\naccess = "primary"\n',
        encoding="utf-8",
    )
    with pytest.raises(
        EligibilityDataError, match=r"evidence\.toml: source #1 'x-2020': kind 'blog' is not one of"
    ):
        load_evidence(path)


def test_a_bad_fact_catalogue_names_the_fact(tmp_path):
    path = tmp_path / "facts.toml"
    path.write_text(
        '[catalogue]\nversion = "1"\n[[fact]]\nkey = "odd"\ntype = "choice"\nlabel = "Odd"\n'
        'question = "?"\nanswered_by = "client"\ngroup = "g"\n',
        encoding="utf-8",
    )
    with pytest.raises(
        EligibilityDataError, match=r"facts\.toml: fact #1 'odd': choice facts need a non-empty list"
    ):
        load_fact_catalogue(path)


# ---------------------------------------------------------------- practice rule sets


def test_a_practice_can_tighten_disable_and_add_rules_and_the_assessment_records_its_version(tmp_path):
    ours = practice(
        {"rule": "pregnancy.pregnant", "severity": "exclude", "reason": "We never treat in pregnancy."},
        {"rule": "substance.recreational_use", "disabled": True, "reason": "Covered by our own rule below."},
        rules=[
            {
                "id": "riverside.cannabis_on_dosing_day",
                "title": "Recreational drugs",
                "severity": "review",
                "explanation": "Our policy: discuss any recreational drug use before the first dose.",
                "citations": ["riverside-policy-2026", "oxford-ketamine-service"],
                "when": {"fact": "recreational_drug_use", "op": "==", "value": True},
            }
        ],
        sources=[
            {
                "id": "riverside-policy-2026",
                "short": "Riverside KAP policy",
                "citation": "Riverside Clinic. KAP admission policy, 2026.",
                "kind": "service",
                "access": "primary",
            }
        ],
    )
    ruleset = load_ruleset(ours)
    assert ruleset.digest != DEFAULT.digest
    assert "substance.recreational_use" not in {rule.id for rule in ruleset.rules}

    assessment = evaluate_eligibility({"pregnant": True, "recreational_drug_use": True}, ruleset=ours)
    assert assessment.recommendation == NOT_ELIGIBLE
    assert (assessment.ruleset_id, assessment.ruleset_version) == ("riverside", "2026.1-r1")
    pregnant = next(f for f in assessment.findings if f.rule_id == "pregnancy.pregnant")
    assert (pregnant.severity, pregnant.practice_reason) == ("exclude", "We never treat in pregnancy.")
    added = next(f for f in assessment.findings if f.rule_id == "riverside.cannabis_on_dosing_day")
    assert added.fired
    assert added.citations[0].citation == "Riverside Clinic. KAP admission policy, 2026."

    # The default is untouched: the same facts still only need review there.
    assert evaluate_eligibility({"pregnant": True}).recommendation == REVIEW

    path = tmp_path / "riverside.toml"
    path.write_text(
        '[ruleset]\nid = "riverside"\nversion = "2026.1-r1"\nextends = "kapstone-default@2026.1"\n'
        '[[override]]\nrule = "pregnancy.pregnant"\nseverity = "exclude"\n'
        'reason = "We never treat in pregnancy."\n',
        encoding="utf-8",
    )
    assert evaluate_eligibility({"pregnant": True}, ruleset=path).recommendation == NOT_ELIGIBLE


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (practice({"rule": "no.such_rule", "severity": "review", "reason": "x"}), "no rule 'no.such_rule'"),
        (practice({"rule": "pregnancy.pregnant", "severity": "exclude"}), "override #1: missing 'reason'"),
        (practice({"rule": "pregnancy.pregnant", "reason": "x"}), "changes nothing"),
        (practice({"rule": "pregnancy.pregnant", "reason": "x", "severity": "stop"}), "severity 'stop'"),
        (
            practice({"rule": "pregnancy.pregnant", "reason": "x", "disabled": True, "severity": "exclude"}),
            "a disabled rule cannot also be changed",
        ),
        (
            practice(rules=[minimal(id="pregnancy.pregnant")["rule"][0]]),
            r"rule 'pregnancy.pregnant' is defined twice \(change a default rule with \[\[override\]\]\)",
        ),
        (
            practice(
                sources=[
                    {
                        "id": "spravato-label",
                        "short": "s",
                        "citation": "c",
                        "kind": "label",
                        "access": "primary",
                    }
                ]
            ),
            "source 'spravato-label' already exists",
        ),
        (
            {"ruleset": {"id": "x", "version": "1", "extends": "kapstone-default@1999.1"}},
            "no bundled rule set version '1999.1'",
        ),
        (
            {"ruleset": {"id": "x", "version": "1", "extends": "someone-else@1"}},
            "only 'kapstone-default@<version>'",
        ),
        (
            {"ruleset": {"id": "x", "version": "1"}, "override": [{"rule": "a", "reason": "b"}]},
            "needs 'extends'",
        ),
    ],
)
def test_an_invalid_practice_rule_set_is_refused(data, message):
    with pytest.raises(EligibilityDataError, match=message):
        load_ruleset(data)


# ---------------------------------------------------------------- storing and reproducing


FACTS = {
    "age": 34,
    "sbp": 150,
    "dbp": 95,
    "medication_classes": ["benzodiazepine"],
    "weight_kg": 82.5,
    "height_cm": 180,
}


def test_a_stored_assessment_round_trips_through_json_and_reproduces():
    assessment = evaluate_eligibility(FACTS)
    stored = json.loads(json.dumps(assessment.to_dict()))
    restored = EligibilityAssessment.from_dict(stored)
    assert restored == assessment
    assert restored.reproduce() == assessment
    assert stored["ruleset"] == {"id": DEFAULT.id, "version": DEFAULT.version, "digest": DEFAULT.digest}
    assert stored["facts"]["medication_classes"] == ["benzodiazepine"]
    fired = next(f for f in stored["findings"] if f["rule_id"] == "bp.predose_elevated")
    assert fired["citations"][0]["citation"].startswith("Janssen")


def test_a_stored_assessment_keeps_its_findings_when_the_rules_change_later():
    practice_rules = practice({"rule": "bp.predose_elevated", "severity": "exclude", "reason": "Stricter."})
    stored = evaluate_eligibility(FACTS).to_dict()
    later = evaluate_eligibility(FACTS, ruleset=practice_rules)
    assert later.recommendation == NOT_ELIGIBLE
    assert EligibilityAssessment.from_dict(stored).recommendation == REVIEW
    with pytest.raises(ValueError, match="not the one that produced this assessment"):
        EligibilityAssessment.from_dict(stored).reproduce(practice_rules)
    with pytest.raises(ValueError, match="is a practice's own"):
        later.reproduce()
    assert later.reproduce(practice_rules) == later


def test_a_tampered_or_foreign_record_is_refused():
    stored = evaluate_eligibility(FACTS).to_dict()
    tampered = {**stored, "recommendation": "eligible"}
    with pytest.raises(ValueError, match="does not follow from its findings"):
        EligibilityAssessment.from_dict(tampered)
    with pytest.raises(ValueError, match="schema"):
        EligibilityAssessment.from_dict({**stored, "schema": 99})
    broken = copy.deepcopy(stored)
    broken["findings"][0]["status"] = "maybe"
    with pytest.raises(ValueError, match="status 'maybe'"):
        EligibilityAssessment.from_dict(broken)
    del broken["findings"][0]["facts"]
    broken["findings"][0]["status"] = "fired"
    with pytest.raises(ValueError, match="malformed stored finding"):
        EligibilityAssessment.from_dict(broken)


def test_an_assessment_cannot_be_changed_after_the_fact():
    assessment = evaluate_eligibility(FACTS)
    with pytest.raises(AttributeError):
        assessment.recommendation = "eligible"
    with pytest.raises(TypeError):
        assessment.facts["sbp"] = 120
    with pytest.raises(TypeError):
        assessment.findings[0].facts["age"] = 10
