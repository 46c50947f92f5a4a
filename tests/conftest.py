from dataclasses import dataclass, field

import pytest
from django.db import connection

from kapstone.practice.models import Membership, Practice, Role
from kapstone.practice.tenancy import practice_scope, scopes_disabled

from .factories import make_client, make_client_account, make_member, make_practice

ROLES = [role.value for role in Role]


@dataclass
class World:
    """Two practices with one member per role each; in practice A a client whose care team has every
    non-admin member of A, and a client whose care team has only an outsider therapist."""

    practice: Practice
    other_practice: Practice
    members: dict[str, Membership] = field(default_factory=dict)
    other_members: dict[str, Membership] = field(default_factory=dict)
    client: object = None
    unassigned_client: object = None
    outsider: Membership | None = None
    client_account: object = None  # portal account of `client`
    other_client_account: object = None  # portal account of `unassigned_client`


def build_world() -> World:
    a, b = make_practice(name="Riverbend KAP"), make_practice(name="Hillside Clinic")
    w = World(practice=a, other_practice=b)
    for role in ROLES:
        w.members[role] = make_member(a, role, full_name=f"A {role}")
        w.other_members[role] = make_member(b, role, full_name=f"B {role}")
    w.outsider = make_member(a, Role.THERAPIST, full_name="A outsider therapist")
    team = [m for role, m in w.members.items() if role != Role.ADMIN]
    w.client = make_client(a, care_team=team, episode_state="screening")
    w.unassigned_client = make_client(a, care_team=[w.outsider])
    w.client_account = make_client_account(w.client)
    w.other_client_account = make_client_account(w.unassigned_client)
    return w


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture
def scoped():
    """Run ORM queries of practice-scoped models in a test body without a request."""
    with scopes_disabled():
        yield


def in_practice(practice):
    return practice_scope(practice)


@pytest.fixture(scope="session", autouse=True)
def no_connection_outlives_the_run(request, django_db_blocker):
    """On PostgreSQL, end every other session on the test database before it is dropped.

    A thread of a live server or a background worker can still hold a connection when the last test
    of a worker process ends, and PostgreSQL refuses to drop a database in use; the run would then
    fail at teardown with "being accessed by other users". Set up after the database (so it is torn
    down before it); SQLite has nothing to do.
    """
    if connection.vendor != "postgresql":
        yield
        return
    request.getfixturevalue("django_db_setup")
    yield
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
