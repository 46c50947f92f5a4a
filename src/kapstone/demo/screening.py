"""Screening in the demo practice: inquiries in every triage state, and for the clients past screening
an intake, the screeners, a stored eligibility assessment and the prescriber's decision.

Outcomes cover the three kinds a practice sees: a clean approval, a review approved with conditions
(BP 146/92 and a benzodiazepine, or a family history of psychosis), and an exclusion that was declined
(uncontrolled hypertension). Two clients still in screening wait for a decision, so the worklist and
the decision form have something to show. Everything is invented.
"""

import random
from datetime import timedelta

from kapstone.audit.services import log_event
from kapstone.clients.models import Client
from kapstone.clinical import get_instrument
from kapstone.clinical.instruments import visible_items
from kapstone.measures.models import QuestionnaireResponse
from kapstone.pathway.models import EpisodeState
from kapstone.practice.models import Membership, Role
from kapstone.screening.assessment import is_against, overridden_rules, run_assessment
from kapstone.screening.intake_facts import SCREENERS, intake_specs
from kapstone.screening.models import (
    DecisionOutcome,
    EligibilityDecision,
    Inquiry,
    InquiryStatus,
    InquiryTriage,
    Intake,
)

from .measures import record, spread

CLEAN = {spec.key: {"bool": False, "list": [], "choice": "none"}.get(spec.type) for spec in intake_specs()}
for _follow_up in ("hypertension_controlled", "seizure_recent", "hyperthyroidism_uncontrolled"):
    CLEAN.pop(_follow_up)

SCENARIOS = {
    "clean": {},
    "bp_benzo": {"sbp": 146, "dbp": 92, "medication_classes": ["benzodiazepine", "antidepressant"]},
    "family_psychosis": {"psychosis_family_history": True, "medication_classes": ["antidepressant"]},
    "uncontrolled_htn": {"hypertension": True, "hypertension_controlled": False, "sbp": 168, "dbp": 104},
    "heavy_drinking": {"substance_use_disorder": "moderate"},
}
DECISIONS = {
    "clean": (DecisionOutcome.APPROVE, "", ""),
    "bp_benzo": (
        DecisionOutcome.APPROVE_WITH_CONDITIONS,
        "BP under 140/90 before each dose (recheck after 10 minutes if not); no lorazepam within 24 hours "
        "of dosing.",
        "Home readings average 128/82: the clinic reading is a white-coat rise. Lorazepam is taken rarely "
        "and can be held on dosing days; response may be somewhat weaker.",
    ),
    "family_psychosis": (
        DecisionOutcome.APPROVE_WITH_CONDITIONS,
        "Ask about unusual experiences at every integration session; stop if any psychotic symptom appears.",
        "An uncle, not a parent or sibling, per the interview; no personal history; PQ-B negative.",
    ),
    "uncontrolled_htn": (
        DecisionOutcome.DECLINE,
        "",
        "Blood pressure 168/104 on untreated hypertension. Referred to the primary care physician; "
        "welcome to return once it is controlled.",
    ),
}
# AUDIT 20: WHO zone IV, which the default rules treat as severe substance use (an exclusion).
SCREENER_ANSWERS = {"heavy_drinking": {"audit": {1: 4, 2: 4, 3: 4, 4: 2, 5: 2, 6: 1, 7: 2, 8: 1}}}

INQUIRY_PEOPLE = [
    ("Harper Vance", "email", InquiryStatus.NEW, "Years of depression; three antidepressants did not help."),
    (
        "Milo Castellanos",
        "phone",
        InquiryStatus.NEW,
        "PTSD after a car accident, my therapist suggested KAP.",
    ),
    ("Ines Okonkwo", "text", InquiryStatus.NEW, "Anxiety and low mood. Is this covered by insurance?"),
    (
        "Theo Marchetti",
        "email",
        InquiryStatus.CONTACTED,
        "Treatment-resistant depression, referred by Dr. Ames.",
    ),
    ("Saoirse Lund", "phone", InquiryStatus.CONTACTED, "Grief and depression since last year."),
    ("Dev Raman", "email", InquiryStatus.INVITED, "Depression, and suicidal thoughts that come and go."),
    ("Kit Abernathy", "email", InquiryStatus.NOT_A_FIT, "My 16-year-old son has depression."),
]


def _screener_answers(instrument_id, rng, overrides=None):
    """A plausible form for one invented client: mostly low, varying from client to client, and below
    every positive screen unless the scenario's ``overrides`` say otherwise."""
    answers = SCREENER_SHAPES[instrument_id](rng)
    answers.update(overrides or {})
    instrument = get_instrument(instrument_id)
    shown = {item.number for item in visible_items(instrument, answers)}
    return {number: value for number, value in answers.items() if number in shown}


def _yes(rng, items, count, value=1):
    chosen = set(rng.sample(items, count))
    return {item: (value(rng) if callable(value) else value) if item in chosen else 0 for item in items}


