import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from kapstone.accounts.models import Invitation
from kapstone.integration.models import JournalEntry
from kapstone.measures import services as measures
from kapstone.practice.tenancy import scopes_disabled

from ..factories import PASSWORD
from .accessibility import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def portal_sign_in(page, live_server, user):
    page.goto(live_server.url + reverse("portal:login"))
    assert_accessible(page)
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_client_ebi_journal_and_action_item_round_trip(browser, live_server, live_world, page, sign_in):
    with scopes_disabled():
        measures.assign(None, live_world.client, "ebi")
        other_entry = JournalEntry.objects.create(
            practice=live_world.practice, client=live_world.unassigned_client, body="Someone else's words"
        )
    phone = browser.new_context(**PHONE)
    mobile = phone.new_page()
    with scopes_disabled():
        _, token = Invitation.issue(
            user=live_world.client_account.user,
            practice=live_world.practice,
            created_by=live_world.members["therapist"].user,
        )
    mobile.goto(live_server.url + reverse("portal:welcome", args=[token]))  # the invitation's page
    expect(mobile.get_by_role("heading", level=1)).to_contain_text("Welcome")
    assert_accessible(mobile)
    portal_sign_in(mobile, live_server, live_world.client_account.user)
    expect(mobile.get_by_role("heading", level=1)).to_contain_text("Hello")
    assert_accessible(mobile)

    mobile.get_by_role("link", name=re.compile(r"Fill in a questionnaire \(EBI\)")).click()
    assert_accessible(mobile)
    for number, rating in enumerate([70, 55, 80, 40, 65, 60], start=1):
        mobile.locator(f"#q{number}").get_by_role("spinbutton").fill(str(rating))
    mobile.get_by_role("button", name="Send my answers").click()
    expect(mobile.get_by_role("heading", level=1)).to_have_text("Thank you")

    mobile.get_by_role("navigation", name="Portal").get_by_role("link", name="Journal").click()
    assert_accessible(mobile)
    mobile.get_by_label("Your entry").fill("During the session I felt my grief without pushing it away.")
    mobile.get_by_label("Share with my care team").check()
    mobile.get_by_role("button", name="Save entry").click()
    expect(mobile.get_by_text("Shared with your care team").first).to_be_visible()

    mobile.get_by_role("link", name=re.compile("Open or change this entry")).first.click()
    expect(mobile.get_by_role("heading", level=1)).to_have_text("Journal entry")
    assert_accessible(mobile)
    for name in ("Progress", "Reminders", "Questionnaires", "Intentions", "Consents", "Reading"):
        mobile.get_by_role("navigation", name="Portal").get_by_role("link", name=name).click()
        expect(
            mobile.get_by_role("navigation", name="Portal").get_by_role("link", name=name)
        ).to_have_attribute("aria-current", "page")
        assert_accessible(mobile)
    # Another client's journal entry does not exist for this client.
    response = mobile.goto(live_server.url + reverse("portal:journal_entry", args=[other_entry.pk]))
    assert response.status == 404

    sign_in(live_world.members["therapist"].user)
    page.goto(live_server.url + reverse("integration:client", args=[live_world.client.pk]))
    expect(page.get_by_text("I felt my grief without pushing it away.")).to_be_visible()
    page.get_by_label("What").fill("Walk by the river twice this week")
    page.get_by_role("button", name="Add action item").click()
    expect(page.get_by_text("Action item added.")).to_be_visible()

    mobile.goto(live_server.url + reverse("portal:home"))
    expect(mobile.get_by_text("Walk by the river twice this week")).to_be_visible()
    assert_accessible(mobile)
    phone.close()
