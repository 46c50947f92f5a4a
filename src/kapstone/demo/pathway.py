"""The care pathway in the demo practice: programmes, consent documents, and for each demo episode a
timeline consistent with its stage; preparation sessions with goals and intentions, an escort and
signed consents for clients at preparation and beyond.

One client in preparation has everything except the signed treatment consent (a signing link is
waiting), so their readiness page shows that gap.
"""

import random
from datetime import timedelta

from django.utils import timezone

from kapstone.clients.models import CareTeamRole
from kapstone.pathway.models import (
    ConsentDocument,
    ConsentKind,
    ConsentSignature,
    Episode,
    EpisodeState,
    EpisodeTransition,
    Escort,
    Goal,
    Intention,
    PreparationSession,
    text_digest,
)
from kapstone.pathway.programmes import consent_sample, programmes_for
from kapstone.practice.models import Membership, Role

from .course import course_for

S = EpisodeState
PREPARED = {S.PREPARATION, S.TREATMENT, S.FOLLOW_UP, S.CLOSED, S.PAUSED}
TO_PREPARATION = [S.SCREENING, S.ELIGIBLE, S.PREPARATION]
# The moves that brought a demo episode to its stage: (state, who moved it, why).
PATHS = {
    S.REFERRED: [],
    S.SCREENING: [S.SCREENING],
    S.ELIGIBLE: [S.SCREENING, S.ELIGIBLE],
    S.DECLINED: [S.SCREENING, S.DECLINED],
    S.PREPARATION: TO_PREPARATION,
    S.TREATMENT: [*TO_PREPARATION, S.TREATMENT],
    S.FOLLOW_UP: [*TO_PREPARATION, S.TREATMENT, S.FOLLOW_UP],
    S.CLOSED: [*TO_PREPARATION, S.TREATMENT, S.FOLLOW_UP, S.CLOSED],
    S.PAUSED: [*TO_PREPARATION, S.TREATMENT, S.PAUSED],
    S.WITHDRAWN: [S.SCREENING, S.WITHDRAWN],
}
MOVED_BY = {S.ELIGIBLE: "prescriber", S.DECLINED: "prescriber", S.TREATMENT: "prescriber"}
REASONS = {
    S.DECLINED: "Current psychotic symptoms at intake; referred to the psychiatry clinic instead.",
    S.PAUSED: "Client travelling for work for six weeks; resumes on return.",
    S.WITHDRAWN: "Client chose to continue with another treatment.",
    S.CLOSED: "Course and six-month follow-up complete.",
}
GOALS = [
    "I want to feel like myself again and stop dreading every morning.",
    "To get back to work without the fog, and to be more present with my kids.",
    "Understand why I keep shutting people out, and find some peace with my father's death.",
    "Less anxiety in crowds; I'd like to travel again.",
    "To stop drinking to numb things and actually feel what is there.",
    "Be kinder to myself. Find out what I want from the next part of my life.",
]
INTENTIONS = [
    "Stay curious about whatever comes up, even the hard parts.",
    "I want to meet the grief instead of running from it.",
    "Let go of control for a while and trust the people in the room.",
    "Listen to my body; notice where the fear sits.",
    "Ask: what do I need to forgive myself for?",
    "Be open. Breathe. Come back to the music if it gets too much.",
]
LATER_INTENTIONS = [
    "Go back to the memory of the lake house and stay with it a little longer.",
    "This time, notice the moments of calm and how I get there.",
    "Invite in the feeling of being supported that came up last session.",
]
ESCORTS = [
    ("Jamie", "partner"),
    ("Robin", "sister"),
    ("Alex", "friend"),
    ("Morgan", "husband"),
    ("Taylor", "wife"),
    ("Dana", "brother"),
]


def add_pathway(practice, rng: random.Random, now=None) -> None:
    """Add the pathway records to every episode of the (already built) demo ``practice``."""
    now = now or timezone.now()
    programmes = {programme.name: programme for programme in programmes_for(practice)}
    episodes = list(
        Episode.objects.filter(practice=practice).select_related("client").order_by("client__record_number")
    )
    if not episodes:
        return
    admin = Membership.objects.filter(practice=practice, role=Role.ADMIN).select_related("user").first()
    first_opened = min(episode.opened_at for episode in episodes)
    documents = _publish_documents(practice, admin, first_opened - timedelta(days=60))
    blocked = next((e for e in episodes if e.state == S.PREPARATION), None)
    for number, episode in enumerate(episodes):
        team = {
            member.role: member.membership
            for member in episode.client.care_team.select_related("membership__user")
        }
        staff = {
            "therapist": team.get(CareTeamRole.LEAD_THERAPIST) or team.get(CareTeamRole.THERAPIST) or admin,
            "prescriber": team.get(CareTeamRole.PRESCRIBER) or admin,
        }
        moves = _add_timeline(episode, staff, admin, rng, now)
        if episode.state in PREPARED:
            programme = programmes["IV series" if number % 4 == 3 else "Sublingual KAP"]
            Episode.objects.filter(pk=episode.pk).update(programme=programme)
            _add_preparation(episode, staff, moves, documents, rng, now, blocked=episode == blocked)


def _publish_documents(practice, admin, when):
    documents = {}
    for kind, title in (
        (ConsentKind.TREATMENT, "Consent to ketamine-assisted psychotherapy"),
        (ConsentKind.RESEARCH, "Optional: research use of de-identified data"),
    ):
        documents[kind] = ConsentDocument.objects.create(
            practice=practice,
            kind=kind,
            version=1,
            title=title,
            text=consent_sample(kind).strip(),
            published_at=when,
            published_by=admin.user if admin else None,
        )
    return documents


