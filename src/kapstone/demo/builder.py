"""The synthetic demo practice: invented people only, built once and reused.

Everything is generated from a fixed seed, so every demo looks the same and no real person's data
is ever involved.
"""

import random
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from kapstone.audit.services import log_event
from kapstone.clients.models import DEFAULT_CARE_TEAM_ROLE, CareTeamMember, CareTeamRole, Client
from kapstone.measures.plan import plan_for
from kapstone.pathway.models import Episode, EpisodeState
from kapstone.practice.models import Membership, Practice, Role
from kapstone.practice.tenancy import scopes_disabled

from .course import closing, course_for
from .measures import add_measures, answer_pre_session
from .pathway import add_pathway
from .portal import CLIENT_EMAIL, add_integration_notes, add_portal
from .register import add_register_story
from .scheduling import add_scheduling
from .screening import add_screening
from .sessions import add_sessions, refresh_live_floor

DEMO_SLUG = "demo"
DEMO_PASSWORD = "kapstone-demo"  # noqa: S105 - the local demo on 127.0.0.1, printed at every start

STAFF = [
    ("admin@demo.kapstone.test", "Morgan Ellery", Role.ADMIN, "Practice manager"),
    ("prescriber@demo.kapstone.test", "Dr. Priya Okafor", Role.PRESCRIBER, "MD, psychiatrist"),
    ("therapist@demo.kapstone.test", "Sam Lindqvist", Role.THERAPIST, "LCSW"),
    ("therapist2@demo.kapstone.test", "Jordan Abara", Role.THERAPIST, "PsyD"),
    ("monitor@demo.kapstone.test", "Rosa Delgado", Role.MONITOR, "RN"),
    ("frontdesk@demo.kapstone.test", "Casey Brandt", Role.FRONT_DESK, ""),
]

FIRST = [
    "Avery",
    "Blake",
    "Camila",
    "Dorian",
    "Elena",
    "Farid",
    "Greta",
    "Hollis",
    "Imani",
    "Jonah",
    "Keiko",
    "Lucas",
    "Marisol",
    "Nadia",
    "Oren",
    "Paloma",
    "Quinn",
    "Rafael",
    "Selin",
    "Tobias",
    "Uma",
    "Viktor",
    "Wren",
    "Ximena",
    "Yusuf",
    "Zora",
]
LAST = [
    "Ashdown",
    "Brightwater",
    "Calloway",
    "Dunmore",
    "Everly",
    "Fairbanks",
    "Glenholm",
    "Hartigan",
    "Ivers",
    "Jessup",
    "Kestrel",
    "Larkspur",
    "Merriweather",
    "Northcott",
    "Oakhurst",
    "Pemberton",
    "Quill",
    "Rowntree",
    "Sallow",
    "Thistlewood",
]
PRONOUNS = ["she/her", "he/him", "they/them", ""]
# Enough clients at every stage of the pathway for the home page and the lists to look lived-in.
STAGES = (
    [EpisodeState.REFERRED] * 3
    + [EpisodeState.SCREENING] * 5
    + [EpisodeState.ELIGIBLE] * 2
    + [EpisodeState.DECLINED] * 1
    + [EpisodeState.PREPARATION] * 5
    + [EpisodeState.TREATMENT] * 8
    + [EpisodeState.FOLLOW_UP] * 5
    + [EpisodeState.CLOSED] * 4
    + [EpisodeState.PAUSED] * 1
    + [EpisodeState.WITHDRAWN] * 1
)


def build_demo() -> bool:
    """Create the demo practice unless it exists. Returns whether anything was created."""
    with scopes_disabled():
        practice = Practice.objects.filter(slug=DEMO_SLUG).first()
        if practice is not None:
            # Move today's medicine sessions to now, so the live board is alive at every start.
            with transaction.atomic():
                refresh_live_floor(practice)
            return False
        with transaction.atomic():
            _build(random.Random(20261126))  # noqa: S311 - synthetic data, not security
    return True


