"""Eligibility assessments (stored exactly, never changed), the prescriber's decision, and the gate."""

import re

import pytest
from django.urls import reverse

from kapstone.audit.models import AuditEvent
from kapstone.clinical.eligibility import bundled_ruleset
from kapstone.pathway.models import Episode
from kapstone.pathway.readiness import READY_FOR_DOSING, readiness_gaps
from kapstone.pathway.services import TransitionError, transition
from kapstone.screening import services
from kapstone.screening.assessment import decide, run_assessment
from kapstone.screening.models import EligibilityAssessment, EligibilityDecision, ImmutableError

from .builders import assessed, complete_intake, submit_clean_screeners

STRICTER = {
    "ruleset": {"id": "riverbend", "version": "2026.1-rb.1", "extends": "kapstone-default@2026.1"},
    "override": [
        {"rule": "medication.opioid", "severity": "review", "reason": "We review every opioid."},
    ],
}


def episode_of(client):
    return Episode.objects.get(client=client)


def test_an_assessment_needs_a_completed_intake(world, scoped):
    intake = services.start_intake(None, world.client, episode_of(world.client))
    with pytest.raises(services.ScreeningError, match="Complete the intake"):
        run_assessment(None, intake)


def test_an_assessment_stores_the_rule_set_and_the_exact_facts_and_reproduces(world, scoped):
    assessment = assessed(world.client, sbp=150, dbp=95, medication_classes=["benzodiazepine"])
    ruleset = bundled_ruleset()
    assert (assessment.ruleset_id, assessment.ruleset_version) == (ruleset.id, ruleset.version)
    assert assessment.ruleset_digest == ruleset.digest
    assert assessment.recommendation == "review"
    assert assessment.facts["sbp"] == 150 and assessment.facts["medication_classes"] == ["benzodiazepine"]
    assert assessment.result["facts"] == assessment.facts
    fired = {f["rule_id"] for f in assessment.result["findings"] if f["status"] == "fired"}
    assert fired == {"bp.predose_elevated", "medication.benzodiazepine"}
    stored = EligibilityAssessment.objects.get(pk=assessment.pk).engine_result()
    assert stored.reproduce() == stored
    assert set(AuditEvent.objects.get(action="screening.assessment.created").data["fired"]) == fired


def test_a_stored_assessment_is_never_changed_or_deleted(world, scoped):
    assessment = assessed(world.client)
    assessment.recommendation = "eligible"
    with pytest.raises(ImmutableError):
        assessment.save()
    with pytest.raises(ImmutableError):
        assessment.delete()
    with pytest.raises(ImmutableError):
        EligibilityAssessment.objects.filter(pk=assessment.pk).update(recommendation="not_eligible")
    with pytest.raises(ImmutableError):
        EligibilityAssessment.objects.all().delete()


def test_running_again_without_changes_keeps_the_assessment(world, scoped):
    first = assessed(world.client)
    again, created = run_assessment(None, first.intake)
    assert (again, created) == (first, False)


def test_an_intake_change_makes_a_new_assessment_and_leaves_the_old_one(world, scoped):
    first = assessed(world.client)
    assert first.recommendation == "eligible"
    intake = complete_intake(world.client, sbp=185)
    second, created = run_assessment(None, intake)
    assert created and second.recommendation == "not_eligible"
    first.refresh_from_db()
    assert first.recommendation == "eligible" and first.facts["sbp"] == 122


def test_a_rule_set_change_makes_a_new_assessment_and_never_changes_old_ones(world, scoped):
    first = assessed(world.client, medication_classes=["opioid"])
    assert first.recommendation == "eligible"  # an opioid is a caution under the default rules
    second, created = run_assessment(None, first.intake, ruleset=STRICTER)
    assert created and second.recommendation == "review"
    assert (second.ruleset_id, second.ruleset_version) == ("riverbend", "2026.1-rb.1")
    assert second.ruleset_digest != first.ruleset_digest and second.facts == first.facts
    opioid = next(f for f in second.result["findings"] if f["rule_id"] == "medication.opioid")
    assert opioid["practice_reason"] == "We review every opioid."
    first.refresh_from_db()
    assert (
        first.recommendation == "eligible" and first.engine_result().reproduce().recommendation == "eligible"
    )


