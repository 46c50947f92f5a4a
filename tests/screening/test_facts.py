"""From intake and screeners to the engine's facts: the documented mapping, rule by rule."""

from datetime import date, timedelta

import time_machine
from django.utils import timezone

from kapstone.clinical.eligibility import evaluate_eligibility, load_fact_catalogue
from kapstone.screening.intake_facts import build_facts, intake_specs, screener_specs

from .builders import CLEAN_ANSWERS, complete_intake, lowest_answers, submit_clean_screeners, submit_screener


def test_every_catalogue_fact_has_a_source_in_screening():
    catalogue = load_fact_catalogue()
    asked = {spec.key for spec in intake_specs()}
    from_screeners = {spec.key for spec in screener_specs()}
    other = {"age", "bmi"}  # the client record; derived by the engine
    assert asked | from_screeners | other == set(catalogue.facts)
    assert not asked & from_screeners


def test_a_clean_intake_with_clean_screeners_is_eligible(world, scoped):
    intake = complete_intake(world.client)
    submit_clean_screeners(world.client)
    built = build_facts(intake)
    result = evaluate_eligibility(built.facts)
    assert result.recommendation == "eligible", [f.rule_id for f in result.not_assessed]
    assert built.facts["seizure_recent"] is False and built.facts["hyperthyroidism_uncontrolled"] is False
    assert "implied by" in built.sources["seizure_recent"]
    assert "hypertension_controlled" not in built.facts


def test_age_comes_from_the_date_of_birth_on_the_practice_calendar(world, scoped):
    world.client.date_of_birth = date(2008, 3, 10)
    world.client.save()
    intake = complete_intake(world.client)
    with time_machine.travel(date(2026, 3, 9)):
        assert build_facts(intake).facts["age"] == 17
    with time_machine.travel(date(2026, 3, 11)):
        assert build_facts(intake).facts["age"] == 18
    assert build_facts(intake).sources["age"] == "date of birth on the client record"


def test_screener_results_map_onto_their_facts(world, scoped):
    intake = complete_intake(world.client)
    submit_screener(world.client, "phq9", lowest_answers("phq9", item_1=3, item_9=2))
    submit_screener(
        world.client, "cssrs_screener", lowest_answers("cssrs_screener", item_1=1, item_2=1, item_3=1)
    )
    submit_screener(world.client, "pqb", lowest_answers("pqb", item_1=2, item_2=3))
    submit_screener(
        world.client,
        "mdq",
        lowest_answers("mdq", **{f"item_{n}": 1 for n in range(1, 9)}, item_14=1, item_15=2),
    )
    submit_screener(world.client, "audit", lowest_answers("audit", item_1=4, item_2=4, item_3=4))
    facts = build_facts(intake).facts
    assert (facts["phq9_total"], facts["phq9_item9"]) == (5, 2)
    assert facts["cssrs_risk"] == "moderate"
    assert (facts["pqb_total"], facts["pqb_distress"]) == (2, 5)
    assert facts["mdq_positive"] is True
    assert facts["audit_total"] == 12
    assert "gad7_total" not in facts  # not submitted: absent, so its rules are not assessed


def test_the_newest_screener_up_to_the_assessment_time_is_used(world, scoped):
    intake = complete_intake(world.client)
    first = submit_screener(world.client, "dast10", lowest_answers("dast10", item_1=1, item_2=1, item_4=1))
    later = timezone.now() + timedelta(days=2)
    with time_machine.travel(later):
        submit_screener(world.client, "dast10")
    assert build_facts(intake, as_of=first.submitted_at + timedelta(hours=1)).facts["dast10_total"] == 4
    assert build_facts(intake, as_of=later + timedelta(hours=1)).facts["dast10_total"] == 1


def test_a_screener_of_another_episode_is_not_used(world, scoped):
    from kapstone.pathway.services import open_episode

    submit_screener(world.client, "gad7", lowest_answers("gad7", item_1=3))
    open_episode(None, world.client, state="screening")  # a new course of care
    intake = complete_intake(world.client)
    assert "gad7_total" not in build_facts(intake).facts


def test_clean_answers_cover_every_question():
    assert {spec.key for spec in intake_specs()} - set(CLEAN_ANSWERS) == {
        "hypertension_controlled",
        "seizure_recent",
        "hyperthyroidism_uncontrolled",
    }
