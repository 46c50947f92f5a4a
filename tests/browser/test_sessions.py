"""The live board on a tablet, a session from the dose to discharge, and the discharge rules.

Time passes under ``time_machine`` (the live server runs in this process, so it shares the travelled
clock); the board's script learns the server's time from each refresh, so its timers follow.
"""

import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from kapstone.measures.models import SafetyAlert
from kapstone.practice.tenancy import scopes_disabled
from kapstone.sessions.models import Discharge, VitalsReading

from ..sessions.builders import dose, make_session, vitals
from .accessibility import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABLET = {"viewport": {"width": 1024, "height": 768}, "has_touch": True}
RED = "rgb(164, 38, 29)"  # --red in kapstone.css


@pytest.fixture
def tablet(browser, live_server):
    context = browser.new_context(**TABLET)
    yield context.new_page()
    context.close()


@pytest.fixture
def long_idle(settings):
    # Hours pass on the travelled clock; the idle logoff is tested elsewhere.
    settings.KAPSTONE_IDLE_TIMEOUT = timedelta(hours=8)


def sign_in_on(page, live_server, user):
    page.goto(live_server.url + reverse("accounts:login"))
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def card(page, room):
    return page.locator("article.bcard").filter(has=page.get_by_role("heading", name=room, exact=True))


def record_vitals_in_dialog(page, room, **values):
    card(page, room).get_by_role("link", name="Record vitals").tap()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    for label, value in values.items():
        dialog.get_by_label(label, exact=True).fill(str(value))
    dialog.get_by_role("button", name="Save vitals").tap()
    return dialog


def test_a_monitor_records_vitals_from_the_board_and_the_card_updates_without_a_reload(
    tablet, live_server, live_world
):
    monitor = live_world.members["monitor"]
    with scopes_disabled():
        session = make_session(live_world.client, room="Room 2")
        dose(session, live_world.members["prescriber"], monitor, at=timezone.now() - timedelta(minutes=10))
    page = tablet
    sign_in_on(page, live_server, monitor.user)
    page.goto(live_server.url + reverse("sessions:board"))
    expect(page.get_by_role("heading", name="Live board", level=1)).to_be_visible()
    room = card(page, "Room 2")
    expect(room).to_contain_text("Sublingual · 100 mg given")
    expect(room).to_contain_text("No vitals yet.")
    page.evaluate("window.stillTheSamePage = true")

    room.get_by_role("link", name="Record vitals").tap()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading")).to_have_text(
        f"Record vitals · Room 2 · {live_world.client.initials}"
    )
    local_now = timezone.localtime(timezone.now(), live_world.practice.zone)
    expect(dialog.get_by_label("Time")).to_have_value(re.compile(rf"^{local_now:%H}:\d\d$"))
    sbp = dialog.get_by_label("Systolic BP", exact=True)
    assert sbp.bounding_box()["height"] >= 44  # tap-friendly
    assert dialog.get_by_role("button", name="Save vitals").bounding_box()["height"] >= 44

    # a typing error is refused with the range, in the dialog, keeping what was typed
    sbp.fill("400")
    dialog.get_by_label("Diastolic BP", exact=True).fill("112")
    dialog.get_by_role("button", name="Save vitals").tap()
    expect(dialog).to_contain_text(
        "Systolic blood pressure 400 mmHg is not plausible: enter a value between 40 and 300 mmHg."
    )
    expect(dialog.get_by_label("Diastolic BP", exact=True)).to_have_value("112")

    sbp.fill("185")
    dialog.get_by_label("Heart rate", exact=True).fill("98")
    dialog.get_by_label("SpO2", exact=True).fill("97")
    dialog.get_by_role("button", name="Save vitals").tap()
    expect(dialog).to_be_hidden()
    room = card(page, "Room 2")
    expect(room.locator(".bvital[data-vital=bp]")).to_contain_text("185/112 mmHg HIGH")
    expect(room).to_contain_text("Open alert")
    expect(page.get_by_role("status")).to_contain_text(
        "Warning: out of range; a safety alert was raised for the care team."
    )
    assert page.evaluate("window.stillTheSamePage") is True  # no reload happened
    with scopes_disabled():
        assert VitalsReading.objects.get().recorded_by == monitor.user
        assert SafetyAlert.objects.get().kind == "vitals"


