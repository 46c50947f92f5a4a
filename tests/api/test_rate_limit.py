"""Each token has its own rate limit: past it, 429 with Retry-After, and other tokens carry on."""

import pytest
from django.test import override_settings

from ..test_settings_checks import kapstone_check
from .builders import bearer


@override_settings(KAPSTONE_API_RATE="3/min")
def test_past_the_rate_a_token_waits_and_others_do_not(client, world):
    busy, calm = bearer(world.members["therapist"]), bearer(world.members["therapist"])
    statuses = [client.get("/api/v1/clients", headers=busy).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = client.get("/api/v1/clients", headers=busy)
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused.json() == {"detail": "Too many requests."}
    assert client.get("/api/v1/clients", headers=calm).status_code == 200


@pytest.mark.parametrize("rate", ["0/min", "lots", "120/fortnight"])
def test_a_nonsense_rate_is_refused_by_name(tmp_path, rate):
    result = kapstone_check(tmp_path, KAPSTONE_API_RATE=rate)
    assert result.returncode != 0
    assert "KAPSTONE_API_RATE must look like 120/min" in result.stderr


def test_a_rate_per_hour_is_accepted(tmp_path):
    assert kapstone_check(tmp_path, KAPSTONE_API_RATE="2000/hour").returncode == 0
