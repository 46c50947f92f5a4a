"""On the board, a dangerous vital reads as critical in colour, icon and word; a warning in amber with
its own word; and the dose page refuses a dose while the pre-dose BP is in the crisis band."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from kapstone.measures.models import SafetyAlert
from kapstone.practice.tenancy import scopes_disabled
from kapstone.sessions import services
from kapstone.sessions.models import DoseAdministration

from ..sessions.builders import confirm, dose, make_session, request_for, vitals
from .accessibility import assert_accessible
from .test_sessions import TABLET, card, record_vitals_in_dialog, sign_in_on

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RED, AMBER = "rgb(164, 38, 29)", "rgb(122, 79, 0)"  # --red and --amber in kapstone.css


@pytest.fixture
def tablet(browser, live_server):
    context = browser.new_context(**TABLET)
    yield context.new_page()
    context.close()


def test_hr_35_on_the_board_is_critical_in_colour_icon_and_word(tablet, live_server, live_world):
    monitor = live_world.members["monitor"]
    with scopes_disabled():
        warning = make_session(live_world.client, room="Room 5")
        dose(warning, live_world.members["prescriber"], monitor, at=timezone.now() - timedelta(minutes=10))
        vitals(warning, monitor, hr=45)
        critical = make_session(live_world.unassigned_client, room="Room 6")
        dose(critical, live_world.members["prescriber"], monitor, at=timezone.now() - timedelta(minutes=10))
    page = tablet
    sign_in_on(page, live_server, live_world.members["admin"].user)
    page.goto(live_server.url + reverse("sessions:board"))
    record_vitals_in_dialog(page, "Room 6", **{"Heart rate": 35})
    expect(page.get_by_role("dialog")).to_be_hidden()

    room = card(page, "Room 6")
    expect(room.locator(".bseverity")).to_have_text("‼ Critical")
    expect(room.locator(".bvital[data-vital=hr]")).to_contain_text("35 bpm LOW (Critical)")
    expect(room).to_have_css("border-top-color", RED)
    expect(room.locator(".balerts")).to_contain_text("Critical Open alert")
    other = card(page, "Room 5")
    expect(other.locator(".bseverity")).to_have_text("! Warning")
    expect(other).to_have_css("border-top-color", AMBER)
    # the critical card comes first among the urgent ones (the cards re-sort on the next refresh)
    page.reload()
    rooms = page.locator("article.bcard h2").all_inner_texts()
    assert rooms.index("Room 6") < rooms.index("Room 5")
    with scopes_disabled():
        assert SafetyAlert.objects.get(client=live_world.unassigned_client).severity == "critical"
    assert_accessible(page)


def test_the_dose_page_holds_the_dose_in_the_crisis_band(tablet, live_server, live_world):
    monitor, prescriber = live_world.members["monitor"], live_world.members["prescriber"]
    with scopes_disabled():
        session = make_session(live_world.client, room="Room 7")
        confirm(session, monitor)
        services.order_dose(request_for(prescriber), session, dose=100, stock_strength=100)
        vitals(session, monitor, at=timezone.now() - timedelta(minutes=2), sbp=205, dbp=125)
    page = tablet
    sign_in_on(page, live_server, monitor.user)
    page.goto(live_server.url + reverse("sessions:administer", args=[session.pk]))
    hold = page.locator("#dose-hold")
    expect(hold).to_contain_text("Critical Dose on hold.")
    expect(hold).to_contain_text("205/125 mmHg")
    assert_accessible(page)
    page.get_by_role("button", name="Record the dose given").click()
    expect(page.locator(".error-summary").first).to_contain_text("Do not dose")
    with scopes_disabled():
        assert not DoseAdministration.objects.exists()
