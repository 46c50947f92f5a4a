"""Browser tests: the PDF downloads a person clicks, on the register's reports page and on a signed
consent (staff and the client's portal), arrive as PDFs with the right content."""

from datetime import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from kapstone.pathway import consent
from kapstone.pathway.models import ConsentKind, ConsentPdf
from kapstone.pathway.services import open_episode
from kapstone.practice.tenancy import scopes_disabled
from kapstone.register import services

from ..documents.helpers import pdf_text
from ..pathway.helpers import client_request, publish, staff_request
from ..register.builders import ketamine_vial, make_location, receive, request_as
from .accessibility import assert_accessible
from .test_portal import portal_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def download(page, link_name):
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name).click()
    got = info.value
    with open(got.path(), "rb") as handle:
        return got.suggested_filename, handle.read()


def test_a_register_report_downloads_as_a_pdf(page, live_server, live_world, sign_in):
    world = live_world
    today = world.practice.today()
    with scopes_disabled():
        prescriber = world.members["prescriber"]
        (vial,) = receive(prescriber, make_location(world.practice), ketamine_vial(world.practice))
        services.draw_for_dose(
            request_as(prescriber),
            container=vial,
            client=world.client,
            administration_ref="S7D1",
            mg=Decimal(50),
            ml=Decimal(1),
            occurred_at=datetime.now(world.practice.zone).replace(microsecond=0),
        )
    sign_in(prescriber.user)
    page.goto(live_server.url + reverse("register:report"))
    page.get_by_label("Report").select_option("administrations")
    page.get_by_label("From").fill(today.isoformat())
    page.get_by_label("To").fill(today.isoformat())
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("region", name="Administration log")).to_contain_text("S7D1")
    assert_accessible(page)
    name, pdf = download(page, "Download administration log as PDF")
    assert name == f"{world.practice.slug}-administrations-{today}-{today}.pdf"
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    assert "Administration log" in text and "S7D1" in text and world.client.legal_name in text


def test_a_signed_consent_downloads_as_the_same_pdf_for_staff_and_the_client(
    browser, page, live_server, live_world, sign_in
):
    world = live_world
    with scopes_disabled():
        publish(world.members["admin"], text="You may stop at any time.", title="Consent to KAP")
        episode = open_episode(None, world.client)
        signature, _ = consent.request_signature(None, episode, ConsentKind.TREATMENT)
        consent.sign(
            client_request(world.practice),
            signature,
            typed_name=world.client.legal_name,
            shown_sha256=signature.document.sha256,
        )
        consent.countersign(staff_request(world.members["prescriber"]), signature)
        kept = bytes(ConsentPdf.objects.get(signature=signature, stage="countersigned").pdf)

    sign_in(world.members["therapist"].user)
    page.goto(live_server.url + reverse("pathway:signature", args=[world.client.pk, signature.pk]))
    _, staff_copy = download(page, "Download the signed consent (PDF)")
    assert staff_copy == kept
    text = pdf_text(staff_copy)
    assert "You may stop at any time." in text and world.client.legal_name in text
    assert "Countersigned A prescriber" in text

    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    mobile = phone.new_page()
    portal_sign_in(mobile, live_server, world.client_account.user)
    mobile.goto(live_server.url + reverse("portal:consents"))
    assert_accessible(mobile)
    _, client_copy = download(mobile, "Download a copy (PDF) of Consent to KAP")
    assert client_copy == kept
    phone.close()
