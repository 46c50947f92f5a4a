"""The request a staff page hands to a service, as a type.

``StaffAccessMiddleware`` (``kapstone.practice.middleware``) sets the member's practice and membership
on every request, and a staff view runs only for a signed-in member (``docs/permissions.md``). Services
that change state take a ``StaffRequest`` for the actor, role, practice and address they audit;
background jobs pass ``None`` where a service allows it.
"""

from django.http import HttpRequest

from kapstone.accounts.models import User
from kapstone.practice.models import Membership, Practice


class StaffRequest(HttpRequest):
    user: User
    practice: Practice
    membership: Membership
    memberships: list[Membership]
