"""Builders for scheduling tests: rooms, appointments at local times, readiness switched on or off."""

from datetime import datetime, timedelta

import pytest

from kapstone.pathway.models import Episode
from kapstone.pathway.transitions import Gap
from kapstone.scheduling import services
from kapstone.scheduling.models import Room

MISSING = [
    Gap("pathway.consent", "Signed consent for KAP treatment", "the client"),
    Gap("pathway.escort", "Escort named with a phone number", "a therapist or the front desk"),
]


def local(practice, *args) -> datetime:
    """An aware datetime at a wall-clock time in the practice's zone."""
    return datetime(*args, tzinfo=practice.zone)


def make_room(practice, name="Room 1", **fields):
    return Room.objects.create(practice=practice, name=name, **fields)


def ensure_episode(client, state="preparation"):
    return services.open_episode_of(client) or Episode.objects.create(
        practice=client.practice, client=client, state=state
    )


def book(client, starts_at, clinicians, *, kind="preparation", minutes=None, room=None, request=None, **kw):
    ensure_episode(client)
    return services.book_appointment(
        request,
        client,
        kind=kind,
        starts_at=starts_at,
        clinicians=clinicians,
        room=room,
        duration_minutes=minutes,
        **kw,
    )


@pytest.fixture
def ready(monkeypatch):
    """Every readiness item complete (whatever gates other apps connect)."""
    monkeypatch.setattr(services, "readiness_gaps", lambda episode: [])


@pytest.fixture
def not_ready(monkeypatch):
    monkeypatch.setattr(services, "readiness_gaps", lambda episode: list(MISSING))
    return MISSING


@pytest.fixture
def room(world, scoped):
    return make_room(world.practice)


@pytest.fixture
def tomorrow_9(world):
    day = world.practice.today() + timedelta(days=1)
    return local(world.practice, day.year, day.month, day.day, 9, 0)
