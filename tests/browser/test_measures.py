import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from kapstone.measures import services
from kapstone.practice.tenancy import scopes_disabled

from ..measures.outcome_builders import episode_for, score
from .accessibility import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def test_a_risk_answer_by_link_reaches_the_care_team_who_acknowledge_it(
    browser, live_server, live_world, page, sign_in
):
    with scopes_disabled():
        assignment = services.assign(None, live_world.client, "phq9")
        token = services.issue_link(None, assignment)
    phone = browser.new_context(**PHONE)
    client_page = phone.new_page()
    client_page.goto(live_server.url + reverse("measures:link", args=[token]))
    expect(client_page.get_by_role("link", name="Need help now?")).to_be_visible()
    answers = [
        "Several days",
        "More than half the days",
        "Not at all",
        "Several days",
        "Not at all",
        "Several days",
        "Not at all",
        "Not at all",
        "Several days",
    ]
    for number, answer in enumerate(answers, start=1):
        client_page.locator(f"#q{number}").get_by_label(answer, exact=True).check()
    client_page.get_by_role("button", name="Send my answers").click()
    expect(client_page.get_by_role("alert")).to_contain_text("may be going through a very hard time")
    expect(client_page.get_by_text(re.compile("988"))).to_have_count(2)  # at once, and in the footer
    phone.close()

    sign_in(live_world.members["therapist"].user)
    banner = page.get_by_role("alert").filter(has_text="open safety alert")
    expect(banner).to_contain_text("1 open safety alert for your clients")
    banner.get_by_role("link", name="Review and acknowledge").click()
    page.get_by_role("link", name=f"Acknowledge the alert for {live_world.client.display_name}").click()
    page.get_by_label("Action taken").fill("Phoned the client the same hour; safety plan reviewed.")
    page.get_by_role("button", name="Acknowledge with this action").click()
    expect(page.get_by_text("Alert acknowledged.")).to_be_visible()
    expect(page.get_by_text("open safety alert")).to_have_count(0)

    page.get_by_role("button", name="Sign out").click()
    sign_in(live_world.members["admin"].user)
    page.goto(live_server.url + reverse("audit:events") + "?action=measures.alert.acknowledged")
    row = page.get_by_role("row").filter(has_text="Acknowledged a safety alert")
    expect(row).to_contain_text(live_world.members["therapist"].user.full_name)
    expect(row).to_contain_text(live_world.client.record_number)


def test_staff_administer_a_gad7_and_the_chart_updates(page, live_server, live_world, sign_in):
    sign_in(live_world.members["prescriber"].user)
    page.goto(live_server.url + reverse("measures:client", args=[live_world.client.pk]))
    expect(page.get_by_text("No questionnaires yet")).to_be_visible()
    for round_, answer in enumerate(["Nearly every day", "Several days"]):
        page.locator("#id_administer-instrument").select_option("gad7")
        page.get_by_role("button", name="Start").click()
        for number in range(1, 8):
            page.locator(f"#q{number}").get_by_label(answer, exact=True).check()
        page.get_by_role("button", name="Submit and score").click()
        expect(page.get_by_text(re.compile(r"GAD-7 saved: Total = sum"))).to_be_visible()
        chart = page.locator("section.trajectory svg")
        expect(chart.locator("circle.chart-point")).to_have_count(round_ + 1)
    expect(page.get_by_text("Baseline")).to_be_visible()
    expect(page.locator("section.trajectory dl")).to_contain_text("21 (Severe)")
    expect(page.locator("section.trajectory dl")).to_contain_text("7 (Mild)")
    expect(page.locator(".verdict")).to_have_text("Recovered")


def test_the_outcomes_page_filters_by_clinician_and_shows_the_denominators(
    page, live_server, live_world, sign_in
):
    with scopes_disabled():
        for person, later in ((live_world.client, 4), (live_world.unassigned_client, 16)):
            course = person.episodes.first() or episode_for(person)
            score(person, "phq9", 20, day=0, episode=course)
            score(person, "phq9", later, day=50, episode=course)
    sign_in(live_world.members["admin"].user)
    page.goto(live_server.url + reverse("measures:outcomes"))
    table = page.get_by_role("table", name=re.compile("Outcome rates per questionnaire"))
    phq9 = table.get_by_role("row").filter(has_text="PHQ-9").first
    expect(phq9).to_contain_text("n = 2")
    expect(phq9).to_contain_text("1 of 2 (50%)")  # remission: 4 yes, 16 no
    assert_accessible(page)

    page.get_by_label("Clinician (care team)").select_option(label="A therapist")
    page.get_by_role("button", name="Show outcomes").click()
    expect(page.get_by_label("Clinician (care team)")).to_have_value(str(live_world.members["therapist"].pk))
    phq9 = (
        page.get_by_role("table", name=re.compile("filtered"))
        .get_by_role("row")
        .filter(has_text="PHQ-9")
        .first
    )
    expect(phq9).to_contain_text("n = 1")
    expect(phq9).to_contain_text("1 of 1 (100%)")
    expect(page.get_by_role("img", name="PHQ-9 outcome rates by quarter")).to_be_visible()
