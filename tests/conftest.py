from dataclasses import dataclass, field

import pytest

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
