"""Every page carries a strict Content Security Policy; scripts run only with the response's nonce."""

import logging
import re

from django.urls import reverse

from .factories import PASSWORD


def test_pages_have_a_strict_csp_and_scripts_carry_its_nonce(client, db):
    response = client.get(reverse("accounts:login"))
    policy = response["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    assert "script-src 'self' 'nonce-" in policy
    assert "style-src 'self'" in policy and "'unsafe-inline'" not in policy
    assert "frame-ancestors 'none'" in policy
    scripts = re.findall(r"<script[^>]*>", response.content.decode())
    assert scripts and all(f'nonce="{nonce}"' in tag for tag in scripts)
    assert response["X-Frame-Options"] == "DENY"


def test_a_new_nonce_for_every_response(client, db):
    policies = {client.get(reverse("accounts:login"))["Content-Security-Policy"] for _ in range(3)}
    assert len(policies) == 3


def test_no_client_data_reaches_the_application_log(client, world, caplog, scoped):
    caplog.set_level(logging.DEBUG)
    therapist = world.members["therapist"].user
    client.post(reverse("accounts:login"), {"username": therapist.email, "password": "wrong"})
    client.post(reverse("accounts:login"), {"username": therapist.email, "password": PASSWORD})
    client.get(reverse("clients:list"), {"q": world.client.legal_last_name})
    client.get(reverse("clients:detail", args=[world.client.pk]))
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for secret in (therapist.email, world.client.legal_last_name, world.client.legal_first_name, "wrong"):
        assert secret not in logged
