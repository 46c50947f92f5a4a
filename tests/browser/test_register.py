"""Browser test: a prescriber receives a vial, gives a dose from it on the session's dose page (the
register draws it), wastes some with a witness who types their own password, counts at shift change,
finds a discrepancy and explains it."""

from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from kapstone.practice.tenancy import scopes_disabled
from kapstone.register.models import Container, Discrepancy, Entry
from kapstone.sessions.services import order_dose

from ..factories import PASSWORD
from ..register.builders import ketamine_vial, make_location, safe_of
from ..sessions.builders import confirm, make_session, request_for
from .accessibility import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_receipt_draw_witnessed_waste_count_and_explanation(page, live_server, live_world, sign_in):
    world = live_world
    with scopes_disabled():
        location = make_location(world.practice, name="Main clinic")
        product = ketamine_vial(world.practice, strength_mg=100)  # 10 mL of 100 mg/mL
        safe = safe_of(location)
        session = make_session(world.client, protocol_id="intramuscular")
        confirm(session, world.members["monitor"])
        order_dose(
            request_for(world.members["prescriber"]), session, dose=1, weight_kg=70, stock_strength=100
        )  # 70 mg = 0.7 mL
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

    # The dose, given on the session's dose page from the vial just received: the register draws it
    page.goto(live_server.url + reverse("sessions:administer", args=[session.pk]))
    page.get_by_label("Drawn from").select_option(str(vial.pk))
    assert_accessible(page)
    page.get_by_role("button", name="Record the dose given").click()
    expect(page.get_by_text("Dose recorded.")).to_be_visible()
    expect(page.get_by_role("cell", name="V-0001, lot K2611")).to_be_visible()
    page.get_by_role("link", name="V-0001").click()
    expect(page.get_by_role("cell", name="9.3 mL")).to_be_visible()  # the balance after the draw

    # Witnessed waste: a wrong password is refused, the witness's own is accepted
    page.get_by_role("link", name="Record waste").click()
    page.locator("#id_quantity").fill("0.3")
    page.locator("#id_manner").fill("Into the drug-waste container")
    page.locator("#id_witness").select_option(str(world.members["monitor"].pk))
    page.locator("#id_witness_password").fill("not it")
    page.get_by_role("button", name="Record witnessed waste").click()
    expect(page.get_by_role("alert")).to_contain_text("That is not A monitor")
    expect(page.locator("#id_quantity")).to_have_value("0.3")
    page.locator("#id_witness_password").fill(PASSWORD)
    page.get_by_role("button", name="Record witnessed waste").click()
    expect(page.get_by_text("Recorded waste of 0.3 mL from V-0001, witnessed by")).to_be_visible()
    expect(page.get_by_role("cell").filter(has_text="Witnessed by A monitor")).to_be_visible()

    # Count at shift change: 8.5 mL found where the register holds 9.0 mL
    page.goto(live_server.url + reverse("register:counts"))
    page.locator("#id_location").select_option(str(location.pk))
    page.get_by_label("Count at shift change").check()
    page.get_by_role("button", name="Start the count").click()
    page.get_by_label("V-0001 found (mL)").fill("8.5")
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
    log = page.get_by_role("region", name="Administration log")
    expect(log).to_contain_text(world.client.display_name)
    expect(log).to_contain_text("70")
    assert_accessible(page)

    with scopes_disabled():
        assert Container.objects.get(pk=vial.pk).balance == Decimal("8.5")
        kinds = list(Entry.objects.order_by("seq").values_list("kind", flat=True))
        assert kinds == ["receipt", "draw", "waste", "explanation"]
        assert not Discrepancy.objects.get().is_open
