import re
from datetime import timedelta

import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from kapstone.audit.models import AuditEvent
from kapstone.measures.models import Assignment, QuestionnaireResponse


def assign_with_link(client, world, instrument="phq9", email=True):
    client.force_login(world.members["therapist"].user)
    response = client.post(
        reverse("measures:assign", args=[world.client.pk]),
        {
            "assign-instrument": instrument,
            "assign-due_on": "2026-12-01",
            **({"assign-send_email": "on"} if email else {}),
        },
    )
    url = re.search(
        r'<code id="questionnaire-link">http://testserver(/q/[^<]+/)</code>', response.content.decode()
    )
    client.logout()
    return url.group(1)


def test_a_client_completes_a_questionnaire_through_a_one_time_link(client, world, scoped):
    world.client.email = "client@example.test"
    world.client.save()
    link = assign_with_link(client, world)
    assert mail.outbox[-1].to == ["client@example.test"] and link in mail.outbox[-1].body
    page = client.get(link).content.decode()
    assert "Patient Health Questionnaire" in page and "If you need help now" in page
    # Half done, saved for later: nothing is lost.
    client.post(link, {"item_1": 2, "item_2": 2, "save": "1"})
    assert "checked" in client.get(link).content.decode()
    answers = {f"item_{n}": 0 for n in range(1, 10)} | {"item_1": 2, "item_2": 2}
    done = client.post(link, {**answers, "submit": "1"}).content.decode()
    assert "Thank you" in done and "may be going through a very hard time" not in done
    saved = QuestionnaireResponse.objects.get(client=world.client)
    assert (saved.source, saved.status, saved.total) == ("link", "submitted", 4)
    assert Assignment.objects.get(client=world.client, instrument_id="phq9").completed_at is not None
    # Single use: the link is dead once the answers are in.
    again = client.get(link)
    assert again.status_code == 404 and "does not work any more" in again.content.decode()
    assert AuditEvent.objects.filter(action="measures.link.opened", client_id=world.client.pk).exists()


def test_a_risk_answer_shows_the_practices_crisis_resources_at_once(client, world, scoped):
    world.practice.crisis_resources = "Call or text 988. Riverbend after-hours line: 555-0100."
    world.practice.save()
    link = assign_with_link(client, world, email=False)
    answers = {f"item_{n}": 0 for n in range(1, 10)} | {"item_9": 2}
    done = client.post(link, {**answers, "submit": "1"}).content.decode()
    assert "may be going through a very hard time" in done
    assert "Riverbend after-hours line: 555-0100." in done


def test_a_link_expires(client, world, scoped):
    link = assign_with_link(client, world, email=False)
    with time_machine.travel(timezone.now() + timedelta(days=world.practice.questionnaire_link_days + 1)):
        assert client.get(link).status_code == 404


def test_a_new_link_replaces_the_old_one(client, world, scoped):
    old = assign_with_link(client, world, email=False)
    assignment = Assignment.objects.get(client=world.client, instrument_id="phq9")
    client.force_login(world.members["therapist"].user)
    page = client.post(reverse("measures:new_link", args=[world.client.pk, assignment.pk])).content.decode()
    new = re.search(r"http://testserver(/q/[^<]+/)", page).group(1)
    client.logout()
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200


def test_a_guessed_token_finds_nothing(client, db):
    assert client.get(reverse("measures:link", args=["x" * 43])).status_code == 404
