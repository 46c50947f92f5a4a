"""Months of synthetic questionnaire results for the demo practice, following each client's course.

The story a real practice sees: at intake, PHQ-9 and GAD-7 in the moderate to severe range; steady
(within a point or two) until the first dose; then, for most clients in treatment, falling over the
course; a few do not respond; one client in treatment gets worse and their latest PHQ-9, answered
this morning, has a positive item 9 whose safety alert is still open. Clients not yet dosed stay
where they started. Dates come from :mod:`kapstone.demo.course`, so the baseline the outcomes use
(the last score before the first dose) is a real pre-treatment score.
"""

import random
from datetime import datetime, timedelta

from kapstone.clinical import score
from kapstone.measures import services
from kapstone.measures.models import Assignment, PathwayPoint, QuestionnaireResponse, SafetyAlert
from kapstone.pathway.models import EpisodeState

from .course import Course

# By record number (the builder's order of stages): the clients in treatment, follow-up or closed
# whose course goes otherwise than improving. One in treatment gets worse and is flagged; one at each
# later stage does not respond. Everyone else who has been dosed improves.
DETERIORATING = {"K-00023"}
NON_RESPONDING = {"K-00020", "K-00027", "K-00032"}
# How far an improving client's scores fall by the end of the course (a fraction of the baseline),
# and how fast: half of it in the first week after the first dose (ketamine's effect is rapid).
IMPROVEMENT = (0.6, 0.8)
HALF_EFFECT_DAYS = 7
# The client who gets worse moves this share of the way from their baseline to the top of the scale.
WORSENING = 0.8
# Anxiety falls a little less far than depression.
ANXIETY_SHARE = 0.95
# Highest totals the demo writes: PHQ-9 items 1-8 (item 9 stays 0 but for the flagged client), GAD-7.
PHQ9_TOP, GAD7_TOP = 24, 21


def course_kind(record_number: str, course: Course) -> str:
    if not course.sessions:
        return "untreated"
    if record_number in DETERIORATING:
        return "deteriorating"
    if record_number in NON_RESPONDING:
        return "non_responding"
    return "improving"


def spread(total: int, items: int, rng: random.Random, top: int = 3) -> dict[int, int]:
    """Answers (item -> 0..top) adding up to ``total``: the shape of a real form for any total."""
    answers = dict.fromkeys(range(1, items + 1), 0)
    for _ in range(min(total, items * top)):
        answers[rng.choice([item for item, value in answers.items() if value < top])] += 1
    return answers