def test_a_session_from_dose_to_discharge_on_the_board(tablet, live_server, live_world, long_idle):
    """Dosed -> next check due -> time passes -> overdue (red, with the word) -> BP 185/112 raises
    an alert -> normal vitals later -> discharge refused before the minimum time, allowed after."""
    monitor = live_world.members["monitor"]
    page = tablet
    with time_machine.travel(timezone.now(), tick=True) as clock:
        with scopes_disabled():
            session = make_session(live_world.client, room="Room 3")
            vitals(session, monitor, at=timezone.now() - timedelta(minutes=2))
            dose(
                session, live_world.members["prescriber"], monitor, at=timezone.now() - timedelta(seconds=30)
            )
        sign_in_on(page, live_server, monitor.user)
        page.goto(live_server.url + reverse("sessions:board"))
        room = card(page, "Room 3")
        expect(room).to_contain_text("Dosed")
        expect(room.locator(".next")).to_contain_text(
            re.compile(r"Vitals 15 min after the dose in 1[34] min")
        )
        expect(room).not_to_have_class(re.compile("is-overdue"))
        expect(room.get_by_text("OVERDUE")).to_be_hidden()

        clock.shift(timedelta(minutes=21))  # the 15-minute check is now 6 minutes late
        room = card(page, "Room 3")
        expect(room).to_have_class(re.compile("is-overdue"), timeout=15_000)
        word = room.get_by_text("OVERDUE")
        expect(word).to_be_visible()
        assert word.evaluate("el => getComputedStyle(el.parentElement).backgroundColor") == RED
        expect(room.locator(".countdown")).to_contain_text("late")
        expect(room.locator("[data-since]")).to_have_text(re.compile(r"^2[12] min$"))

        record_vitals_in_dialog(
            page, "Room 3", **{"Systolic BP": 185, "Diastolic BP": 112, "Heart rate": 104}
        )
        room = card(page, "Room 3")
        expect(room).to_contain_text("Open alert")
        expect(room).to_contain_text("Systolic blood pressure 185 mmHg is above 180 mmHg.")
        expect(room).not_to_have_class(re.compile("is-overdue"))

        clock.shift(timedelta(minutes=10))
        record_vitals_in_dialog(
            page, "Room 3", **{"Systolic BP": 132, "Diastolic BP": 84, "Heart rate": 80, "SpO2": 98}
        )
        expect(card(page, "Room 3").locator(".bvital[data-vital=bp]")).to_have_text(
            re.compile(r"132/84 mmHg$")
        )

        def discharge_with_everything_met():
            page.goto(live_server.url + reverse("sessions:discharge", args=[session.pk]))
            for item in (
                "Activity",
                "Respiration",
                "Circulation (blood pressure against pre-procedure)",
                "Consciousness",
                "Oxygen saturation",
            ):
                page.get_by_role("group", name=item).get_by_role("radio").first.check()
            for box in page.get_by_role("group", name="Discharge criteria").get_by_role("checkbox").all():
                box.check()
            page.get_by_role("button", name="Discharge").click()

        discharge_with_everything_met()
        expect(page.locator(".error-summary")).to_contain_text("Discharge is not allowed yet")
        expect(
            page.get_by_text(
                re.compile(
                    r"Minimum observation of 120 min after the dose not reached: (8\d|9[01]) min to go"
                )
            )
        ).to_be_visible()
        with scopes_disabled():
            assert not Discharge.objects.exists()

        clock.shift(timedelta(minutes=95))  # 126 minutes after the dose
        discharge_with_everything_met()
        expect(page.get_by_text("Discharged. The session summary is ready to print.")).to_be_visible()
        expect(page.get_by_role("heading", name="Medicine session summary")).to_be_visible()
        with scopes_disabled():
            record = Discharge.objects.get()
            assert record.override_reason == "" and record.discharged_by == monitor.user
        page.goto(live_server.url + reverse("sessions:board"))
        expect(card(page, "Room 3")).to_contain_text("Discharged")


def test_a_discharge_with_a_failing_criterion_needs_a_prescribers_override(
    page, live_server, live_world, sign_in
):
    with scopes_disabled():
        session = make_session(live_world.client, room="Room 4")
        dose(
            session,
            live_world.members["prescriber"],
            live_world.members["monitor"],
            at=timezone.now() - timedelta(minutes=130),
        )
    url = live_server.url + reverse("sessions:discharge", args=[session.pk])

    def fill(reason=""):
        page.goto(url)
        for group in page.get_by_role("group").filter(has=page.get_by_role("radio")).all():
            group.get_by_role("radio").first.check()
        for box in page.get_by_role("group", name="Discharge criteria").get_by_role("checkbox").all():
            box.check()
        page.get_by_label("Escort present to take the client home").uncheck()
        if reason:
            page.get_by_label("Prescriber's override reason").fill(reason)
        page.get_by_role("button", name="Discharge").click()

    sign_in(live_world.members["monitor"].user)
    fill()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("Discharge is not allowed yet: a prescriber's override is needed.")
    expect(page.locator(".criteria .failed")).to_contain_text(
        "Escort present to take the client home: Not met."
    )
    fill("The escort is waiting in the car park")
    expect(page.locator(".error-summary")).to_contain_text(
        "Only a prescriber can override the discharge rules."
    )
    with scopes_disabled():
        assert not Discharge.objects.exists()

    page.get_by_role("button", name="Sign out").click()
    sign_in(live_world.members["prescriber"].user)
    fill("Escort confirmed by phone, waiting outside; client stable")
    expect(page.get_by_text("Discharged. The session summary is ready to print.")).to_be_visible()
    expect(page.get_by_text("Prescriber's override: Escort confirmed by phone")).to_be_visible()
    with scopes_disabled():
        record = Discharge.objects.get()
        assert record.criteria["escort_present"] is False
        assert record.blocking == ["Escort present to take the client home: Not met."]


