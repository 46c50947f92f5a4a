import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from kapstone.clients.models import Client
from kapstone.practice.tenancy import scopes_disabled
from kapstone.screening import services

from ..screening.builders import CLEAN_ANSWERS, submit_clean_screeners

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def question(page, text):
    return page.locator("fieldset").filter(has_text=text)


def test_an_inquiry_becomes_a_client_whom_a_prescriber_approves_over_review_findings(
    browser, live_server, live_world, page, sign_in
):
    practice = live_world.practice
    # A visitor reads about KAP and reaches out, on a phone, without an account.
    phone = browser.new_context(**PHONE)
    visitor = phone.new_page()
    visitor.goto(live_server.url + reverse("screening:about", args=[practice.slug]))
    expect(visitor.get_by_role("heading", name="Who it is not for")).to_be_visible()
    visitor.get_by_role("link", name="Reach out to us").click()
    visitor.get_by_label("Your name").fill("Robin Example")
    visitor.get_by_role("textbox", name="Email").fill("robin@example.test")
    visitor.get_by_role("radio", name="Email").check()
    visitor.get_by_label("In a few words, what would you like help with?").fill(
        "Depression for years; two medicines did not help."
    )
    question(visitor, "Are you 18 or older?").get_by_label("Yes").check()
    question(visitor, "high blood pressure").get_by_label("Not sure").check()
    visitor.get_by_role("button", name="Send").click()
    expect(visitor.get_by_role("heading", name="Thank you: your message was sent")).to_be_visible()
    expect(visitor.get_by_text("A clinician will review this.")).to_be_visible()
    expect(visitor.get_by_text(re.compile("eligible", re.I))).to_have_count(0)
    phone.close()

    # The front desk triages it and makes Robin a client, with the prescriber on the care team.
    sign_in(live_world.members["front_desk"].user)
    page.goto(live_server.url + reverse("screening:inquiries"))
    page.get_by_role("link", name="Robin Example").click()
    expect(page.get_by_text("Health answers are shown to clinical staff only.")).to_be_visible()
    page.get_by_label("Invited to intake").check()
    page.get_by_label("Note").fill("Phoned; booked an intake visit.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Inquiry marked invited to intake.")).to_be_visible()
    page.get_by_role("link", name="Make this person a client").click()
    expect(page.get_by_label("Legal first name")).to_have_value("Robin")
    page.get_by_label("Date of birth").fill("1988-04-02")
    page.get_by_label("Prescriber").select_option(label="A prescriber")
    page.get_by_role("button", name="Create the client").click()
    expect(page.get_by_text(re.compile(r"Robin Example is now a client \(record"))).to_be_visible()
    expect(page.locator(".stage")).to_have_text("Screening")
    page.get_by_role("button", name="Sign out").click()

    with scopes_disabled():
        robin = Client.objects.get(legal_last_name="Example")
        intake = services.intake_for(services.current_episode(robin))
        answers = {k: v for k, v in CLEAN_ANSWERS.items() if k not in ("sbp", "dbp", "medication_classes")}
        services.save_intake(None, intake, answers)
        submit_clean_screeners(robin)

    # The prescriber completes the intake with a BP of 150/95 and a benzodiazepine.
    sign_in(live_world.members["prescriber"].user)
    page.goto(live_server.url + reverse("screening:client", args=[robin.pk]))
    expect(page.get_by_text("3 answers still missing:")).to_be_visible()
    page.get_by_role("link", name="Open the intake").click()
    page.get_by_label("Systolic blood pressure (mmHg)").fill("150")
    page.get_by_label("Diastolic blood pressure (mmHg)").fill("95")
    page.get_by_label("Benzodiazepine (e.g. lorazepam, clonazepam, diazepam)").check()
    page.get_by_role("button", name="Save and mark complete").click()
    expect(page.get_by_text("Intake complete.")).to_be_visible()
    page.get_by_role("button", name="Run the eligibility assessment").click()

    # Every review finding, with the facts it read and the sources it cites.
    expect(page.get_by_text("Recommendation: Needs a prescriber's review")).to_be_visible()
    expect(page.get_by_role("heading", name="Rules that fired (2)")).to_be_visible()
    bp = page.locator('[id="rule-bp.predose_elevated"]')
    expect(bp).to_contain_text("Review")
    expect(bp).to_contain_text("150 mmHg")
    expect(bp.get_by_role("link", name=re.compile("Spravato"))).to_be_visible()
    benzo = page.locator('[id="rule-medication.benzodiazepine"]')
    expect(benzo.get_by_role("link", name=re.compile("Veraart"))).to_be_visible()

    # Approving without a reason is refused; with one, the episode becomes eligible.
    page.get_by_label("Approve with conditions").check()
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("Write the conditions of this approval.").first).to_be_visible()
    page.get_by_role("textbox", name="Conditions").fill(
        "BP under 140/90 before each dose; no benzodiazepine within 24 h."
    )
    page.get_by_role("textbox", name="Reason").fill(
        "Home readings 128/82: white-coat rise. Benzodiazepine can be held."
    )
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("The episode is now eligible.")).to_be_visible()
    expect(page.locator(".decision-card")).to_contain_text("Approve with conditions")

    # The source behind a finding is one click away.
    bp.get_by_role("link", name=re.compile("Spravato")).click()
    expect(
        page.get_by_role("heading", name="Eligibility rules citing this source", exact=False)
    ).to_be_visible()
    expect(page.get_by_text("bp.predose_elevated")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    sign_in(live_world.members["admin"].user)
    page.goto(live_server.url + reverse("audit:events") + "?action=screening.decision.recorded")
    row = page.get_by_role("row").filter(has_text="Recorded an eligibility decision")
    expect(row).to_contain_text(live_world.members["prescriber"].user.full_name)
    expect(row).to_contain_text(robin.record_number)


def test_a_client_answers_their_health_questions_by_link_on_a_phone(browser, live_server, live_world):
    with scopes_disabled():
        intake = services.start_intake(None, live_world.client, services.current_episode(live_world.client))
        token = services.issue_intake_link(None, intake)
    phone = browser.new_context(**PHONE)
    page = phone.new_page()
    page.goto(live_server.url + reverse("screening:intake_form", args=[token]))
    expect(page.get_by_role("link", name="Need help now?")).to_be_visible()
    # A follow-up question appears only after the answer that opens it.
    controlled = page.locator('[id="fact-seizure_recent"]')
    expect(controlled).to_be_hidden()
    question(page, "Have you ever had epilepsy or seizures?").get_by_label("Yes").check()
    expect(controlled).to_be_visible()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_text(re.compile(r"\d+ questions still need an answer"))).to_be_visible()
    for fieldset in page.locator("fieldset.question:visible").all():
        if fieldset.locator("input:checked").count() == 0:
            fieldset.get_by_label("No", exact=True).check()
    page.get_by_label("Which medicines do you take now?").fill("none")
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", name="Thank you: your answers were sent")).to_be_visible()
    expect(page.get_by_text("A clinician reviews everything", exact=False)).to_be_visible()
    phone.close()
    with scopes_disabled():
        intake.refresh_from_db()
        assert intake.client_submitted_at is not None and intake.answers["seizure_disorder"] is True
