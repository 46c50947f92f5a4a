import pytest
from django.urls import reverse
from playwright.sync_api import expect

from kapstone.integration.models import IntegrationNote
from kapstone.practice.tenancy import scopes_disabled

from ..sessions.builders import discharged_session
from .test_portal import PHONE, portal_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SECRET = "I noticed my own impatience when she described her father."


def test_a_psychotherapy_note_is_invisible_to_a_prescriber_and_to_the_client(
    browser, live_server, live_world, page, sign_in
):
    with scopes_disabled():
        session = discharged_session(live_world.client, live_world)
    sign_in(live_world.members["therapist"].user)
    page.goto(live_server.url + reverse("integration:client", args=[live_world.client.pk]))
    page.get_by_role("link", name="Write the integration note for session 1").click()
    page.get_by_label("Experience summary").fill("Tearful, then calm; saw her father differently.")
    page.get_by_label("Softening the inner critic").check()
    page.get_by_role("button", name="Save note").click()
    expect(page.get_by_text("Integration note saved.")).to_be_visible()
    page.get_by_role("link", name="Write a private note").click()
    page.get_by_label("Private process note").fill(SECRET)
    page.get_by_role("button", name="Save private note").click()
    expect(page.get_by_role("link", name="Open your private note")).to_be_visible()
    with scopes_disabled():
        note = IntegrationNote.objects.get(medicine_session=session)

    page.get_by_role("button", name="Sign out").click()
    sign_in(live_world.members["prescriber"].user)
    page.goto(live_server.url + reverse("integration:note", args=[live_world.client.pk, note.pk]))
    expect(page.get_by_role("definition").filter(has_text="Tearful, then calm")).to_be_visible()
    expect(page.get_by_text(SECRET)).to_have_count(0)
    page.goto(
        live_server.url + reverse("integration:psychotherapy_note", args=[live_world.client.pk, note.pk])
    )
    expect(page.get_by_label("Private process note")).to_have_value("")

    phone = browser.new_context(**PHONE)
    mobile = phone.new_page()
    portal_sign_in(mobile, live_server, live_world.client_account.user)
    for path in ("portal:home", "portal:journal", "portal:progress", "portal:intentions"):
        mobile.goto(live_server.url + reverse(path))
        expect(mobile.get_by_text(SECRET)).to_have_count(0)
    response = mobile.goto(
        live_server.url + reverse("integration:psychotherapy_note", args=[live_world.client.pk, note.pk])
    )
    assert response.status == 403
    phone.close()
