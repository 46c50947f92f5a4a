"""Browser test: a prescriber receives a vial, draws a dose from it, wastes the rest with a witness who
types their own password, counts at shift change, finds a discrepancy and explains it."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from kapstone.practice.tenancy import scopes_disabled
from kapstone.register.models import Container, Discrepancy, Entry

from ..factories import PASSWORD
from ..register.builders import ketamine_vial, make_location, safe_of
from .accessibility import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_receipt_draw_witnessed_waste_count_and_explanation(page, live_server, live_world, sign_in):
    world = live_world
    with scopes_disabled():
        location = make_location(world.practice, name="Main clinic")
        product = ketamine_vial(world.practice)
        safe = safe_of(location)
    today = world.practice.today().isoformat()
    sign_in(world.members["prescriber"].user)

    # Receipt, from the supplier's invoice
    page.goto(live_server.url + reverse("register:index"))
    expect(page.get_by_role("link", name="Controlled substances")).to_have_attribute("aria-current", "page")
    page.get_by_role("link", name="Record a receipt").click()
    page.locator("#id_location").select_option(str(location.pk))
    page.locator("#id_received_on").fill(today)
    page.locator("#id_invoice_number").fill("INV-2026-118")
    page.locator("#id_supplier_name").fill("Acme Pharma Distribution")
    page.locator("#id_supplier_address").fill("1 Supply Way, Memphis TN 38101")
    page.locator("#id_supplier_dea_number").fill("RA1234567")
    page.locator("#id_line-0-product").select_option(str(product.pk))
    page.locator("#id_line-0-containers").fill("1")
    page.locator("#id_line-0-lot").fill("K2611")
    page.locator("#id_line-0-expires_on").fill("2028-06-30")
    page.locator("#id_line-0-storage").select_option(str(safe.pk))
    assert_accessible(page)
    page.get_by_role("button", name="Record the receipt").click()
    expect(page.get_by_text("Received invoice INV-2026-118: V-0001.")).to_be_visible()
    with scopes_disabled():
        vial = Container.objects.get()

    # Draw for a dose (the register's own draw page, until the dose page links here)
    page.get_by_role("link", name="V-0001").click()
    page.get_by_role("link", name="Draw for a dose").click()
    page.locator("#id_client").select_option(str(world.client.pk))
    page.locator("#id_mg").fill("600")
    page.locator("#id_ml").fill("12")
    page.locator("#id_administration_ref").fill("session-3-dose-1")
    page.get_by_role("button", name="Record the draw").click()
    expect(page.get_by_role("alert")).to_contain_text("Container V-0001 holds 10.0 mL; 12.0 mL requested.")
    expect(page.locator("#id_administration_ref")).to_have_value("session-3-dose-1")
    page.locator("#id_mg").fill("100")
    page.locator("#id_ml").fill("2")
    page.get_by_role("button", name="Record the draw").click()
    expect(
        page.get_by_text(re.compile(r"Drew 2\.0 mL \(100\.000 mg\) from V-0001; it now holds 8\.0 mL"))
    ).to_be_visible()

    # Witnessed waste: a wrong password is refused, the witness's own is accepted
    page.get_by_role("link", name="Record waste").click()
    page.locator("#id_quantity").fill("0.5")
    page.locator("#id_manner").fill("Into the drug-waste container")
    page.locator("#id_witness").select_option(str(world.members["monitor"].pk))
    page.locator("#id_witness_password").fill("not it")
    page.get_by_role("button", name="Record witnessed waste").click()
    expect(page.get_by_role("alert")).to_contain_text("That is not A monitor")
    expect(page.locator("#id_quantity")).to_have_value("0.5")
    page.locator("#id_witness_password").fill(PASSWORD)
    page.get_by_role("button", name="Record witnessed waste").click()
    expect(page.get_by_text("Recorded waste of 0.5 mL from V-0001, witnessed by")).to_be_visible()
    expect(page.get_by_role("cell").filter(has_text="Witnessed by A monitor")).to_be_visible()

    # Count at shift change: 7.0 mL found where the register holds 7.5 mL
    page.goto(live_server.url + reverse("register:counts"))
    page.locator("#id_location").select_option(str(location.pk))
    page.get_by_label("Count at shift change").check()
    page.get_by_role("button", name="Start the count").click()
    page.get_by_label("V-0001 found (mL)").fill("7")
    page.get_by_label("At shift change").check()
    assert_accessible(page)
    page.get_by_role("button", name="Record the count").click()
    expect(page.get_by_text("Recorded the count: 1 discrepancy to explain.")).to_be_visible()

    # The explanation closes it and sets the register to what was counted
    page.goto(live_server.url + reverse("register:discrepancies"))
    page.get_by_role("link", name="Explain the discrepancy on V-0001").click()
    page.locator("#id_explanation").fill("0.5 mL spilled while drawing; not recorded as waste at the time.")
    page.get_by_label("The count was right").check()
    page.get_by_role("button", name="Record the explanation").click()
    expect(page.get_by_text("Explained the discrepancy on V-0001.")).to_be_visible()
    expect(page.get_by_text("Explained by A prescriber")).to_be_visible()
    assert_accessible(page)

    # The administration log for today, on screen
    page.goto(
        live_server.url + reverse("register:report") + f"?kind=administrations&start={today}&end={today}"
    )
    expect(page.get_by_role("region", name="Administration log")).to_contain_text("session-3-dose-1")
    assert_accessible(page)

    with scopes_disabled():
        assert Container.objects.get(pk=vial.pk).balance == 7
        kinds = list(Entry.objects.order_by("seq").values_list("kind", flat=True))
        assert kinds == ["receipt", "draw", "waste", "explanation"]
        assert not Discrepancy.objects.get().is_open
