import pytest

from kapstone.pathway import readiness


@pytest.fixture
def no_gaps(monkeypatch):
    """Every readiness requirement met (the other apps' gates are tested in their own apps)."""
    monkeypatch.setattr(readiness, "readiness_gaps", lambda episode: [])


@pytest.fixture
def login(client):
    def login(member):
        client.force_login(member.user)
        return client

    return login
