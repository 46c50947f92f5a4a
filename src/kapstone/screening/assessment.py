"""Eligibility assessments (the rule engine's result, stored exactly) and the prescriber's decision.

An assessment is never changed: running the engine again (after an intake change or a new rule set)
writes a new one. A decision applies to the episode's newest assessment, and only while the intake
and screeners still give the facts that assessment evaluated.
"""

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from kapstone.accounts.models import User
from kapstone.accounts.requests import StaffRequest
from kapstone.audit.services import actor_of, log_event
from kapstone.clinical.eligibility import EXCLUDE, NOT_FIRED, REVIEW, evaluate_eligibility
from kapstone.clinical.eligibility.ruleset import RuleSetSource
from kapstone.pathway.models import Episode, EpisodeState
from kapstone.pathway.services import TransitionError, transition
from kapstone.practice.models import Role

from .intake_facts import build_facts, catalogue
from .models import (
    APPROVALS,
    DecisionOutcome,
    EligibilityAssessment,
    EligibilityDecision,
    Intake,
    Recommendation,
)
from .services import ScreeningError

DECIDER_ROLES = (Role.PRESCRIBER,)


def latest_assessment(episode: Episode) -> EligibilityAssessment | None:
    return EligibilityAssessment.objects.filter(episode=episode).order_by("-created_at").first()


def latest_decision(episode: Episode) -> EligibilityDecision | None:
    return EligibilityDecision.objects.filter(episode=episode).order_by("-decided_at").first()


@transaction.atomic
def run_assessment(
    request: StaffRequest | None,
    intake: Intake,
    *,
    ruleset: RuleSetSource = None,
    as_of: datetime | None = None,
    actor: User | None = None,
) -> tuple[EligibilityAssessment, bool]:
    """Evaluate the intake's facts with the rule set (the newest bundled default unless given).

    Returns ``(assessment, created)``. If the newest assessment of the episode already evaluated the
    same facts with the same rule set, it is returned instead of a duplicate.
    """
    intake = Intake.objects.select_related("client", "episode", "practice").get(pk=intake.pk)
    if not intake.is_complete:
        raise ScreeningError("Complete the intake before running the eligibility assessment.")
    as_of = as_of or timezone.now()
    built = build_facts(intake, as_of)
    try:
        result = evaluate_eligibility(built.facts, ruleset)
    except ValueError as error:
        raise ScreeningError(f"The intake holds an answer the rules cannot read: {error}") from error
    stored = result.to_dict()
    previous = latest_assessment(intake.episode)
    if (
        previous is not None
        and previous.ruleset_digest == result.ruleset_digest
        and previous.facts == stored["facts"]
    ):
        return previous, False
    assessment = EligibilityAssessment(
        practice=intake.practice,
        client=intake.client,
        episode=intake.episode,
        intake=intake,
        recommendation=result.recommendation,
        ruleset_id=result.ruleset_id,
        ruleset_version=result.ruleset_version,
        ruleset_digest=result.ruleset_digest,
        facts=stored["facts"],
        fact_sources={key: built.sources[key] for key in stored["facts"] if key in built.sources},
        result=stored,
        fired_count=len(result.fired),
        not_assessed_count=len(result.not_assessed),
        created_at=as_of,
        created_by=actor_of(request, actor),
    )
    assessment.save()
    log_event(
        request,
        "screening.assessment.created",
        obj=assessment,
        actor=actor,
        practice=intake.practice,
        data={
            "recommendation": result.recommendation,
            "ruleset": assessment.ruleset_label,
            "digest": result.ruleset_digest[:12],
            "fired": [f.rule_id for f in result.fired],
        },
    )
    return assessment, True


def overridden_rules(assessment: EligibilityAssessment) -> list[str]:
    """Exclude and review rules that fired or could not be assessed: what an approval goes over."""
    return [
        finding["rule_id"]
        for finding in assessment.result["findings"]
        if finding["severity"] in (EXCLUDE, REVIEW) and finding["status"] != NOT_FIRED
    ]


def is_against(recommendation: str, outcome: str) -> bool:
    """Approving what the rules call not eligible, or declining what they call eligible."""
    if outcome in APPROVALS:
        return recommendation == Recommendation.NOT_ELIGIBLE
    return recommendation == Recommendation.ELIGIBLE