def test_missing_screeners_are_not_assessed_never_passed(world, scoped):
    assessment = assessed(world.client, screeners=False)
    assert assessment.recommendation == "review"
    not_assessed = {f["rule_id"] for f in assessment.result["findings"] if f["status"] == "not_assessed"}
    assert {"suicide.cssrs_high", "substance.severe", "psychosis.pqb_positive"} <= not_assessed


# ---------------------------------------------------------------- the decision


def decide_url(client_obj, assessment):
    return reverse("screening:decide", args=[client_obj.pk, assessment.pk])


def test_a_prescriber_approves_a_clean_assessment_and_the_episode_becomes_eligible(client, world, scoped):
    assessment = assessed(world.client)
    client.force_login(world.members["prescriber"].user)
    response = client.post(decide_url(world.client, assessment), {"outcome": "approve"})
    assert response.status_code == 302
    decision = EligibilityDecision.objects.get()
    assert (decision.outcome, decision.against_recommendation, decision.overridden_rules) == (
        "approve",
        False,
        [],
    )
    assert episode_of(world.client).state == "eligible"
    event = AuditEvent.objects.get(action="screening.decision.recorded")
    assert event.actor == world.members["prescriber"].user and event.client_id == world.client.pk
    assert event.data["outcome"] == "approve" and event.data["against_recommendation"] is False
    page = client.get(reverse("screening:assessment", args=[world.client.pk, assessment.pk])).content.decode()
    assert "Approve</strong> by A prescriber" in page and "Record the decision" not in page


def test_approving_over_review_findings_needs_a_reason_and_lists_them(client, world, scoped):
    assessment = assessed(world.client, sbp=150, dbp=95, medication_classes=["benzodiazepine"])
    client.force_login(world.members["prescriber"].user)
    url = decide_url(world.client, assessment)
    page = client.post(url, {"outcome": "approve_with_conditions", "conditions": ""}).content.decode()
    assert "Write the conditions of this approval." in page and "Write the reason for this decision." in page
    assert episode_of(world.client).state == "screening" and not EligibilityDecision.objects.exists()
    short = client.post(url, {"outcome": "approve", "reason": "ok"}).content.decode()
    assert "at least 10 characters" in short
    client.post(
        url,
        {
            "outcome": "approve_with_conditions",
            "conditions": "BP under 140/90 before each dose; no benzodiazepine within 24 h of dosing.",
            "reason": "White-coat BP; home readings 128/82. Benzodiazepine can be held on dosing days.",
        },
    )
    decision = EligibilityDecision.objects.get()
    assert decision.outcome == "approve_with_conditions" and not decision.against_recommendation
    assert decision.overridden_rules == ["bp.predose_elevated", "medication.benzodiazepine"]
    assert episode_of(world.client).state == "eligible"


def test_approving_over_an_exclusion_is_flagged_as_against_the_recommendation(world, scoped, rf):
    assessment = assessed(world.client, ketamine_allergy=True)
    assert assessment.recommendation == "not_eligible"
    request = rf.post("/")
    request.user, request.membership = world.members["prescriber"].user, world.members["prescriber"]
    with pytest.raises(services.ScreeningError, match="reason"):
        decide(request, assessment, outcome="approve")
    decision = decide(
        request,
        assessment,
        outcome="approve",
        reason="Allergy was to an excipient now avoided; allergist cleared.",
    )
    assert decision.against_recommendation and "allergy.ketamine" in decision.overridden_rules
    assert AuditEvent.objects.get(action="screening.decision.recorded").data["against_recommendation"] is True


