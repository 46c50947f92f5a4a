"""Permission-matrix specs, one module per app: ``SPECS`` (URL name -> Spec) and ``KINDS``.

To add a URL: add it to the app's module here with the status each role should get when signed in to
the URL's own practice and on the client's care team. ``tests/test_permission_matrix.py`` derives the
other cases (not on the care team, another practice, signed out) and fails on any URL missing here.
"""

from collections.abc import Callable
from dataclasses import dataclass

from ..conftest import ROLES

ALL_200 = dict.fromkeys(ROLES, 200)
ALL_302 = dict.fromkeys(ROLES, 302)
ALL_403 = dict.fromkeys(ROLES, 403)


def only(*roles, ok=200):
    return {role: ok if role in roles else 403 for role in ROLES}


CLINICAL_200 = only("admin", "prescriber", "therapist", "monitor")
CLINICAL_302 = only("admin", "prescriber", "therapist", "monitor", ok=302)


@dataclass(frozen=True)
class Spec:
    expected: dict | None = None  # status per role, signed in to the URL's own practice and care team
    kind: str | None = None  # the object the URL needs (a key of some module's KINDS)
    method: str = "get"
    public: bool = False  # reachable signed out
    anonymous: int = 302  # status for a signed-out visitor
    data: dict | None = None  # POST body
    # Status for a client signed in to the portal (their own record). Default: a public URL answers
    # them as it answers anyone signed out; every staff URL refuses them (403).
    client: int | None = None
    # The open API: signed-in cases send a fresh read-write token of the member (``tests/api``), a POST
    # sends ``data`` as JSON, and without a token (signed out, a portal client) the answer is 401.
    bearer: bool = False

    def client_status(self) -> int:
        if self.client is not None:
            return self.client
        return self.anonymous if self.public else 403


@dataclass(frozen=True)
class Kind:
    """How to build a URL's arguments for a target client (or, for practice objects, the world)."""

    args: Callable  # (world, target_client) -> list of URL arguments
    client_scoped: bool = False  # belongs to one client: hidden (404) outside the care team
    practice_object: bool = False  # belongs to the practice: another practice's admin gets 404
    portal_object: bool = False  # belongs to one client's portal: another client gets 404
