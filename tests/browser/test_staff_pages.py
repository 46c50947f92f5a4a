import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from kapstone.clients.models import CareTeamMember, Client
from kapstone.practice.tenancy import scopes_disabled

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOMES = {
    "admin": "Practice overview",
    "prescriber": "My clients",
    "therapist": "My clients",
    "monitor": "Monitoring",
    "front_desk": "Front desk",
}


@pytest.mark.parametrize("role", list(HOMES))
def test_each_role_signs_in_and_lands_on_its_home(page, live_server, live_world, sign_in, role):
    sign_in(live_world.members[role].user)
    expect(page).to_have_url(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text(HOMES[role])
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Audit trail")).to_have_count(1 if role == "admin" else 0)
    if role != "admin":
        expect(page.get_by_role("link", name=live_world.client.display_name)).to_be_visible()


def test_a_therapist_creates_a_client_and_adds_a_monitor_to_the_care_team(
    page, live_server, live_world, sign_in
):
    sign_in(live_world.members["therapist"].user)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Clients").click()
    page.get_by_role("link", name="New client").click()
    page.get_by_label("Legal first name").fill("Harriet")
    page.get_by_label("Legal last name").fill("Vanterpool")
    page.get_by_label("Pronouns").fill("she/her")
    page.get_by_label("Date of birth").fill("1979-11-30")
    page.get_by_label("Emergency contact name").fill("Lionel Vanterpool")
    page.get_by_role("button", name="Save").click()
    # The emergency contact has no phone: the form says so and keeps everything typed.
    expect(page.get_by_role("alert")).to_contain_text("Add a phone number for the emergency contact.")
    expect(page.get_by_label("Legal last name")).to_have_value("Vanterpool")
    page.get_by_label("Emergency contact phone").fill("+1 555 010 0777")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Harriet Vanterpool")
    expect(page.get_by_text(re.compile(r"Record K-00001"))).to_be_visible()
    page.get_by_role("link", name="Care team").first.click()
    monitor = live_world.members["monitor"]
    page.get_by_label("Staff member").select_option(label=f"{monitor.display_name} (Monitor)")
    page.get_by_role("button", name="Add to care team").click()
    expect(page.get_by_text(f"Added {monitor.display_name} to the care team.")).to_be_visible()
    expect(page.get_by_role("cell", name=monitor.display_name, exact=True)).to_be_visible()
    with scopes_disabled():
        client = Client.objects.get(legal_last_name="Vanterpool")
        assert CareTeamMember.objects.filter(client=client, membership=monitor).exists()


def test_a_therapist_not_on_the_care_team_gets_a_not_found_page(page, live_server, live_world, sign_in):
    sign_in(live_world.members["therapist"].user)
    response = page.goto(live_server.url + reverse("clients:detail", args=[live_world.unassigned_client.pk]))
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page.get_by_text(live_world.unassigned_client.legal_last_name)).to_have_count(0)
