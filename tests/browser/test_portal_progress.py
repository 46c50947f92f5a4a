"""The client's progress page on a phone: outcome measures only, the chart's verdict in words, accessible."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from kapstone.measures import services as measures
from kapstone.practice.tenancy import scopes_disabled

from .accessibility import assert_accessible
from .test_portal import PHONE, portal_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def submit(client, instrument_id, answers, days_ago):
    with time_machine.travel(timezone.now() - timedelta(days=days_ago), tick=False):
        draft = measures.draft_for(client, instrument_id, source="portal")
        measures.save_answers(None, draft, answers, submit=True)


def test_progress_shows_outcome_measures_with_the_verdict_in_plain_words(browser, live_server, live_world):
    person = live_world.client
    with scopes_disabled():
        submit(person, "audit", dict.fromkeys(range(1, 9), 1) | {9: 0, 10: 2}, 42)
        submit(person, "phq9", {1: 3, 2: 3, 3: 3, 4: 3, 5: 3, 6: 2, 7: 1, 8: 1, 9: 0}, 42)
        submit(person, "phq9", {1: 1, 2: 1, 3: 1, 4: 1, 5: 1, 6: 1, 7: 1, 8: 1, 9: 0}, 1)
    phone = browser.new_context(**PHONE)
    mobile = phone.new_page()
    portal_sign_in(mobile, live_server, live_world.client_account.user)
    mobile.goto(live_server.url + reverse("portal:progress"))
    panel = mobile.get_by_role("region", name="Patient Health Questionnaire-9")
    expect(panel).to_contain_text("went from 19 at the start to 8 now")
    expect(panel.locator(".verdict")).to_have_text("Recovered")
    expect(panel).to_contain_text("Response: yes")
    expect(mobile.get_by_text("AUDIT")).to_have_count(0)
    assert_accessible(mobile)
    phone.close()
