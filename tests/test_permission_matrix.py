"""Every URL of the project x every role x own practice / not on the care team / other practice.

The URL list is walked from the resolver, so a new URL that is not in a spec module under
``tests/permission_specs/`` fails ``test_every_url_is_in_the_matrix``. Expected statuses are written
out by hand per role: they are the policy, stated independently of the permissions module.
"""

import importlib
import pkgutil

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from . import permission_specs
from .api.builders import bearer
from .conftest import ROLES

MATRIX, KINDS = {}, {}
for module_info in pkgutil.iter_modules(permission_specs.__path__):
    module = importlib.import_module(f"{permission_specs.__name__}.{module_info.name}")
    assert not set(module.SPECS) & set(MATRIX), f"{module_info.name} repeats a URL"
    MATRIX.update(module.SPECS)
    KINDS.update(module.KINDS)


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
    assert {spec.kind for spec in MATRIX.values() if spec.kind} <= set(KINDS)


def url_for(name, spec, world, target_client):
    if spec.kind is None:
        return reverse(name)
    return reverse(name, args=KINDS[spec.kind].args(world, target_client))


def expected_status(spec, role, relation):
    own = spec.expected[role]
    kind = KINDS.get(spec.kind)
    if relation == "own" or kind is None:
        return own
    if kind.client_scoped:
        # Not on the care team: only an admin sees the client; another practice: nobody does.
        return own if relation == "not_on_team" and role == "admin" else 404
    if kind.portal_object:
        return own  # staff never reach portal pages, whoever's they are
    if kind.practice_object and relation == "other_practice":
        return 403 if own == 403 else 404
    return own


def fetch(client, spec, url, member=None):
    headers = bearer(member) if spec.bearer and member is not None else {}
    if spec.method == "post" and spec.bearer:
        return client.post(url, spec.data or {}, content_type="application/json", headers=headers)
    if spec.method == "post":
        return client.post(url, spec.data or {})
    return client.get(url, headers=headers)


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
        kind = KINDS.get(spec.kind)
        relations = (
            ["own", "not_on_team", "other_practice"]
            if kind and kind.client_scoped
            else ["own", "other_practice"]
        )
        for role in ROLES:
            for relation in relations:
                yield pytest.param(name, role, relation, id=f"{name}-{role}-{relation}")


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_a_signed_in_client(client, world, name, scoped):
    """A client signed in to the portal reaches their own pages and nothing of staff."""
    spec = MATRIX[name]
    url = url_for(name, spec, world, world.client)
    client.force_login(world.client_account.user)
    assert fetch(client, spec, url).status_code == spec.client_status(), url


@pytest.mark.parametrize(
    "name", sorted(n for n, s in MATRIX.items() if s.kind and KINDS[s.kind].portal_object)
)
def test_a_client_cannot_reach_another_clients_portal_pages(client, world, name, scoped):
    spec = MATRIX[name]
    url = url_for(name, spec, world, world.unassigned_client)
    client.force_login(world.client_account.user)
    assert fetch(client, spec, url).status_code == 404, url


@pytest.mark.parametrize(("name", "role", "relation"), list(signed_in_cases()))
def test_signed_in(client, world, name, role, relation, scoped):
    spec = MATRIX[name]
    member = world.other_members[role] if relation == "other_practice" else world.members[role]
    target = world.unassigned_client if relation == "not_on_team" else world.client
    url = url_for(name, spec, world, target)
    client.force_login(member.user)
    response = fetch(client, spec, url, member)
    assert response.status_code == expected_status(spec, role, relation), url