def test_declining_moves_the_episode_to_declined_and_declining_an_eligible_one_is_flagged(
    client, world, scoped
):
    assessment = assessed(world.client)
    client.force_login(world.members["prescriber"].user)
    url = decide_url(world.client, assessment)
    assert "Write the reason for this decision." in client.post(url, {"outcome": "decline"}).content.decode()
    client.post(url, {"outcome": "decline", "reason": "Wants to try TMS first; revisit in three months."})
    decision = EligibilityDecision.objects.get()
    assert decision.outcome == "decline" and decision.against_recommendation
    episode = episode_of(world.client)
    assert episode.state == "declined"
    assert episode.transitions.last().reason.startswith("Eligibility decision: Decline. Wants to try TMS")


@pytest.mark.parametrize("role", ["therapist", "monitor", "admin", "front_desk"])
def test_only_a_prescriber_decides(client, world, scoped, role):
    assessment = assessed(world.client)
    client.force_login(world.members[role].user)
    response = client.post(decide_url(world.client, assessment), {"outcome": "approve"})
    assert response.status_code == 403 and not EligibilityDecision.objects.exists()
    if role in ("therapist", "monitor", "admin"):
        page = client.get(
            reverse("screening:assessment", args=[world.client.pk, assessment.pk])
        ).content.decode()
        assert "Record the decision" not in page and "Waiting for a prescriber" in page


def test_a_decision_needs_the_newest_assessment_of_unchanged_facts(client, world, scoped):
    first = assessed(world.client)
    client.force_login(world.members["prescriber"].user)
    complete_intake(world.client, sbp=150)
    page = client.post(decide_url(world.client, first), {"outcome": "approve"}).content.decode()
    assert "changed after this assessment" in page
    second, _ = run_assessment(None, first.intake)
    stale = client.get(reverse("screening:assessment", args=[world.client.pk, first.pk])).content.decode()
    assert "A newer assessment exists" in stale and "Record the decision" not in stale
    client.post(decide_url(world.client, second), {"outcome": "approve", "reason": "BP rechecked at 128/80."})
    assert EligibilityDecision.objects.get().assessment == second


def test_no_decision_outside_screening(world, scoped, rf):
    assessment = assessed(world.client)
    Episode.objects.filter(pk=assessment.episode_id).update(state="paused")
    request = rf.post("/")
    request.user, request.membership = world.members["prescriber"].user, world.members["prescriber"]
    with pytest.raises(services.ScreeningError, match="not screening"):
        decide(request, EligibilityAssessment.objects.get(pk=assessment.pk), outcome="approve")


def test_a_decision_is_never_changed(world, scoped, rf):
    assessment = assessed(world.client)
    request = rf.post("/")
    request.user, request.membership = world.members["prescriber"].user, world.members["prescriber"]
    decision = decide(request, assessment, outcome="approve")
    decision.outcome = "decline"
    with pytest.raises(ImmutableError):
        decision.save()
    with pytest.raises(ImmutableError):
        EligibilityDecision.objects.filter(pk=decision.pk).update(outcome="decline")


# ---------------------------------------------------------------- the gate


def test_no_move_to_eligible_and_no_dosing_without_an_approval(world, scoped, rf):
    episode = episode_of(world.client)
    with pytest.raises(TransitionError) as refused:
        transition(None, episode, "eligible")
    assert [gap.code for gap in refused.value.gaps] == ["screening.eligibility"]
    assert refused.value.gaps[0].label == "Eligibility approved by a prescriber"
    assert "screening.eligibility" in [gap.code for gap in readiness_gaps(episode)]
    assessment = assessed(world.client)
    request = rf.post("/")
    request.user, request.membership = world.members["prescriber"].user, world.members["prescriber"]
    decide(request, assessment, outcome="approve_with_conditions", conditions="Recheck BP each dose.")
    assert "screening.eligibility" not in [gap.code for gap in readiness_gaps(episode_of(world.client))]


