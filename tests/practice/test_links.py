"""The security properties of every secret link kind, tested once (docs/links.md).

Each kind is built through its model's own ``issue_token()`` and opened through its public URL: a wrong
token, an expired link and a used one all get the same "does not work" page (a 404), a live one opens;
only the token's SHA-256 is in the database; link pages are never cached and send no referrer to
other sites.
"""

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from kapstone.accounts.models import STAFF_INVITATION, Invitation
from kapstone.measures.models import QUESTIONNAIRE_LINK, Assignment
from kapstone.measures.tasks import send_questionnaire_link
from kapstone.pathway.models import CONSENT_LINK, ConsentDocument, ConsentKind, ConsentSignature
from kapstone.pathway.tasks import send_consent_link
from kapstone.portal.models import PORTAL_INVITATION
from kapstone.practice.links import MAX_TOKEN_LENGTH, LinkKind, new_token
from kapstone.practice.models import Membership, Role
from kapstone.practice.tenancy import scopes_disabled
from kapstone.scheduling.models import CALENDAR_FEED, CalendarFeed
from kapstone.screening.models import INTAKE_LINK, Intake
from kapstone.screening.tasks import send_intake_link

from ..factories import make_user

# Noon in Chicago on a Thursday; the expiry tests travel from here.
NOW = datetime(2026, 12, 3, 12, 0, tzinfo=ZoneInfo("America/Chicago"))


@dataclass
class Case:
    kind: LinkKind
    url_name: str
    build: Callable[[Any], Any]  # world -> an unsaved link of this kind
    spend: Callable[[Any], None] | None = None  # how the link is used up, for single-use kinds
    person_facing: bool = True  # an HTML page (not a calendar feed read by an app)


def _assignment(world):
    due = timezone.now()
    return Assignment(practice=world.practice, client=world.client, instrument_id="phq9", due_at=due)


def _complete(assignment):
    assignment.completed_at = timezone.now()
    assignment.save()


def _signature(world):
    document = ConsentDocument.objects.create(
        practice=world.practice, kind=ConsentKind.TREATMENT, version=1, title="Consent", text="I agree."
    )
    return ConsentSignature(
        practice=world.practice, document=document, client=world.client, episode=world.client.episodes.first()
    )


def _sign(signature):
    # What consent.sign does to the request, without the request.
    signature.signed_at, signature.signed_name = timezone.now(), signature.client.legal_name
    signature.end_link()
    signature.save()


def _intake(world):
    return Intake(practice=world.practice, client=world.client, episode=world.client.episodes.first())


def _staff_invitation(world):
    invitee = make_user(password=None)
    Membership.objects.create(practice=world.practice, user=invitee, role=Role.THERAPIST)
    return Invitation(practice=world.practice, user=invitee, created_by=world.members["admin"].user)


def _portal_invitation(world):
    account = world.client_account
    return Invitation(practice=world.practice, user=account.user, created_by=world.members["therapist"].user)


def _feed(world):
    return CalendarFeed(practice=world.practice, membership=world.members["therapist"])


USED = Invitation.mark_used

CASES = {
    "questionnaire": Case(QUESTIONNAIRE_LINK, "measures:link", _assignment, _complete),
    "consent": Case(CONSENT_LINK, "pathway:sign", _signature, _sign),
    "intake": Case(INTAKE_LINK, "screening:intake_form", _intake),
    "staff invitation": Case(STAFF_INVITATION, "accounts:invitation", _staff_invitation, USED),
    "portal invitation": Case(PORTAL_INVITATION, "portal:welcome", _portal_invitation, USED),
    "calendar feed": Case(CALENDAR_FEED, "scheduling:feed", _feed, person_facing=False),
}
EXPIRING = [name for name in CASES if name != "calendar feed"]
SINGLE_USE = [name for name, case in CASES.items() if case.spend]


@pytest.fixture(autouse=True)
def noon():
    with time_machine.travel(NOW, tick=False):
        yield


def issue(case: Case, world) -> tuple[Any, str, str]:
    link = case.build(world)
    token = link.issue_token()
    link.save()
    return link, token, reverse(case.url_name, args=[token])


def page_text(response) -> str:
    return re.sub(r'nonce="[^"]*"', "", response.content.decode())


def assert_link_headers(response):
    assert "no-store" in response["Cache-Control"]
    # Not "no-referrer": the browser tests post these pages' forms, which that policy would break.
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Robots-Tag"] == "noindex"


def assert_invalid(response, case: Case):
    assert response.status_code == 404
    assert_link_headers(response)
    if case.person_facing:
        page = response.content.decode()
        assert "This link does not work any more" in page
        assert f"ask {case.kind.ask} for a new link" in page
        assert case.kind.reason in page


@pytest.mark.parametrize("name", CASES)
def test_a_live_link_opens_uncached_and_sends_no_referrer_to_other_sites(client, world, scoped, name):
    case = CASES[name]
    _link, _token, url = issue(case, world)
    response = client.get(url)
    assert response.status_code == 200
    assert_link_headers(response)


