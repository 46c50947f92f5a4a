"""Portal accounts, journals and action items for the demo practice."""

import random
from datetime import timedelta

from django.contrib.auth import get_user_model

from kapstone.integration.models import (
    DEFAULT_THEMES,
    JOURNAL_PROMPTS,
    ActionItem,
    ActionItemStatus,
    IntegrationNote,
    JournalEntry,
)
from kapstone.portal.material import material_for
from kapstone.portal.models import ClientAccount
from kapstone.sessions.models import MedicineSession

from .measures import record

CLIENT_EMAIL = "client@demo.kapstone.test"

ENTRIES = [
    "I noticed how tight my chest gets when I think about work. This time I let it be there.",
    "The music carried me somewhere I had not been since I was a child. I felt safe.",
    "My usual thought, 'you are failing again', came up and then just floated past.",
    "I want to keep the feeling that I am allowed to rest.",
    "Called my brother for the first time in months. It was awkward and good.",
]
STEPS = [
    "Walk outside for 20 minutes each morning",
    "Write three lines in the journal after each session",
    "Call my brother this weekend",
    "Say no to one extra shift this week",
]


def add_portal(rng: random.Random, practice, clients, therapist, password: str, now) -> ClientAccount:
    """A portal login for the first client, and journals and action items for several clients."""
    material_for(practice)
    first = clients[0]
    user = get_user_model().objects.create_user(CLIENT_EMAIL, password, full_name=first.display_name)
    account = ClientAccount.objects.create(practice=practice, user=user, client=first, invited_by=therapist)
    for index, client in enumerate(clients[:6]):
        for n in range(rng.randint(2, 4)):
            JournalEntry.objects.create(
                practice=practice,
                client=client,
                prompt=JOURNAL_PROMPTS[(index + n) % len(JOURNAL_PROMPTS)],
                body=ENTRIES[(index * 2 + n) % len(ENTRIES)],
                shared=(n % 2 == 0),
                created_at=now - timedelta(days=3 + 9 * n),
            )
        for n, step in enumerate(rng.sample(STEPS, 2)):
            ActionItem.objects.create(
                practice=practice,
                client=client,
                episode=client.episodes.first(),
                what=step,
                due_on=(now + timedelta(days=4 + n)).date(),
                status=ActionItemStatus.DONE if n else ActionItemStatus.OPEN,
                created_by=therapist,
                created_at=now - timedelta(days=6),
            )
    return account


SUMMARIES = [
    "Felt heavy at first, then a wave of warmth; cried when the music changed.",
    "Saw scenes from childhood without the usual fear; felt like watching from a kind distance.",
    "Mostly quiet and spacious; a sense of the body being safe.",
    "Restless in the first part, then settled; noticed how often she apologises.",
]
INSIGHTS = [
    "I don't have to earn rest.",
    "The critic is an old voice, not the truth.",
    "I can feel sad and still be okay.",
    "People want to hear from me.",
]


def add_integration_notes(rng: random.Random, practice, therapist, now) -> int:
    """An integration note (and an EBI the day after) for every discharged demo medicine session."""
    count = 0
    sessions = MedicineSession.objects.filter(practice=practice, discharge__isnull=False).select_related(
        "discharge", "episode", "client"
    )
    for session in sessions:
        ended = session.discharge.discharged_at
        if ended + timedelta(days=1) < now:
            ratings = {item: rng.randint(35, 85) for item in range(1, 7)}
            record(session.client, "ebi", ratings, ended + timedelta(days=1), session=session)
        held = ended + timedelta(days=rng.randint(1, 3))
        if held > now:
            continue
        note = IntegrationNote.objects.create(
            practice=practice,
            client=session.client,
            episode=session.episode,
            medicine_session=session,
            held_on=held.date(),
            experience_summary=rng.choice(SUMMARIES),
            themes=rng.sample(DEFAULT_THEMES, rng.randint(1, 3)),
            insights=rng.choice(INSIGHTS),
            author=therapist,
            created_at=held,
        )
        ActionItem.objects.create(
            practice=practice,
            client=session.client,
            episode=session.episode,
            note=note,
            what=rng.choice(STEPS),
            due_on=(held + timedelta(days=7)).date(),
            status=ActionItemStatus.DONE if held + timedelta(days=7) < now else ActionItemStatus.OPEN,
            created_by=therapist,
            created_at=held,
        )
        count += 1
    return count