def reason_required(recommendation: str, outcome: str) -> bool:
    """A written reason is needed for every decision except approving an eligible recommendation."""
    return not (outcome in APPROVALS and recommendation == Recommendation.ELIGIBLE)


def decision_blockers(assessment: EligibilityAssessment) -> list[str]:
    """Why a decision cannot be made on this assessment now (empty if it can)."""
    episode = assessment.episode
    problems = []
    if episode.state != EpisodeState.SCREENING:
        problems.append(
            f"The episode is in {episode.get_state_display().lower()}, not screening: "
            "decisions are made during screening."
        )
    newest = latest_assessment(episode)
    if newest is not None and newest.pk != assessment.pk:
        problems.append("A newer assessment exists for this episode: decide on that one.")
    elif not assessment.intake.is_complete:
        problems.append(
            "The intake was changed after this assessment. Complete it and run the assessment again."
        )
    elif _current_facts(assessment.intake) != assessment.facts:
        problems.append(
            "The intake or the screeners changed after this assessment. "
            "Run the assessment again, then decide."
        )
    return problems


def _current_facts(intake: Intake) -> dict[str, Any] | None:
    try:
        return canonical_facts(build_facts(intake).facts)
    except ValueError:
        return None


def canonical_facts(facts: dict[str, Any]) -> dict[str, Any]:
    """Facts as an assessment stores them (validated, catalogue order, lists as lists)."""
    clean = catalogue().validate(facts)
    return {key: list(value) if isinstance(value, tuple) else value for key, value in clean.items()}


@transaction.atomic
def decide(
    request: StaffRequest | None,
    assessment: EligibilityAssessment,
    *,
    outcome: str,
    reason: str = "",
    conditions: str = "",
) -> EligibilityDecision:
    """Record the prescriber's decision and move the episode: approval to eligible, decline to declined.

    Refuses (ScreeningError) a decision that misses its reason or conditions, or that cannot apply to
    this assessment now; nothing is kept then.
    """
    membership = getattr(request, "membership", None)
    if membership is not None and membership.role not in DECIDER_ROLES:
        raise PermissionDenied("Only a prescriber decides eligibility.")
    assessment = EligibilityAssessment.objects.select_related("episode", "intake", "client").get(
        pk=assessment.pk
    )
    if outcome not in DecisionOutcome.values:
        raise ScreeningError("Choose approve, approve with conditions, or decline.")
    reason, conditions = reason.strip(), conditions.strip()
    if outcome == DecisionOutcome.APPROVE_WITH_CONDITIONS and not conditions:
        raise ScreeningError("Write the conditions of this approval.")
    if reason_required(assessment.recommendation, outcome) and not reason:
        raise ScreeningError("Write the reason for this decision.")
    problems = decision_blockers(assessment)
    if problems:
        raise ScreeningError(" ".join(problems))
    against = is_against(assessment.recommendation, outcome)
    decision = EligibilityDecision(
        practice=assessment.practice,
        assessment=assessment,
        client=assessment.client,
        episode=assessment.episode,
        outcome=outcome,
        conditions=conditions if outcome == DecisionOutcome.APPROVE_WITH_CONDITIONS else "",
        reason=reason,
        recommendation=assessment.recommendation,
        against_recommendation=against,
        overridden_rules=overridden_rules(assessment) if outcome in APPROVALS else [],
        decided_by=actor_of(request),
    )
    decision.save()
    log_event(
        request,
        "screening.decision.recorded",
        obj=decision,
        data={
            "outcome": outcome,
            "recommendation": assessment.recommendation,
            "against_recommendation": against,
            "overridden_rules": decision.overridden_rules,
            "assessment": str(assessment.pk),
        },
    )
    target = EpisodeState.ELIGIBLE if outcome in APPROVALS else EpisodeState.DECLINED
    words = decision.get_outcome_display()
    try:
        transition(
            request, assessment.episode, target, reason=f"Eligibility decision: {words}. {reason}".strip()
        )
    except TransitionError as error:
        transaction.set_rollback(True)
        raise ScreeningError(str(error), error.gaps) from error
    return decision
