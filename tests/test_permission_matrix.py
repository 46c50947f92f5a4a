"""Every URL of the project x every role x own practice / not on the care team / other practice.

The URL list is walked from the resolver, so a new URL that is not in MATRIX fails
``test_every_url_is_in_the_matrix``. Expected statuses are written out by hand per role: they are
the policy, stated independently of the permissions module that implements it.
"""

from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from kapstone.accounts.models import Invitation
from kapstone.measures import services as measures_services
from kapstone.measures.models import SafetyAlert
from kapstone.measures.plan import plan_for

from .conftest import ROLES

ALL_200 = dict.fromkeys(ROLES, 200)
ALL_302 = dict.fromkeys(ROLES, 302)


def only(*roles, ok=200):
    return {role: ok if role in roles else 403 for role in ROLES}


CLINICAL_200 = only("admin", "prescriber", "therapist", "monitor")
CLINICAL_302 = only("admin", "prescriber", "therapist", "monitor", ok=302)


@dataclass(frozen=True)
class Spec:
    expected: dict | None = None  # status per role, signed in to the URL's own practice and care team
    kind: str | None = None  # which object the URL needs: client, care_team_member, membership, invitation
    method: str = "get"
    public: bool = False  # reachable signed out (anonymous status is then expected[None])
    anonymous: int = 302  # status for a signed-out visitor


MATRIX = {
    "healthz": Spec(public=True, anonymous=200),
    "home:index": Spec(ALL_200),
    # accounts: every signed-in user has their own account pages
    "accounts:login": Spec(ALL_302, public=True, anonymous=200),  # signed in: sent on to home
    "accounts:logout": Spec(ALL_302, method="post", public=True),
    "accounts:verify": Spec(ALL_200),
    "accounts:enroll": Spec(ALL_200),
    "accounts:recovery_codes": Spec(ALL_200),
    "accounts:security": Spec(ALL_200),
    "accounts:password_change": Spec(ALL_200),
    "accounts:switch_practice": Spec(ALL_302, method="post"),
    "accounts:invitation": Spec(ALL_200, kind="invitation", public=True, anonymous=200),
    # clients
    "clients:list": Spec(ALL_200),
    "clients:create": Spec(only("admin", "prescriber", "therapist", "front_desk")),
    "clients:detail": Spec(ALL_200, kind="client"),
    "clients:edit": Spec(only("admin", "prescriber", "therapist", "front_desk"), kind="client"),
    "clients:care_team": Spec(only("admin", "prescriber", "therapist", "front_desk"), kind="client"),
    "clients:care_team_remove": Spec(
        only("admin", "prescriber", "therapist", "front_desk", ok=302), kind="care_team_member", method="post"
    ),
    # practice administration
    "practice:staff": Spec(only("admin")),
    "practice:staff_invite": Spec(only("admin")),
    "practice:staff_edit": Spec(only("admin"), kind="membership"),
    "audit:events": Spec(only("admin")),
    # measures: clinical roles only, except the due list (front desk sends reminders)
    "measures:client": Spec(CLINICAL_200, kind="client"),
    "measures:choose": Spec(CLINICAL_302, kind="client"),
    "measures:administer": Spec(CLINICAL_200, kind="client_instrument"),
    "measures:response": Spec(CLINICAL_200, kind="response"),
    "measures:assign": Spec(CLINICAL_302, kind="client", method="post"),
    "measures:assign_plan": Spec(CLINICAL_302, kind="client", method="post"),
    "measures:new_link": Spec(CLINICAL_200, kind="assignment", method="post"),
    "measures:acknowledge": Spec(CLINICAL_200, kind="alert"),
    "measures:alerts": Spec(CLINICAL_200),
    "measures:due": Spec(ALL_200),
    "measures:outcomes": Spec(CLINICAL_200),
    "measures:plan": Spec(only("admin")),
    "measures:plan_remove": Spec(only("admin", ok=302), kind="plan_item", method="post"),
    "measures:link": Spec(ALL_200, kind="link", public=True, anonymous=200),
}

