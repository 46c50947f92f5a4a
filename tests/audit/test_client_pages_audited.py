"""Every page of a client's record leaves a read event for that client in the audit trail (docs/audit.md).

The URL list is walked from the resolver, as the permission matrix does, so a new client page that
forgets ``log_event`` fails here. Arguments come from the matrix's own specs and kinds.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from kapstone.audit.models import AuditEvent

from ..test_permission_matrix import MATRIX, url_for

CLIENT_ARGUMENT = "<uuid:client_id>"
PREFERRED_ROLES = ("therapist", "prescriber", "monitor", "admin", "front_desk")


def client_routes(patterns=None, namespace="", prefix=""):
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from client_routes(entry.url_patterns, inner, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and entry.name and CLIENT_ARGUMENT in prefix + str(entry.pattern):
            yield f"{namespace}{entry.name}"


def client_pages():
    """The client URLs that show a page on GET, each with a role that may open it."""
    for name in sorted(set(client_routes())):
        spec = MATRIX[name]
        if spec.method != "get":
            continue  # a POST changes something; each change writes its own event
        role = next((role for role in PREFERRED_ROLES if spec.expected.get(role) == 200), None)
        if role is not None:
            yield pytest.param(name, role, id=name)


def test_the_walk_finds_the_client_pages():
    names = {param.values[0] for param in client_pages()}
    assert {"clients:detail", "measures:client", "sessions:client", "integration:note"} <= names


@pytest.mark.parametrize(("name", "role"), list(client_pages()))
def test_opening_a_client_page_is_audited(client, world, name, role, scoped):
    spec = MATRIX[name]
    url = url_for(name, spec, world, world.client)
    before = set(AuditEvent.objects.filter(client_id=world.client.pk).values_list("pk", flat=True))
    client.force_login(world.members[role].user)
    response = client.get(url)
    assert response.status_code == 200, url
    new = AuditEvent.objects.filter(client_id=world.client.pk).exclude(pk__in=before)
    actions = list(new.values_list("action", flat=True))
    # A download of a client's document is a read too.
    read = ("viewed", "downloaded")
    assert any(action.endswith(read) for action in actions), f"{url} wrote {actions or 'no event'}"