def test_a_decline_keeps_the_gate_closed(world, scoped, rf):
    assessment = assessed(world.client)
    request = rf.post("/")
    request.user, request.membership = world.members["prescriber"].user, world.members["prescriber"]
    decide(request, assessment, outcome="decline", reason="Client chose another treatment.")
    gaps = readiness_gaps(episode_of(world.client))
    assert "screening.eligibility" in [gap.code for gap in gaps]
    assert READY_FOR_DOSING == "ready_for_dosing"


# ---------------------------------------------------------------- pages


def test_the_assessment_page_shows_every_finding_with_its_facts_and_sources(client, world, scoped):
    assessment = assessed(world.client, sbp=150, dbp=95, medication_classes=["benzodiazepine"])
    client.force_login(world.members["therapist"].user)
    page = client.get(reverse("screening:assessment", args=[world.client.pk, assessment.pk])).content.decode()
    assert "Recommendation: Needs a prescriber&#x27;s review" in page
    assert "Rules that fired (2)" in page and "Blood pressure 140/90 or higher" in page
    assert "Systolic blood pressure or Diastolic" not in page  # the condition is shown in words
    assert "Systolic blood pressure ≥ 140 mmHg or Diastolic blood pressure ≥ 90 mmHg" in page
    assert "150 mmHg" in page and ">intake<" in page
    assert reverse("screening:evidence", args=["spravato-label"]) in page
    assert reverse("screening:evidence", args=["veraart-2021"]) in page
    assert "Rules that did not fire" in page and "The exact facts evaluated" in page
    assert assessment.ruleset_digest[:12] in page
    assert AuditEvent.objects.filter(action="screening.assessment.viewed").exists()


def test_the_evidence_library_lists_every_source_and_the_rules_citing_it(client, world, scoped):
    client.force_login(world.members["front_desk"].user)
    listing = client.get(reverse("screening:evidence_list")).content.decode()
    for study in ("Zorumski", "Duman", "Ly et al", "Scheidegger", "Wilkinson", "McIntyre"):
        assert study in listing
    detail = client.get(reverse("screening:evidence", args=["spravato-label"])).content.decode()
    assert "vascular.aneurysm_or_avm" in detail and "Exclude" in detail
    assert client.get(reverse("screening:evidence", args=["no-such-source"])).status_code == 404
    rules = client.get(reverse("screening:rules")).content.decode()
    assert len(re.findall(r'<article class="finding', rules)) == len(bundled_ruleset().rules)


def test_the_overview_and_worklist_show_where_screening_stands(client, world, scoped):
    assessment = assessed(world.client, sbp=150)
    client.force_login(world.members["prescriber"].user)
    overview = client.get(reverse("screening:client", args=[world.client.pk])).content.decode()
    assert "Complete</span>" in overview and "Needs a prescriber's review" in overview
    worklist = client.get(reverse("screening:worklist")).content.decode()
    assert world.client.record_number in worklist and "Awaiting prescriber's decision" in worklist
    assert reverse("screening:assessment", args=[world.client.pk, assessment.pk]) in worklist
    assert world.unassigned_client.record_number not in worklist


def test_the_chart_section(world, scoped, rf):
    from django.template.loader import render_to_string

    from kapstone.screening.chart import chart_context

    assessment = assessed(world.client, sbp=150)
    request = rf.get("/")
    request.user, request.membership = world.members["prescriber"].user, world.members["prescriber"]
    decide(request, assessment, outcome="approve", reason="Home BP readings are normal.")
    context = chart_context(request, world.client)
    assert context["screening"]["decision"].outcome == "approve"
    html = render_to_string("screening/chart_section.html", {"client": world.client, **context})
    assert "Needs a prescriber's review" in html and "<strong>Approve</strong>" in html


def test_submit_clean_screeners_builder_is_complete(world, scoped):
    responses = submit_clean_screeners(world.client)
    assert all(response.status == "submitted" for response in responses.values())
