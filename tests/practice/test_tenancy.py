import pytest
from django_scopes import ScopeError

from kapstone.clients.access import visible_clients
from kapstone.clients.models import Client
from kapstone.practice.tenancy import practice_scope

from ..factories import make_client, make_member, make_practice


def test_a_clinical_query_without_a_practice_scope_is_refused(db):
    make_client(make_practice())
    with pytest.raises(ScopeError):
        list(Client.objects.all())


def test_a_practice_scope_only_ever_sees_that_practices_rows(db):
    a, b = make_practice(), make_practice()
    mine, _theirs = make_client(a), make_client(b)
    with practice_scope(a):
        assert list(Client.objects.all()) == [mine]
        assert Client.objects.filter(pk=_theirs.pk).count() == 0
    with practice_scope(None):
        assert Client.objects.count() == 0


def test_visible_clients_are_the_admins_whole_practice_or_a_members_care_team(db):
    practice = make_practice()
    admin, therapist = make_member(practice, "admin"), make_member(practice, "therapist")
    theirs = make_client(practice, care_team=[therapist])
    other = make_client(practice)
    with practice_scope(practice):
        assert set(visible_clients(admin)) == {theirs, other}
        assert list(visible_clients(therapist)) == [theirs]


def test_every_practice_scoped_model_refuses_unscoped_queries(db):
    """A model that replaces its scoped manager (e.g. with QuerySet.as_manager()) would leak rows."""
    from django.apps import apps

    from kapstone.practice.tenancy import PracticeScopedModel

    scoped_models = [model for model in apps.get_models() if issubclass(model, PracticeScopedModel)]
    assert len(scoped_models) > 10
    for model in scoped_models:
        with pytest.raises(ScopeError):
            list(model.objects.all())