def _build(rng: random.Random) -> None:
    practice = Practice.objects.create(
        name="Cedar Grove Healing Collective",
        slug=DEMO_SLUG,
        time_zone="America/Denver",
        phone="+1 555 010 0100",
    )
    users = get_user_model().objects
    members = {}
    for email, name, role, title in STAFF:
        user = users.filter(email=email).first() or users.create_user(email, DEMO_PASSWORD, full_name=name)
        members[email] = Membership.objects.create(practice=practice, user=user, role=role, title=title)
    admin = members[STAFF[0][0]]
    prescriber = members[STAFF[1][0]]
    therapists = [members[STAFF[2][0]], members[STAFF[3][0]]]
    monitor = members[STAFF[4][0]]
    now = timezone.now()
    today = practice.today()
    for number, stage in enumerate(STAGES, start=1):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        born = date(today.year - rng.randint(22, 68), rng.randint(1, 12), rng.randint(1, 28))
        record_number = f"{practice.record_prefix}-{number:05d}"
        course = course_for(stage, record_number, now, practice.zone)
        created = now - timedelta(days=rng.randint(10, 200))
        if course is not None:  # the record is made a few days before the intake questionnaires
            created = course.intake - timedelta(days=rng.randint(2, 9))
        client = Client.objects.create(
            practice=practice,
            record_number=record_number,
            legal_first_name=first,
            legal_last_name=last,
            preferred_name=rng.choice(["", "", "", first[:3]]),
            pronouns=rng.choice(PRONOUNS),
            date_of_birth=born,
            email=f"{first.lower()}.{last.lower()}{number}@example.com",
            phone=f"+1 555 01{number:02d} {rng.randint(1000, 9999)}",
            emergency_contact_name=f"{rng.choice(FIRST)} {last}",
            emergency_contact_relationship=rng.choice(["partner", "sibling", "parent", "friend"]),
            emergency_contact_phone=f"+1 555 02{number:02d} {rng.randint(1000, 9999)}",
            created_by=admin.user,
            created_at=created,
        )
        therapist = therapists[number % 2]
        team = [(therapist, CareTeamRole.LEAD_THERAPIST), (prescriber, CareTeamRole.PRESCRIBER)]
        if stage in (EpisodeState.TREATMENT, EpisodeState.PREPARATION):
            team.append((monitor, DEFAULT_CARE_TEAM_ROLE[Role.MONITOR]))
        for membership, role in team:
            CareTeamMember.objects.create(
                practice=practice, client=client, membership=membership, role=role, added_by=admin.user
            )
        opened = client.created_at
        Episode.objects.create(
            practice=practice,
            client=client,
            state=stage,
            opened_at=opened,
            state_changed_at=opened + timedelta(days=rng.randint(1, 9)),
            closed_at=closing(now) if stage == EpisodeState.CLOSED else None,
        )
        log_event(
            action="clients.client.created", obj=client, actor=admin.user, practice=practice, role=Role.ADMIN
        )
        add_measures(rng, client, stage, course, therapist.user, now)
    practice.next_record_number = len(STAGES) + 1
    practice.save(update_fields=["next_record_number"])
    plan_for(practice)
    in_treatment = [
        c
        for c in Client.objects.filter(practice=practice).order_by("record_number")
        if c.episodes.first().state in (EpisodeState.TREATMENT, EpisodeState.FOLLOW_UP)
    ]
    add_portal(rng, practice, in_treatment[1:], therapists[0].user, DEMO_PASSWORD, now)
    add_screening(practice, rng, now)
    add_pathway(practice, rng, now)
    add_scheduling(practice, rng, now)
    answer_pre_session(practice, now, rng)
    add_sessions(practice, admin=admin, prescriber=prescriber, monitor=monitor, now=now, rng=rng)
    add_register_story(practice, prescriber=prescriber, monitor=monitor, password=DEMO_PASSWORD, now=now)
    add_integration_notes(rng, practice, therapists[0].user, now)


def print_logins(url: str) -> None:
    print(f"\nkapstone demo practice: {url}\n")
    print(f"  {'role':<12} {'email':<34} password")
    for email, _name, role, _title in STAFF:
        print(f"  {Role(role).label:<12} {email:<34} {DEMO_PASSWORD}")
    print(f"  {'Client':<12} {CLIENT_EMAIL:<34} {DEMO_PASSWORD}   (portal: {url}/portal/)")
    print("\nAll people in the demo are invented. Press Ctrl+C to stop.\n")
