"""A staff member makes a personal API token on My account, sees it once, uses it, and revokes it;
the API's docs page works in the browser under the strict CSP with nothing fetched from elsewhere."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from .accessibility import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_therapist_creates_a_token_sees_it_once_and_revokes_it(page, live_server, live_world, sign_in):
    sign_in(live_world.members["therapist"].user)
    page.goto(live_server.url + reverse("accounts:security"))
    page.get_by_role("link", name="API tokens").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("API tokens")
    expect(page.get_by_text("No API tokens yet")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_role("alert")).to_contain_text("Give the token a name")
    page.get_by_label("Name").fill("Outcomes export")
    page.get_by_label("Read only").check()
    page.get_by_label("Expires after").select_option("30")
    page.get_by_role("button", name="Create token").click()

    expect(page.get_by_text("it is shown only this once")).to_be_visible()
    secret = page.get_by_label("Token “Outcomes export”", exact=False).input_value()
    assert secret.startswith("kap_")
    assert_accessible(page)

    answer = page.request.get(
        live_server.url + "/api/v1/clients", headers={"Authorization": f"Bearer {secret}"}
    )
    assert answer.status == 200
    assert answer.json()["items"][0]["id"] == str(live_world.client.pk)

    page.get_by_role("link", name="back to my tokens").click()
    row = page.get_by_role("row", name="Outcomes export")
    expect(row).to_contain_text("Active")
    expect(row).to_contain_text("Read only")
    assert secret not in page.content()

    row.get_by_role("button", name="Revoke Outcomes export").click()
    expect(page.get_by_text("It no longer works")).to_be_visible()
    expect(page.get_by_role("row", name="Outcomes export")).to_contain_text("Revoked")
    expect(page.get_by_role("button", name="Revoke Outcomes export")).to_have_count(0)
    again = page.request.get(
        live_server.url + "/api/v1/clients", headers={"Authorization": f"Bearer {secret}"}
    )
    assert again.status == 401


def test_the_api_docs_page_works_offline_under_the_csp(page, live_server, live_world):
    outside, refused = [], []
    page.on("request", lambda r: None if r.url.startswith(live_server.url) else outside.append(r.url))
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(live_server.url + "/api/v1/docs")
    expect(page.get_by_text("kapstone API")).to_be_visible()
    expect(page.get_by_text("/api/v1/clients/{client_id}/medicine-sessions")).to_be_visible()
    expect(page.get_by_role("button", name="Authorize")).to_be_visible()
    assert outside == []
    assert refused == []
