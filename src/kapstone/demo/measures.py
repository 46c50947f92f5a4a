"""Months of synthetic questionnaire results for the demo practice.

Most clients improve, some do not respond, a few get worse, so the trajectories, reliable-change
verdicts and the practice outcomes page all have something to show; one recent PHQ-9 has a positive
item 9 whose safety alert is still open.
"""

import random
from datetime import timedelta

from kapstone.clinical import score
from kapstone.measures.models import Assignment, PathwayPoint, QuestionnaireResponse, SafetyAlert
from kapstone.pathway.models import EpisodeState

# How many fortnightly visits with questionnaires each stage has had so far.
VISITS = {
    EpisodeState.ELIGIBLE: 1,
    EpisodeState.PREPARATION: 2,
    EpisodeState.PAUSED: 4,
    EpisodeState.TREATMENT: 8,
    EpisodeState.FOLLOW_UP: 12,
    EpisodeState.CLOSED: 14,
}


def course(number: int) -> str:
    if number % 11 == 0:
        return "deteriorating"
    if number % 4 == 0:
        return "non_responding"
    return "improving"


def spread(total: int, items: int, rng: random.Random, top: int = 3) -> dict[int, int]:
    """Answers (item -> 0..top) adding up to ``total``: the shape of a real form for any total."""
    answers = dict.fromkeys(range(1, items + 1), 0)
    for _ in range(min(total, items * top)):
        answers[rng.choice([item for item, value in answers.items() if value < top])] += 1
    return answers


def record(client, instrument_id, answers, when, entered_by=None):
    result = score(instrument_id, answers)
    return QuestionnaireResponse.objects.create(
        practice=client.practice,
        client=client,
        episode=client.episodes.first(),
        instrument_id=instrument_id,
        instrument_version=result.instrument_version,
        status="submitted",
        source="link" if entered_by is None else "staff",
        entered_by=entered_by,
        answers={str(item): value for item, value in answers.items()},
        result=result.to_dict(),
        total=result.total,
        band=result.band or "",
        severity=result.severity or "",
        positive_screen=result.positive_screen,
        has_critical=bool(result.critical_items),
        started_at=when,
        submitted_at=when,
    )


def add_measures(rng, client, stage, number, therapist, now) -> None:
    if stage in (EpisodeState.REFERRED, EpisodeState.SCREENING):
        for instrument in ("phq9", "gad7", "cssrs_screener"):
            Assignment.objects.create(
                practice=client.practice,
                client=client,
                episode=client.episodes.first(),
                instrument_id=instrument,
                point=PathwayPoint.INTAKE,
                due_at=now + timedelta(days=rng.randint(-6, 5)),
            )
        return
    if stage not in VISITS:
        return
    visits, kind = VISITS[stage], course(number)
    phq, gad = rng.randint(15, 23), rng.randint(11, 17)
    start = now - timedelta(weeks=visits * 2 + 1)
    record(client, "cssrs_screener", {1: 0, 2: 0, 6: 0}, start, therapist)
    for visit in range(visits + 1):
        when = start + timedelta(weeks=visit * 2, hours=rng.randint(0, 6))
        progress = visit / visits
        if kind == "improving":
            phq_now, gad_now = round(phq * (1 - 0.75 * progress)), round(gad * (1 - 0.65 * progress))
        elif kind == "non_responding":
            phq_now, gad_now = phq - rng.randint(0, 2), gad - rng.randint(0, 2)
        else:
            phq_now, gad_now = phq + round(5 * progress), gad + round(4 * progress)
        phq_now = max(0, min(24, phq_now + rng.randint(-1, 1)))
        entered_by = therapist if visit % 2 else None
        record(client, "phq9", spread(phq_now, 8, rng) | {9: 0}, when, entered_by)
        record(client, "gad7", spread(max(0, min(21, gad_now)), 7, rng), when, entered_by)


def add_open_alert(client, now) -> None:
    answers = {1: 2, 2: 3, 3: 2, 4: 2, 5: 1, 6: 2, 7: 1, 8: 0, 9: 1}
    response = record(client, "phq9", answers, now - timedelta(hours=3))
    meaning = response.result["critical_items"][0]["meaning"]
    SafetyAlert.objects.create(
        practice=client.practice,
        client=client,
        response=response,
        kind="critical_item",
        instrument_id="phq9",
        item=9,
        summary=f"PHQ-9 item 9: {meaning}"[:300],
        created_at=response.submitted_at,
    )