def _audit(rng):
    # Low-risk drinking (WHO zone I, total 1-7): how often and how much, rarely anything more.
    often = rng.choice([1, 1, 2, 2, 3])
    answers = {1: often, 2: min(often, rng.choice([0, 0, 1])), 3: min(often, rng.choice([0, 1]))}
    answers |= dict.fromkeys(range(4, 11), 0)
    if rng.random() < 0.4:
        answers[rng.choice([4, 7, 8])] = 1
    if rng.random() < 0.15 and sum(answers.values()) <= 5:
        answers[10] = 2  # someone was concerned, but not in the last year
    return answers


def _dast10(rng):
    # Item 3 ("able to stop when you want to") is reverse-scored: "yes" is the low answer.
    answers = dict.fromkeys(range(1, 11), 0) | {3: 1}
    if rng.random() < 0.4:  # cannabis now and then: used drugs other than medically (item 1)
        answers[1] = 1
        if rng.random() < 0.3:
            answers[rng.choice([4, 5])] = 1
    return answers


def _mdq(rng):
    yes = rng.choice([1, 1, 2, 2, 3, 4])
    answers = _yes(rng, list(range(1, 14)), yes)
    answers[14] = 1 if yes >= 2 and rng.random() < 0.5 else 0
    answers[15] = rng.choice([0, 0, 1])
    return answers


def _pqb(rng):
    # One or two unusual experiences, each with little distress: under both PQ-B cut-offs.
    return _yes(rng, list(range(1, 22)), rng.choice([1, 1, 2]), value=lambda r: r.choice([1, 1, 2]))


def _pcl5(rng):
    # Trauma-related stress from none to the provisional-PTSD range (31-33 and above) in a few clients.
    return spread(rng.choice([4, 9, 14, 18, 22, 27, 36, 44]), 20, rng, top=4)


SCREENER_SHAPES = {"audit": _audit, "dast10": _dast10, "mdq": _mdq, "pqb": _pqb, "pcl5": _pcl5}


def _screeners(client, episode, when, scenario, entered_by, rng):
    done = set(
        QuestionnaireResponse.objects.filter(
            episode=episode, status="submitted", submitted_at__lte=when
        ).values_list("instrument_id", flat=True)
    )
    for instrument_id in SCREENERS:
        if instrument_id in done:
            continue
        overrides = SCREENER_ANSWERS.get(scenario, {}).get(instrument_id)
        if instrument_id in SCREENER_SHAPES:
            answers = _screener_answers(instrument_id, rng, overrides)
        else:  # PHQ-9, GAD-7 and the C-SSRS of a client without a course yet: the intake measures
            answers = INTAKE_MEASURES[instrument_id](rng)
        record(client, instrument_id, answers, when, entered_by)


INTAKE_MEASURES = {
    "phq9": lambda rng: spread(rng.randint(14, 21), 8, rng) | {9: 0},
    "gad7": lambda rng: spread(rng.randint(10, 16), 7, rng),
    "cssrs_screener": lambda rng: {1: 0, 2: 0, 6: 0},
}


def _intake(client, episode, answers, when, by, *, complete=True, client_submitted=True):
    return Intake.objects.create(
        practice=client.practice,
        client=client,
        episode=episode,
        answers=answers,
        medications_text="sertraline 100 mg every morning" if answers.get("medication_classes") else "none",
        created_at=when - timedelta(days=2),
        updated_at=when,
        updated_by=by,
        client_submitted_at=when - timedelta(days=1) if client_submitted else None,
        completed_at=when if complete else None,
        completed_by=by if complete else None,
    )


def _measured(rng):
    """Ordinary intake measurements (the scenario may change the blood pressure)."""
    return {
        "weight_kg": round(rng.uniform(55, 98), 1),
        "height_cm": rng.randint(155, 192),
        "sbp": rng.randint(108, 134),
        "dbp": rng.randint(66, 84),
        "hr": rng.randint(58, 86),
    }


def _assess(client, episode, scenario, when, prescriber, therapist, rng):
    _screeners(client, episode, when, scenario, therapist, rng)
    answers = {**CLEAN, **_measured(rng), **SCENARIOS[scenario]}
    intake = _intake(client, episode, answers, when + timedelta(hours=1), therapist)
    assessment, _ = run_assessment(None, intake, as_of=when + timedelta(hours=2), actor=prescriber)
    return assessment


def _decide(assessment, scenario, when, prescriber):
    outcome, conditions, reason = DECISIONS[scenario]
    decision = EligibilityDecision(
        practice=assessment.practice,
        assessment=assessment,
        client=assessment.client,
        episode=assessment.episode,
        outcome=outcome,
        conditions=conditions,
        reason=reason,
        recommendation=assessment.recommendation,
        against_recommendation=is_against(assessment.recommendation, outcome),
        overridden_rules=overridden_rules(assessment) if outcome != DecisionOutcome.DECLINE else [],
        decided_at=when,
        decided_by=prescriber,
    )
    decision.save()
    log_event(
        action="screening.decision.recorded",
        obj=decision,
        actor=prescriber,
        practice=assessment.practice,
        role=Role.PRESCRIBER,
        data={
            "outcome": outcome,
            "recommendation": assessment.recommendation,
            "against_recommendation": decision.against_recommendation,
        },
    )


