"""A single-use link sent twice at the same moment (a double tap, two tabs, a retrying phone) keeps the
first send, answers the other with a page, and never fails with a server error (docs/links.md, "Sent
twice at once").

The threaded tests run on PostgreSQL, where two requests really overlap and the row locks decide;
SQLite serialises whole write transactions, so there the second send finds the link spent. The
interleaving the locks guard against is also replayed step by step, on every database.
"""

import threading
from collections import Counter

import pytest
from django.db import connection, connections
from django.test import Client as Browser
from django.urls import reverse
from django.utils import timezone

from kapstone.accounts.models import Invitation
from kapstone.audit.models import AuditEvent
from kapstone.clinical import get_instrument
from kapstone.measures import services as measures
from kapstone.measures.models import Assignment, QuestionnaireResponse
from kapstone.pathway.models import ConsentDocument, ConsentKind, ConsentSignature
from kapstone.practice.models import Membership, Role
from kapstone.practice.tenancy import scopes_disabled
from tests.conftest import build_world

from ..factories import make_user

SENDS = 6
ANSWERS = {f"item_{n}": 1 for n in range(1, 10)}  # PHQ-9, every item answered

on_postgresql = pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite runs one write transaction at a time (and the in-memory test database is not shared "
    "between threads), so sends never overlap there. Run with DATABASE_URL=postgres://... to test it.",
)


def questionnaire_link(world) -> tuple[Assignment, str]:
    with scopes_disabled():
        assignment = measures.assign(None, world.client, "phq9")
        token = assignment.issue_token()
        assignment.save()
    return assignment, reverse("measures:link", args=[token])


def send_at_once(url: str, forms: list[dict]) -> list:
    """POST each form to ``url`` from its own thread and connection, released together."""
    start = threading.Barrier(len(forms))
    responses: list = [None] * len(forms)
    errors: list[BaseException] = []

    def send(n: int) -> None:
        try:
            browser = Browser()
            start.wait()
            responses[n] = browser.post(url, forms[n])
        except BaseException as error:  # an IntegrityError would surface here, not as a 500 page
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(n,)) for n in range(len(forms))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return responses


# --- Questionnaire links ---------------------------------------------------------------------------


def test_a_second_send_after_the_first_gets_the_dead_link_page_and_one_response_is_kept(client, world):
    _, url = questionnaire_link(world)
    first = client.post(url, {**ANSWERS, "submit": "1"})
    second = client.post(url, {**ANSWERS, "item_1": 3, "submit": "1"})
    assert first.status_code == 200 and "Thank you" in first.content.decode()
    assert second.status_code == 404 and "does not work any more" in second.content.decode()
    with scopes_disabled():
        (kept,) = QuestionnaireResponse.objects.filter(client=world.client)
        assert (kept.status, kept.total) == ("submitted", 9)
        assert AuditEvent.objects.filter(action="measures.response.submitted").count() == 1


def test_a_send_that_found_the_link_open_but_comes_second_keeps_the_first_answers(world, scoped):
    """Both sends looked the link up while it was open and each built a new response; the first
    commits. The second used to insert a second response for the assignment (an IntegrityError)."""
    assignment, _ = questionnaire_link(world)
    instrument = get_instrument("phq9")
    mine = measures.draft_for(world.client, instrument.id, source="link", assignment=assignment)
    theirs = measures.draft_for(world.client, instrument.id, source="link", assignment=assignment)
    first = measures.save_answers(None, mine, dict.fromkeys(range(1, 10), 1), submit=True)
    assert first.submitted
    with pytest.raises(measures.AlreadySubmitted, match="already submitted"):
        measures.save_answers(None, theirs, dict.fromkeys(range(1, 10), 2), submit=True)
    (kept,) = QuestionnaireResponse.objects.filter(assignment=assignment)
    assert kept.total == 9


def test_two_drafts_saved_from_one_link_become_one_draft(world, scoped):
    assignment, _ = questionnaire_link(world)
    mine = measures.draft_for(world.client, "phq9", source="link", assignment=assignment)
    theirs = measures.draft_for(world.client, "phq9", source="link", assignment=assignment)
    measures.save_answers(None, mine, {1: 2}, submit=False)
    saved = measures.save_answers(None, theirs, {1: 3, 2: 1}, submit=False)
    (kept,) = QuestionnaireResponse.objects.filter(assignment=assignment)
    assert kept.pk == saved.response.pk and kept.answers == {"1": 3, "2": 1}  # the later save wins