def test_the_board_says_when_the_connection_drops_and_recovers_by_itself(tablet, live_server, live_world):
    with scopes_disabled():
        make_session(live_world.client, room="Room 1")
    page = tablet
    sign_in_on(page, live_server, live_world.members["monitor"].user)
    page.goto(live_server.url + reverse("sessions:board"))
    requests = []
    page.on("request", lambda request: requests.append(request) if "board/cards" in request.url else None)
    page.route("**/sessions/board/cards/", lambda route: route.abort())
    connection = page.locator("#board-connection")
    expect(connection).to_contain_text("Connection lost at", timeout=15_000)
    expect(connection).to_contain_text("The cards show the last known state")
    expect(card(page, "Room 1")).to_be_visible()
    page.unroute("**/sessions/board/cards/")
    expect(connection).to_contain_text("Reconnected at", timeout=15_000)
    assert requests and all(r.headers.get("x-kapstone-background") == "1" for r in requests)


def test_the_session_page_charts_the_vitals_and_the_board_dialog_rates_dissociation(
    tablet, live_server, live_world
):
    monitor = live_world.members["monitor"]
    with scopes_disabled():
        session = make_session(live_world.client, room="Room 5")
        dosed_at = timezone.now() - timedelta(minutes=20)
        vitals(session, monitor, at=dosed_at - timedelta(minutes=5), sbp=124, hr=70)
        dose(session, live_world.members["prescriber"], monitor, at=dosed_at)
        vitals(session, monitor, at=dosed_at + timedelta(minutes=15), sbp=146, hr=88)
    page = tablet
    violations = []
    page.on(
        "console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None
    )
    sign_in_on(page, live_server, monitor.user)
    page.goto(live_server.url + reverse("sessions:board"))
    room = card(page, "Room 5")
    expect(room.get_by_role("img", name="Trend of systolic BP and heart rate")).to_be_visible()

    room.get_by_role("link", name="Record vitals").tap()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Systolic BP", exact=True).fill("132")
    dialog.get_by_label("Diastolic BP", exact=True).fill("84")
    dialog.get_by_label("Dissociation").select_option(value="2")
    dialog.get_by_role("button", name="Save vitals").tap()
    expect(dialog).to_be_hidden()
    expect(
        card(page, "Room 5").get_by_role("img", name="Trend of systolic BP and heart rate")
    ).to_have_attribute("aria-describedby", re.compile("spark-"))

    page.goto(live_server.url + reverse("sessions:detail", args=[session.pk]))
    chart = page.get_by_role("img", name="Vitals since the dose")
    expect(chart).to_be_visible()
    expect(chart.locator("desc")).to_contain_text("SBP (mmHg): 124 at")
    expect(page.locator("#h-obs").locator("xpath=..")).to_contain_text("2 (Moderate)")
    assert_accessible(page)
    assert not violations, violations


def test_a_prescriber_cancels_a_session_that_was_never_dosed(tablet, live_server, live_world):
    prescriber = live_world.members["prescriber"]
    with scopes_disabled():
        session = make_session(live_world.client, room="Room 6")
    page = tablet
    sign_in_on(page, live_server, prescriber.user)
    page.goto(live_server.url + reverse("sessions:detail", args=[session.pk]))
    page.get_by_role("link", name="Cancel the session").tap()
    page.get_by_role("button", name="Cancel the session").tap()
    expect(page.get_by_role("alert")).to_contain_text("Give the reason the session is cancelled")
    page.get_by_label("Reason for cancelling").fill("Client arrived unwell; rebooked")
    page.get_by_role("button", name="Cancel the session").tap()
    expect(page.get_by_text("Cancelled — Client arrived unwell; rebooked")).to_be_visible()
    expect(page.get_by_role("link", name="Record vitals")).to_have_count(0)
    page.goto(live_server.url + reverse("sessions:board"))
    expect(card(page, "Room 6")).to_have_count(0)