def record(client, instrument_id, answers, when, entered_by=None, *, session=None, assignment=None):
    """A submitted response, as if answered at ``when``; it completes the matching open assignment.

    The measurement plan may have asked for this questionnaire already (at intake, or when a session
    was booked or discharged), so the response answers that assignment (one due within a week)
    rather than leaving it open beside a second copy. An answer about one medicine ``session`` (the
    EBI) answers that session's assignment.
    """
    result = score(instrument_id, answers)
    if assignment is None:
        asked = Assignment.objects.open().filter(client=client, instrument_id=instrument_id)
        if session is not None:
            asked = asked.filter(session=session)
        else:
            asked = asked.filter(session__isnull=True, due_at__lte=when + timedelta(days=7))
        assignment = asked.order_by("due_at").first()
    response = QuestionnaireResponse.objects.create(
        practice=client.practice,
        client=client,
        episode=client.episodes.first(),
        assignment=assignment,
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
    if assignment is not None:
        Assignment.objects.filter(pk=assignment.pk).update(completed_at=when)
    return response


def visits(course: Course, rng: random.Random) -> list[datetime]:
    """When the client answered PHQ-9 and GAD-7: intake, fortnightly until the first dose, the day
    before it (the baseline), before each later dose, two days after the latest, then fortnightly
    until now."""
    times = [course.intake]
    until = course.first_dose or course.ends
    at = course.intake + timedelta(weeks=2)
    while at < until - timedelta(days=4):
        times.append(at)
        at += timedelta(weeks=2)
    if course.first_dose is None:
        return times
    times.append(course.first_dose - timedelta(days=1, hours=rng.randint(1, 5)))
    times.extend(opened - timedelta(hours=rng.randint(2, 20)) for opened in course.sessions[1:])
    check_in = course.sessions[-1] + timedelta(days=2, hours=rng.randint(2, 8))
    if check_in < course.ends - timedelta(hours=1):  # a few days after the latest session
        times.append(check_in)
    at = course.sessions[-1] + timedelta(weeks=2)
    while at < course.ends:
        times.append(at)
        at += timedelta(weeks=2)
    return times


def level(kind: str, baseline: int, days_dosed: float, depth: float, top: int) -> int:
    """The score of a course ``kind`` ``days_dosed`` days after the first dose (before it: baseline)."""
    effect = 1 - 0.5 ** (max(0.0, days_dosed) / HALF_EFFECT_DAYS)
    if kind == "improving":
        return round(baseline * (1 - depth * effect))
    if kind == "deteriorating":
        return min(top, baseline + round((top - baseline) * WORSENING * effect))
    return baseline


def add_measures(rng, client, stage, course: Course | None, therapist, now) -> None:
    if stage in (EpisodeState.REFERRED, EpisodeState.SCREENING):
        due = now + timedelta(days=rng.randint(-6, 5))
        episode = client.episodes.first()
        if not Assignment.objects.open().filter(episode=episode, point=PathwayPoint.INTAKE).exists():
            services.assign_plan(None, client, PathwayPoint.INTAKE, due, episode=episode)
        return
    if course is None:
        return
    kind = course_kind(client.record_number, course)
    # Moderately severe to severe depression and moderate to severe anxiety at intake; the client who
    # gets worse starts in the moderate range, so there is room to worsen.
    phq, gad = (
        (rng.randint(13, 15), rng.randint(10, 12))
        if kind == "deteriorating"
        else (
            rng.randint(15, 22),
            rng.randint(11, 17),
        )
    )
    depth = rng.uniform(*IMPROVEMENT)
    record(client, "cssrs_screener", {1: 0, 2: 0, 6: 0}, course.intake, therapist)
    for n, when in enumerate(visits(course, rng)):
        days = (when - course.first_dose).total_seconds() / 86400 if course.first_dose else 0
        noise = (lambda: rng.randint(-1, 1)) if n else (lambda: 0)
        phq_now = min(PHQ9_TOP, max(0, level(kind, phq, days, depth, PHQ9_TOP) + noise()))
        gad_now = min(GAD7_TOP, max(0, level(kind, gad, days, depth * ANXIETY_SHARE, GAD7_TOP) + noise()))
        entered_by = therapist if n % 2 else None
        record(client, "phq9", spread(phq_now, 8, rng) | {9: 0}, when, entered_by)
        record(client, "gad7", spread(gad_now, 7, rng), when, entered_by)
    if kind == "deteriorating":
        add_open_alert(client, now, rng)


def answer_pre_session(practice, now, rng) -> int:
    """Answer the pre-session questionnaires of the sessions that have begun (today's live floor),
    an hour or two before each was due, with scores close to the client's latest. Returns how many."""
    due = (
        Assignment.objects.open()
        .filter(practice=practice, point=PathwayPoint.PRE_SESSION, due_at__lte=now)
        .select_related("client")
        .order_by("due_at", "instrument_id")
    )
    count = 0
    for assignment in due:
        when = assignment.due_at - timedelta(hours=rng.randint(1, 2), minutes=rng.randint(0, 50))
        client, instrument_id = assignment.client, assignment.instrument_id
        if instrument_id in PRE_SESSION_TOTALS:
            latest = (
                QuestionnaireResponse.objects.submitted()
                .filter(client=client, instrument_id=instrument_id, submitted_at__lt=when)
                .order_by("-submitted_at")
                .first()
            )
            items = PRE_SESSION_TOTALS[instrument_id]
            top = PHQ9_TOP if instrument_id == "phq9" else GAD7_TOP
            total = max(0, min(top, int(latest.total if latest else 0) + rng.randint(-1, 1)))
            answers = spread(total, items, rng) | ({9: 0} if instrument_id == "phq9" else {})
        else:  # the C-SSRS, since the last contact or at intake: no to every question
            answers = {1: 0, 2: 0, 6: 0}
        record(client, instrument_id, answers, when, assignment=assignment)
        count += 1
    return count


# Outcome questionnaires asked before a session: how many items make the total (the PHQ-9's item 9
# is kept at 0 here: the open item-9 alert belongs to the client who is getting worse).
PRE_SESSION_TOTALS = {"phq9": 8, "gad7": 7}


def add_open_alert(client, now, rng) -> None:
    """This morning's PHQ-9 of the client who is getting worse: item 9 positive, the alert still open."""
    answers = spread(21, 8, rng) | {9: 1}
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
