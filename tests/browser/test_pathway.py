from datetime import timedelta

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from kapstone.pathway import consent
from kapstone.pathway.models import Episode, EpisodeState
from kapstone.practice.tenancy import scopes_disabled
from kapstone.scheduling.models import Appointment, Room
from kapstone.screening.assessment import decide
from kapstone.sessions.services import save_dose_plan

from ..screening.builders import assessed
from ..sessions.builders import ready_to_prescribe, request_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
OWN_ITEMS = ("pathway.consent", "pathway.preparation", "pathway.escort")


class AdminRequest:
    def __init__(self, member):
        self.user, self.membership, self.practice, self.META = member.user, member, member.practice, {}


def row(page, code):
    return page.locator(f'tr[data-code="{code}"]')


def test_preparation_escort_and_consent_make_the_client_ready(
    browser, live_server, live_world, page, sign_in
):
    with scopes_disabled():
        episode = live_world.client.episodes.first()
        # Screening is done: a clean intake and screeners (the measurement baseline), approved.
        approval = assessed(live_world.client)
        decide(request_for(live_world.members["prescriber"]), approval, outcome="approve")
        Episode.objects.filter(pk=episode.pk).update(state=EpisodeState.PREPARATION)
        consent.publish_document(
            AdminRequest(live_world.members["admin"]),
            "treatment",
            title="Consent to ketamine-assisted psychotherapy",
            text="You may feel detached during a session.\n\nYou do not drive until the next day.",
        )
    client_record = live_world.client
    sign_in(live_world.members["therapist"].user)
    page.goto(live_server.url + reverse("pathway:readiness", args=[client_record.pk, episode.pk]))
    expect(page.get_by_role("heading", name="Ready for a medicine session?")).to_contain_text("Not ready")
    for code in OWN_ITEMS:
        expect(row(page, code)).to_contain_text("✗ Missing")
    expect(row(page, "pathway.escort")).to_contain_text("No escort named for the ride home")
    expect(row(page, "pathway.escort")).to_contain_text("a clinician or the front desk")

    # a preparation session with the client's intention
    row(page, "pathway.preparation").get_by_role("link").click()
    record = page.get_by_role("region", name="Record a preparation session")
    expect(record.get_by_label("Therapist")).to_have_value(str(live_world.members["therapist"].pk))
    record.get_by_label("Session notes").fill("Talked through set and setting; breathing practice.")
    record.get_by_label("Goals for the whole course, in the client's own words").fill(
        "Get back to work without the fog."
    )
    record.get_by_label("Intentions for the medicine sessions").fill("Meet the grief instead of running.")
    record.get_by_role("button", name="Record the session").click()
    expect(page.get_by_text("Recorded the preparation session")).to_be_visible()
    expect(page.get_by_role("region", name="Intentions for the medicine sessions")).to_contain_text(
        "Meet the grief instead of running."
    )

    # the escort, with the day-of rule in view
    page.get_by_role("navigation", name="This episode").get_by_role("link", name="Escort").click()
    expect(page.get_by_text("does not drive, cycle or operate machinery until the next day")).to_be_visible()
    page.get_by_label("Escort's name").fill("Jamie Rivera")
    page.get_by_label("Relationship to the client").fill("partner")
    page.get_by_label("Escort's phone").fill("555")
    page.get_by_role("button", name="Save the escort").click()
    expect(
        page.get_by_role("link", name="Escort's phone: A phone number has at least 7 digits")
    ).to_be_visible()
    expect(page.get_by_label("Escort's name")).to_have_value("Jamie Rivera")
    page.get_by_label("Escort's phone").fill("+1 555 010 0199")
    page.get_by_role("button", name="Save the escort").click()
    expect(page.get_by_text("Saved Jamie Rivera as the escort")).to_be_visible()

    # a signing link for the client
    page.get_by_role("navigation", name="This episode").get_by_role("link", name="Consent").click()
    page.get_by_label("Email the link to the client").uncheck()
    page.get_by_role("button", name="Create a signing link").click()
    link = page.locator("#consent-link").inner_text()

    phone = browser.new_context(**PHONE)
    client_page = phone.new_page()
    client_page.goto(link)
    expect(client_page.get_by_role("heading", level=1)).to_have_text(
        "Consent to ketamine-assisted psychotherapy"
    )
    expect(client_page.get_by_text("You may feel detached during a session.")).to_be_visible()
    client_page.get_by_role("button", name="Sign").click()
    expect(client_page.get_by_text("This field is required.").first).to_be_visible()
    client_page.get_by_label("Type your full name to sign").fill(client_record.legal_name)
    client_page.get_by_label("I have read this consent and I agree to it.").check()
    client_page.get_by_role("button", name="Sign").click()
    expect(client_page.get_by_role("heading", level=1)).to_have_text("Thank you, you have signed")
    client_page.goto(link)
    expect(client_page.get_by_role("heading", level=1)).to_have_text("This link does not work any more")
    phone.close()

    # the therapist countersigns; the readiness page turns green for the pathway's own items
    page.get_by_role("link", name="Back to consent").click()
    expect(page.get_by_text("Signed by the client (version 1), not countersigned yet")).to_be_visible()
    page.get_by_role("button", name="Countersign version 1").click()
    expect(page.get_by_text("Signed and countersigned (version 1)")).to_be_visible()
    page.get_by_role("navigation", name="This episode").get_by_role("link", name="Readiness").click()
    for code in OWN_ITEMS:
        expect(row(page, code)).to_contain_text("✓ Met")
    # an item owned by another app is still missing, and the page says who can complete it
    dose_plan = row(page, "sessions.dose_plan")
    expect(dose_plan).to_contain_text("✗ Missing")
    expect(dose_plan).to_contain_text("a prescriber")

    # With the prescriber's dose plan the client is ready, and a medicine session can be scheduled.
    with scopes_disabled():
        ready_to_prescribe(client_record)
        save_dose_plan(
            request_for(live_world.members["prescriber"]),
            episode,
            protocol_id="sublingual",
            planned_dose="100",
        )
        Room.objects.create(practice=live_world.practice, name="Chair B", kind="chair")
    page.reload()
    expect(page.get_by_role("heading", name="Ready for a medicine session?")).not_to_contain_text("Not ready")
    page.goto(live_server.url + reverse("scheduling:new", args=[client_record.pk]))
    page.get_by_role("radio", name="Medicine session").check()
    page.get_by_label("Date").fill((live_world.practice.today() + timedelta(days=2)).isoformat())
    page.get_by_label("Start time").fill("09:00")
    page.get_by_label("Room or chair").select_option(label="Chair B (chair)")
    page.get_by_role("button", name="Book appointment").click()
    expect(page.get_by_role("alert").filter(has_text="Please correct")).to_have_count(0)
    with scopes_disabled():
        assert Appointment.objects.filter(client=client_record, kind="medicine").exists()