CLIENT_KINDS = {"client", "care_team_member", "client_instrument", "response", "assignment", "alert"}


def all_url_names(patterns=None, namespace=""):
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from all_url_names(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}"


def test_every_url_is_in_the_matrix():
    names = set(all_url_names())
    assert names - set(MATRIX) == set(), "add these URLs to the permission matrix"
    assert set(MATRIX) - names == set(), "these matrix entries name URLs that no longer exist"


def url_for(name, spec, world, target_client):
    if spec.kind is None:
        return reverse(name)
    if spec.kind == "client":
        return reverse(name, args=[target_client.pk])
    if spec.kind == "care_team_member":
        member = target_client.care_team.first()
        return reverse(name, args=[target_client.pk, member.pk])
    if spec.kind == "client_instrument":
        return reverse(name, args=[target_client.pk, "phq9"])
    if spec.kind in {"response", "assignment", "alert"}:
        return reverse(name, args=[target_client.pk, measures_object(spec.kind, target_client).pk])
    if spec.kind == "plan_item":
        return reverse(name, args=[plan_for(world.practice)[0].pk])
    if spec.kind == "link":
        assignment = measures_services.assign(None, world.client, "gad7")
        return reverse(name, args=[measures_services.issue_link(None, assignment)])
    if spec.kind == "membership":
        return reverse(name, args=[world.members["therapist"].pk])
    if spec.kind == "invitation":
        invitee = world.members["monitor"].user
        _, token = Invitation.issue(
            user=invitee, practice=world.practice, created_by=world.members["admin"].user
        )
        return reverse(name, args=[token])
    raise AssertionError(spec.kind)


def measures_object(kind, client):
    assignment = measures_services.assign(None, client, "phq9")
    if kind == "assignment":
        return assignment
    draft = measures_services.draft_for(client, "phq9", source="staff", assignment=assignment)
    answers = dict.fromkeys(range(1, 9), 0) | {9: 1}
    outcome = measures_services.save_answers(None, draft, answers, submit=True)
    if kind == "response":
        return outcome.response
    return SafetyAlert.objects.get(response=outcome.response)


def expected_status(spec, role, relation):
    own = spec.expected[role]
    if relation == "own":
        return own
    if spec.kind in CLIENT_KINDS:
        # Not on the care team: only an admin sees the client; another practice: nobody does.
        return own if relation == "not_on_team" and role == "admin" else 404
    if spec.kind in {"membership", "plan_item"} and relation == "other_practice":
        return 403 if own == 403 else 404
    return own


def fetch(client, spec, url):
    if spec.method == "post":
        return client.post(url, {"practice": ""})
    return client.get(url)


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_anonymous(client, world, name, scoped):
    spec = MATRIX[name]
    url = url_for(name, spec, world, world.client)
    response = fetch(client, spec, url)
    assert response.status_code == spec.anonymous, url
    if spec.anonymous == 302 and not spec.public:
        assert response["Location"].startswith(reverse("accounts:login"))


def signed_in_cases():
    for name, spec in sorted(MATRIX.items()):
        if not spec.expected:
            continue
        # Only client pages depend on the care team.
        relations = (
            ["own", "not_on_team", "other_practice"]
            if spec.kind in CLIENT_KINDS
            else ["own", "other_practice"]
        )
        for role in ROLES:
            for relation in relations:
                yield pytest.param(name, role, relation, id=f"{name}-{role}-{relation}")


@pytest.mark.parametrize(("name", "role", "relation"), list(signed_in_cases()))
def test_signed_in(client, world, name, role, relation, scoped):
    spec = MATRIX[name]
    member = world.other_members[role] if relation == "other_practice" else world.members[role]
    target = world.unassigned_client if relation == "not_on_team" else world.client
    url = url_for(name, spec, world, target)
    client.force_login(member.user)
    response = fetch(client, spec, url)
    assert response.status_code == expected_status(spec, role, relation), url
