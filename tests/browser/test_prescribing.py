"""Browser test: an admin records a prescriber's DEA registration, the prescriber records a PDMP check
for a client (a reviewed result without its finding is refused and nothing typed is lost), then the
client's Spravato REMS enrolment; the client's page shows both as in order."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from kapstone.practice.tenancy import scopes_disabled
from kapstone.prescribing.gates import pdmp_refusal, prescriber_refusal, rems_refusal
from kapstone.prescribing.models import Credential, PdmpCheck, RemsEnrolment

from ..prescribing.builders import make_certification
from .accessibility import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_dea_registration_then_pdmp_check_then_rems_enrolment(page, live_server, live_world, sign_in):
    world = live_world
    admin, prescriber = world.members["admin"], world.members["prescriber"]
    with scopes_disabled():
        make_certification(world.practice, admin.user)
    today = world.practice.today()

    # The admin records the prescriber's DEA registration; a mistyped check digit is refused first
    sign_in(admin.user)
    page.goto(live_server.url + reverse("prescribing:index"))
    expect(page.get_by_role("link", name="Prescribing records")).to_have_attribute("aria-current", "page")
    page.get_by_role("link", name="Staff credentials").click()
    page.get_by_label("Staff member").select_option(str(prescriber.pk))
    page.get_by_label("Credential").select_option("dea")
    page.locator("#id_state").select_option("IL")
    page.locator("#id_number").fill("AB1234564")
    page.locator("#id_expires_on").fill(today.replace(year=today.year + 3).isoformat())
    assert_accessible(page)
    page.get_by_role("button", name="Record the credential").click()
    expect(page.get_by_role("alert")).to_contain_text("its last digit should be 3")
    expect(page.locator("#id_state")).to_have_value("IL")
    page.locator("#id_number").fill("AB1234563")
    page.get_by_role("button", name="Record the credential").click()
    expect(page.get_by_text("Recorded DEA registration AB1234563 (IL) for A prescriber.")).to_be_visible()
    expect(page.get_by_role("cell", name="AB1234563")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    # The prescriber sees it under My account, then records a PDMP check for the client
    sign_in(prescriber.user)
    page.goto(live_server.url + reverse("accounts:security"))
    page.get_by_role("link", name="My credentials").click()
    expect(page.get_by_role("cell", name="AB1234563")).to_be_visible()
    page.get_by_role("link", name="Overview").click()
    page.get_by_role("link", name=world.client.display_name).click()
    expect(page.get_by_text("No PDMP check is recorded for")).to_be_visible()
    page.get_by_role("link", name="Record a PDMP check").click()
    page.locator("#id_state").select_option("IL")
    page.get_by_label("Yes: the prescriber reviewed the result").check()
    assert_accessible(page)
    page.get_by_role("button", name="Record the check").click()
    expect(page.get_by_role("alert")).to_contain_text("Say in a few words what the reviewed result showed.")
    expect(page.get_by_label("Yes: the prescriber reviewed the result")).to_be_checked()
    page.get_by_label("Finding").fill("No other controlled-substance prescriptions in 12 months.")
    page.get_by_role("button", name="Record the check").click()
    expect(page.get_by_text("Recorded the PDMP check (IL)")).to_be_visible()
    finding = page.get_by_role("cell", name="No other controlled-substance prescriptions in 12 months.")
    expect(finding).to_be_visible()

    # ...and the client's REMS enrolment
    page.get_by_role("link", name="Record the REMS enrolment").click()
    page.get_by_label("REMS enrolment ID").fill("PT-0042817")
    page.get_by_label("The enrolment form is signed by the patient").check()
    page.get_by_label("The enrolment form is signed by the prescriber").check()
    assert_accessible(page)
    page.get_by_role("button", name="Record the enrolment").click()
    expect(page.get_by_text(f"Recorded the REMS enrolment of {world.client.display_name}.")).to_be_visible()
    expect(page.get_by_role("cell", name="PT-0042817")).to_be_visible()
    expect(page.get_by_text("Esketamine may be given in the certified setting.")).to_be_visible()
    assert_accessible(page)

    with scopes_disabled():
        assert Credential.objects.get().recorded_by == admin.user
        assert PdmpCheck.objects.get().checked_by == prescriber.user
        assert RemsEnrolment.objects.get().prescriber == prescriber.user
        assert prescriber_refusal(world.practice, prescriber.user, today) is None
        assert pdmp_refusal(world.client, today) is None
        assert rems_refusal(world.client, today) is None