def test_a_prescriber_sees_the_missing_items_and_overrides_in_writing(live_server, live_world, page, sign_in):
    with scopes_disabled():
        episode = live_world.client.episodes.first()
        Episode.objects.filter(pk=episode.pk).update(state=EpisodeState.PREPARATION)
    sign_in(live_world.members["prescriber"].user)
    page.goto(live_server.url + reverse("pathway:episode", args=[live_world.client.pk, episode.pk]))
    page.get_by_label("Move to").select_option("treatment")
    page.get_by_role("button", name="Move the episode").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Some requirements are not met yet.")
    expect(summary).to_contain_text("No escort named for the ride home")
    expect(summary).to_contain_text("Who can complete it: a clinician or the front desk")
    expect(page.get_by_label("Move to")).to_have_value("treatment")  # what was chosen is kept
    page.get_by_label("Override reason (admin or prescriber)").fill(
        "Paper consent and escort confirmed by phone; records to follow today."
    )
    page.get_by_role("button", name="Move the episode").click()
    expect(page.get_by_text("Moved the episode to treatment.")).to_be_visible()
    timeline = page.get_by_role("region", name="Timeline")
    expect(timeline).to_contain_text("Preparation → Treatment")
    expect(timeline).to_contain_text("Moved although these were missing:")
    expect(timeline).to_contain_text("Written reason: Paper consent and escort confirmed by phone")