@on_postgresql
def test_sends_of_one_questionnaire_link_at_the_same_moment_keep_one_response(transactional_db):
    world = build_world()
    assignment, url = questionnaire_link(world)
    forms = [{**ANSWERS, "item_1": n % 4, "submit": "1"} for n in range(SENDS)]
    responses = send_at_once(url, forms)
    statuses = Counter(response.status_code for response in responses)
    # One thanks; the others either waited for the first (409, "already submitted") or looked the link
    # up after it was spent (404, the dead-link page). Never a 500.
    assert statuses[200] == 1 and statuses[200] + statuses[409] + statuses[404] == SENDS
    for response in responses:
        if response.status_code == 409:
            assert "This questionnaire was already submitted" in response.content.decode()
    with scopes_disabled():
        assert QuestionnaireResponse.objects.filter(assignment=assignment).count() == 1
        assert Assignment.objects.get(pk=assignment.pk).completed_at is not None
        assert AuditEvent.objects.filter(action="measures.response.submitted").count() == 1


# --- Consent links and invitations ---------------------------------------------------------------


@on_postgresql
def test_sends_of_one_consent_link_at_the_same_moment_sign_once(transactional_db):
    world = build_world()
    with scopes_disabled():
        document = ConsentDocument.objects.create(
            practice=world.practice, kind=ConsentKind.TREATMENT, version=1, title="Consent", text="I agree."
        )
        signature = ConsentSignature(
            practice=world.practice,
            document=document,
            client=world.client,
            episode=world.client.episodes.first(),
            requested_at=timezone.now(),
        )
        token = signature.issue_token()
        signature.save()
    form = {"typed_name": "Alex Example", "agree": "on", "text_sha256": document.sha256}
    responses = send_at_once(reverse("pathway:sign", args=[token]), [form] * SENDS)
    pages = [(r.status_code, r.content.decode()) for r in responses]
    assert sum("Thank you, you have signed" in page for _, page in pages) == 1
    # The others waited for the first and were told, or found the link spent: never a 500.
    for status, page in pages:
        told = "Thank you, you have signed" in page or "already been used" in page
        assert (status == 200 and told) or (status == 404 and "does not work any more" in page)
    assert AuditEvent.objects.filter(action="pathway.consent.signed").count() == 1


def staff_invitation(world) -> tuple[Invitation, str]:
    invitee = make_user(password=None)
    Membership.objects.create(practice=world.practice, user=invitee, role=Role.THERAPIST)
    invitation, token = Invitation.issue(
        user=invitee, practice=world.practice, created_by=world.members["admin"].user
    )
    return invitation, reverse("accounts:invitation", args=[token])


def portal_invitation(world) -> tuple[Invitation, str]:
    user = world.client_account.user
    invitation, token = Invitation.issue(
        user=user, practice=world.practice, created_by=world.members["therapist"].user
    )
    return invitation, reverse("portal:welcome", args=[token])


def password_forms() -> list[dict]:
    passwords = [f"a quiet lake number {n} in the morning" for n in range(SENDS)]
    return [{"new_password1": p, "new_password2": p} for p in passwords]


def test_an_invitation_is_used_once(world):
    invitation, _ = staff_invitation(world)
    assert invitation.mark_used() is True
    assert Invitation.objects.get(pk=invitation.pk).mark_used() is False


@on_postgresql
@pytest.mark.parametrize("issue", [staff_invitation, portal_invitation], ids=["staff", "portal"])
def test_sends_of_one_invitation_at_the_same_moment_set_one_password(transactional_db, issue):
    world = build_world()
    invitation, url = issue(world)
    forms = password_forms()
    responses = send_at_once(url, forms)
    winners = [n for n, response in enumerate(responses) if response.status_code == 302]
    assert len(winners) == 1
    assert all(response.status_code in (302, 404) for response in responses)
    invitation.user.refresh_from_db()
    assert invitation.user.check_password(forms[winners[0]]["new_password1"])