def _base_time(episode):
    first = (
        QuestionnaireResponse.objects.filter(episode=episode, status="submitted")
        .order_by("submitted_at")
        .first()
    )
    return first.submitted_at if first else episode.opened_at + timedelta(days=2)


def _add_inquiries(practice, rng, now, desk, converted_client):
    people = [*INQUIRY_PEOPLE]
    if converted_client is not None:
        name = f"{converted_client.legal_first_name} {converted_client.legal_last_name}"
        people.append((name, "email", InquiryStatus.CONVERTED, "Depression; my GP mentioned ketamine."))
    for number, (name, contact, status, reason) in enumerate(people, start=1):
        submitted = now - timedelta(
            days=rng.randint(0, 2) if status == InquiryStatus.NEW else rng.randint(3, 20)
        )
        first = name.split()[0].lower()
        inquiry = Inquiry.objects.create(
            practice=practice,
            name=name,
            email=f"{first}.{number}@example.com" if contact == "email" else "",
            phone=f"+1 555 03{number:02d} {rng.randint(1000, 9999)}" if contact != "email" else "",
            preferred_contact=contact,
            reason=reason,
            self_check={
                "adult": "no" if status == InquiryStatus.NOT_A_FIT else "yes",
                "blood_pressure": "no",
            },
            submitted_at=submitted,
            status=InquiryStatus.NEW,
            status_changed_at=submitted,
            client=converted_client if status == InquiryStatus.CONVERTED else None,
        )
        log_event(action="screening.inquiry.received", obj=inquiry, practice=practice)
        steps = {
            InquiryStatus.CONTACTED: [(InquiryStatus.CONTACTED, "Phoned; sent the information leaflet.")],
            InquiryStatus.INVITED: [
                (InquiryStatus.CONTACTED, "Phoned; talked through the programme."),
                (InquiryStatus.INVITED, "Intake visit offered for next week."),
            ],
            InquiryStatus.NOT_A_FIT: [
                (
                    InquiryStatus.NOT_A_FIT,
                    "Asking for a 16-year-old: we treat adults only. Gave the number of "
                    "the adolescent mood service.",
                ),
            ],
            InquiryStatus.CONVERTED: [
                (InquiryStatus.CONTACTED, "Phoned."),
                (InquiryStatus.CONVERTED, "Client record made."),
            ],
        }.get(status, [])
        current, at = InquiryStatus.NEW, submitted
        for to_status, note in steps:
            at = at + timedelta(hours=rng.randint(2, 30))
            InquiryTriage.objects.create(
                practice=practice,
                inquiry=inquiry,
                from_status=current,
                to_status=to_status,
                note=note,
                at=at,
                by=desk,
            )
            current = to_status
        if steps:
            Inquiry.objects.filter(pk=inquiry.pk).update(
                status=current,
                status_changed_at=at,
                status_changed_by=desk,
                not_a_fit_reason=steps[-1][1] if current == InquiryStatus.NOT_A_FIT else "",
            )


def add_screening(practice, rng: random.Random, now) -> None:
    """Add the screening records of the demo practice. Call once, after its clients and measures exist."""
    staff = {m.role: m.user for m in Membership.objects.filter(practice=practice).select_related("user")}
    prescriber, therapist, desk = staff[Role.PRESCRIBER], staff[Role.THERAPIST], staff[Role.FRONT_DESK]
    converted = None
    in_screening = 0
    past = 0
    for client in Client.objects.filter(practice=practice).order_by("record_number"):
        episode = client.episodes.order_by("-opened_at").first()
        if episode is None or episode.state == EpisodeState.REFERRED:
            continue
        if episode.state == EpisodeState.SCREENING:
            _screening_in_progress(client, episode, in_screening, now, prescriber, therapist, rng)
            if in_screening == 0:
                converted = client
            in_screening += 1
            continue
        if episode.state == EpisodeState.DECLINED:
            scenario = "uncontrolled_htn"
        else:
            scenario = ("clean", "bp_benzo", "clean", "family_psychosis", "clean")[past % 5]
            past += 1
        base = _base_time(episode)
        assessment = _assess(client, episode, scenario, base, prescriber, therapist, rng)
        _decide(assessment, scenario, base + timedelta(days=1), prescriber)
    _add_inquiries(practice, rng, now, desk, converted)


def _screening_in_progress(client, episode, index, now, prescriber, therapist, rng):
    """Five ways a screening can stand: not started, client answered, partial, and two awaiting a decision."""
    when = now - timedelta(days=3 - min(index, 2))
    client_part = {spec.key: CLEAN[spec.key] for spec in intake_specs("client") if spec.key in CLEAN}
    if index == 0:
        return
    if index == 1:
        _intake(client, episode, client_part, when, None, complete=False)
    elif index == 2:
        partial = {key: client_part[key] for key in list(client_part)[:8]}
        _intake(client, episode, partial, when, None, complete=False, client_submitted=False)
    elif index == 3:
        _assess(client, episode, "bp_benzo", when, prescriber, therapist, rng)
    else:
        _assess(client, episode, "heavy_drinking", when, prescriber, therapist, rng)