def _add_timeline(episode, staff, admin, rng, now) -> dict:
    """The opening and every move to the episode's stage, spread between its opening and now.

    A client who has been dosed moved into treatment the day before the first dose and out of it
    after the last session of the course (``course.py``), so the chart's timeline and the sessions agree.
    """
    path = PATHS[episode.state]
    end = episode.closed_at or now - timedelta(days=rng.randint(1, 6))
    start = episode.opened_at
    course = course_for(episode.state, episode.client.record_number, now, episode.practice.zone)
    first_dose = course.first_dose if course else None
    records = [
        EpisodeTransition(
            practice=episode.practice,
            episode=episode,
            to_state=S.REFERRED,
            at=start,
            actor=admin.user if admin else None,
            actor_role=Role.ADMIN,
            reason="Episode opened",
        )
    ]
    if first_dose is not None and S.TREATMENT in path:
        split = path.index(S.TREATMENT)
        before, after = path[:split], path[split + 1 :]
        times = _spread(start, first_dose - timedelta(days=1), len(before))
        times.append(first_dose - timedelta(days=1, hours=-2))
        times += _spread(course.sessions[-1] + timedelta(days=1), end, len(after))[: len(after)]
    else:
        times = _spread(start, end, len(path))
    moves, previous = {}, S.REFERRED
    for state, at in zip(path, times, strict=True):
        at = at + timedelta(hours=rng.randint(0, 5))
        who = staff[MOVED_BY.get(state, "therapist")]
        records.append(
            EpisodeTransition(
                practice=episode.practice,
                episode=episode,
                from_state=previous,
                to_state=state,
                at=at,
                actor=who.user,
                actor_role=who.role,
                reason=REASONS.get(state, ""),
            )
        )
        moves[state], previous = at, state
    at = moves.get(previous, start)
    EpisodeTransition.objects.bulk_create(records)
    Episode.objects.filter(pk=episode.pk).update(state_changed_at=at)
    return moves


def _spread(start, end, count: int) -> list:
    """``count`` moments evenly between ``start`` and ``end`` (exclusive), at least two hours apart."""
    step = max((end - start) / (count + 1), timedelta(hours=2))
    return [min(start + step * (n + 1), end) for n in range(count)]


def _add_preparation(episode, staff, moves, documents, rng, now, *, blocked):
    practice, client, therapist = episode.practice, episode.client, staff["therapist"]
    begun = moves[S.PREPARATION]
    until = moves.get(S.TREATMENT) or now
    count = 1 if episode.state == S.PREPARATION and not blocked and rng.random() < 0.4 else 2
    sessions = []
    for index in range(count):
        when = begun + (until - begun) * (index + 1) / (count + 1)
        sessions.append(
            PreparationSession.objects.create(
                practice=practice,
                episode=episode,
                client=client,
                held_on=when.astimezone(practice.zone).date(),
                therapist=therapist,
                notes=rng.choice(
                    [
                        "Reviewed what to expect in a medicine session; set-and-setting discussion.",
                        "Explored the client's history with altered states; breathing practice.",
                        "Went through the safety plan and the day-of arrangements.",
                    ]
                ),
                recorded_by=therapist.user,
                recorded_at=when,
            )
        )
    words = {"practice": practice, "episode": episode, "client": client, "recorded_by": therapist.user}
    Goal.objects.create(
        **words, text=rng.choice(GOALS), preparation_session=sessions[0], recorded_at=sessions[0].recorded_at
    )
    last = sessions[-1]
    Intention.objects.create(
        **words, text=rng.choice(INTENTIONS), preparation_session=last, recorded_at=last.recorded_at
    )
    if S.TREATMENT in moves:  # revisited in integration: the history keeps both versions
        Intention.objects.create(
            **words,
            text=rng.choice(LATER_INTENTIONS),
            recorded_at=min(moves[S.TREATMENT] + timedelta(days=10), now),
        )
    first, relationship = rng.choice(ESCORTS)
    Escort.objects.create(
        practice=practice,
        episode=episode,
        client=client,
        name=f"{first} {client.legal_last_name}" if relationship != "friend" else f"{first} Mercer",
        relationship=relationship,
        phone=f"+1 555 03{rng.randint(10, 99)} {rng.randint(1000, 9999)}",
        updated_by=therapist.user,
        updated_at=sessions[0].recorded_at,
    )
    signing = sessions[0].recorded_at + timedelta(hours=20)
    treatment = documents[ConsentKind.TREATMENT]
    if blocked:  # a link is waiting, not yet signed: readiness shows the missing consent
        ConsentSignature.objects.create(
            practice=practice,
            document=treatment,
            client=client,
            episode=episode,
            requested_at=now - timedelta(days=1),
            requested_by=therapist.user,
            link_expires_at=now + timedelta(days=6),
        )
    else:
        _signed(treatment, episode, therapist, signing, rng)
    research = documents[ConsentKind.RESEARCH]
    if rng.random() < 0.65:
        _signed(research, episode, therapist, signing, rng)
    else:
        ConsentSignature.objects.create(
            practice=practice,
            document=research,
            client=client,
            episode=episode,
            requested_at=signing - timedelta(hours=2),
            requested_by=therapist.user,
            declined_at=signing,
        )


def _signed(document, episode, therapist, when, rng):
    ConsentSignature.objects.create(
        practice=episode.practice,
        document=document,
        client=episode.client,
        episode=episode,
        requested_at=when - timedelta(hours=2),
        requested_by=therapist.user,
        signed_at=when,
        signed_name=episode.client.legal_name,
        ip_address=f"192.0.2.{rng.randint(2, 250)}",
        user_agent="Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) demo",
        signed_title=document.title,
        signed_text=document.text,
        signed_text_sha256=text_digest(document.text),
        countersigned_at=when + timedelta(hours=1),
        countersigned_by=therapist.user,
    )