@pytest.mark.parametrize("name", CASES)
def test_a_wrong_token_gets_the_invalid_page(client, world, scoped, name):
    case = CASES[name]
    issue(case, world)
    wrong, _digest = new_token()
    assert_invalid(client.get(reverse(case.url_name, args=[wrong])), case)
    assert_invalid(client.get(reverse(case.url_name, args=["x" * (MAX_TOKEN_LENGTH + 1)])), case)


@pytest.mark.parametrize("name", EXPIRING)
def test_an_expired_link_gets_the_same_page_as_a_wrong_one(client, world, scoped, name):
    case = CASES[name]
    link, _token, url = issue(case, world)
    wrong = page_text(client.get(reverse(case.url_name, args=[new_token()[0]])))
    with time_machine.travel(link.link_expires_at - timedelta(minutes=1), tick=False):
        assert client.get(url).status_code == 200
    with time_machine.travel(link.link_expires_at, tick=False):
        expired = client.get(url)
    assert_invalid(expired, case)
    assert page_text(expired) == wrong  # nothing tells an expired link from a guessed one


@pytest.mark.parametrize("name", SINGLE_USE)
def test_a_used_link_gets_the_invalid_page(client, world, scoped, name):
    case = CASES[name]
    link, _token, url = issue(case, world)
    case.spend(link)
    assert_invalid(client.get(url), case)


def test_a_revoked_calendar_feed_and_an_inactive_members_feed_stop(client, world, scoped):
    case = CASES["calendar feed"]
    feed, _token, url = issue(case, world)
    member = feed.membership
    member.is_active = False
    member.save()
    assert_invalid(client.get(url), case)
    member.is_active = True
    member.save()
    assert client.get(url).status_code == 200
    feed.delete()
    assert_invalid(client.get(url), case)


@pytest.mark.parametrize("name", CASES)
def test_only_the_tokens_sha256_is_stored(world, scoped, name):
    case = CASES[name]
    link, token, _url = issue(case, world)
    row = type(link).objects.filter(pk=link.pk).values().get()
    assert row["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert not any(token in str(value) for value in row.values())
    # A new token replaces the old one: the old link stops working.
    newer = link.issue_token()
    link.save()
    manager = type(link).objects
    assert manager.by_link(token) is None and manager.by_link(newer).pk == link.pk


@pytest.mark.parametrize("name", CASES)
def test_the_lookup_needs_no_practice_scope(world, name):
    with scopes_disabled():
        link, token, _url = issue(CASES[name], world)
    found = type(link).objects.by_link(token)
    assert found is not None and found.pk == link.pk
    assert type(link).objects.by_link("") is None


def test_every_page_says_the_same_thing_in_the_same_words(client, world, scoped):
    for case in CASES.values():
        if not case.person_facing:
            continue
        page = client.get(reverse(case.url_name, args=[new_token()[0]])).content.decode()
        assert re.search(r"<h1>This link does not work any more</h1>", page)
        assert re.search(r"If you still need it, ask [a-z ]+ for a new link", page)


@pytest.mark.parametrize(
    ("name", "task", "subject"),
    [
        ("questionnaire", send_questionnaire_link, "A short questionnaire from Riverbend KAP"),
        ("consent", send_consent_link, "A document to read and sign from Riverbend KAP"),
        ("intake", send_intake_link, "Your health questions for Riverbend KAP"),
    ],
)
def test_link_emails_say_until_when_in_the_practices_time_zone(world, scoped, name, task, subject):
    world.client.email = "client@example.test"
    world.client.save()
    # 23:30 in Chicago is already the next day in UTC: the email gives the practice's date.
    with time_machine.travel(datetime(2026, 12, 3, 23, 30, tzinfo=ZoneInfo("America/Chicago")), tick=False):
        link, _token, url = issue(CASES[name], world)
        assert task.call(str(link.pk), f"http://testserver{url}") is True
    expires = timezone.localtime(link.link_expires_at, world.practice.zone)
    message = mail.outbox[-1]
    assert message.subject == subject and message.to == ["client@example.test"]
    assert f"http://testserver{url}" in message.body
    assert f"until {expires.day} December 2026." in message.body and expires.day != link.link_expires_at.day
    assert "please do not forward it" in message.body
    assert ("It works once," in message.body) == CASES[name].kind.once


def test_no_email_without_an_address(world, scoped):
    link, _token, url = issue(CASES["questionnaire"], world)
    assert send_questionnaire_link.call(str(link.pk), url) is False
    assert mail.outbox == []


def test_a_staff_invitation_does_not_open_the_portal(client, world, scoped):
    _invitation, token, _url = issue(CASES["staff invitation"], world)
    assert_invalid(client.get(reverse("portal:welcome", args=[token])), CASES["portal invitation"])


def test_a_portal_invitation_does_not_open_the_staff_sign_up(client, world, scoped):
    _invitation, token, _url = issue(CASES["portal invitation"], world)
    assert_invalid(client.get(reverse("accounts:invitation", args=[token])), CASES["staff invitation"])
