"""The register's reports as PDF: every kind for a period, from the report page and the command line,
audited like the CSV download."""

from datetime import date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from kapstone.audit.models import AuditEvent
from kapstone.register import counts, reports, services
from tests.factories import PASSWORD
from tests.register.builders import ketamine_vial, make_location, receive, request_as

from .helpers import pdf_metadata, pdf_text

pytestmark = pytest.mark.usefixtures("scoped")

MARCH = "start=2026-03-01&end=2026-03-31"


@pytest.fixture
def march(world):
    """In March 2026: a vial received, a 100 mg dose for the client, witnessed waste, a count short."""
    location = make_location(world.practice)
    prescriber = world.members["prescriber"]
    with time_machine.travel(datetime(2026, 3, 3, 12, tzinfo=world.practice.zone)):
        (vial,) = receive(prescriber, location, ketamine_vial(world.practice), received_on=date(2026, 3, 2))
        services.draw_for_dose(
            request_as(prescriber),
            container=vial,
            client=world.client,
            administration_ref="administration-42",
            mg=Decimal(100),
            ml=Decimal(2),
            given_by=world.members["monitor"].user,
            occurred_at=datetime(2026, 3, 3, 10, 15, tzinfo=world.practice.zone),
        )
        services.record_waste(
            request_as(prescriber),
            container=vial,
            quantity=Decimal("0.5"),
            manner="Drug-waste container",
            witness=world.members["monitor"].user,
            witness_password=PASSWORD,
        )
        counts.record_count(
            request_as(prescriber),
            location=location,
            kind="ad_hoc",
            business_time="close",
            taken_at=datetime(2026, 3, 3, 11, 0, tzinfo=world.practice.zone),
            lines=[counts.Counted(vial, Decimal(7), "exact")],
        )
    return vial


# What each kind's PDF must show for March: a value from its rows, as a reader of the paper sees it.
EXPECTED = {
    "administrations": ["Administration log", "administration-42", "100"],
    "receipts": ["Receipt log", "10.0 mL"],
    "inventory": ["Inventory and counts", "7.0 mL"],
    "disposals": ["Waste and disposals", "Drug-waste container"],
    "discrepancies": ["Discrepancies", "OPEN: not explained"],
}


@pytest.mark.parametrize("kind", sorted(reports.REPORTS))
def test_each_report_downloads_as_a_pdf_of_its_rows_and_is_audited(client, world, march, kind):
    client.force_login(world.members["prescriber"].user)
    response = client.get(f"{reverse('register:report_pdf')}?kind={kind}&{MARCH}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Disposition"] == (
        f'attachment; filename="{world.practice.slug}-{kind}-2026-03-01-2026-03-31.pdf"'
    )
    pdf = response.content
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    for expected in EXPECTED[kind]:
        assert expected in text
    assert "2026-03-01 to 2026-03-31" in text
    assert "by A prescriber" in text
    assert world.practice.name in text and "Page 1 of" in text  # the footer
    assert pdf_metadata(pdf)["/Author"] == world.practice.name
    event = AuditEvent.objects.get(action="register.report.exported")
    assert event.data == {"kind": kind, "from": "2026-03-01", "to": "2026-03-31", "rows": 1, "format": "pdf"}


def test_the_administration_log_pdf_names_the_client_only_for_their_care_team(client, world, march):
    url = f"{reverse('register:report_pdf')}?kind=administrations&{MARCH}"
    client.force_login(world.members["prescriber"].user)  # on the client's care team
    assert world.client.legal_name in pdf_text(client.get(url).content)
    client.force_login(world.outsider.user)  # a therapist of another client
    text = pdf_text(client.get(url).content)
    assert world.client.legal_name not in text and reports.HIDDEN_CLIENT in text


def test_an_empty_period_prints_a_page_that_says_so(client, world, march):
    client.force_login(world.members["admin"].user)
    response = client.get(f"{reverse('register:report_pdf')}?kind=receipts&start=2025-01-01&end=2025-01-31")
    assert "Nothing in this period." in pdf_text(response.content)


def test_a_bad_period_goes_back_to_the_report_page_and_nothing_is_logged(client, world):
    client.force_login(world.members["admin"].user)
    query = "kind=receipts&start=2026-03-31&end=2026-03-01"
    response = client.get(f"{reverse('register:report_pdf')}?{query}")
    assert response.status_code == 302 and response["Location"] == f"{reverse('register:report')}?{query}"
    assert not AuditEvent.objects.filter(action="register.report.exported").exists()


def test_the_report_page_offers_the_pdf_beside_the_csv(client, world, march):
    client.force_login(world.members["monitor"].user)
    html = client.get(f"{reverse('register:report')}?kind=inventory&{MARCH}").content.decode()
    assert f"{reverse('register:report_pdf')}?kind=inventory&amp;{MARCH.replace('&', '&amp;')}" in html
    assert "Download inventory and counts as PDF" in html


def test_the_front_desk_gets_no_pdf(client, world, march):
    client.force_login(world.members["front_desk"].user)
    response = client.get(f"{reverse('register:report_pdf')}?kind=administrations&{MARCH}")
    assert response.status_code == 403


def test_the_report_command_writes_a_pdf_to_a_file(world, march, tmp_path):
    out = tmp_path / "administrations.pdf"
    call_command(
        "register", "report", "--practice", world.practice.slug, "--kind", "administrations",
        "--from", "2026-03-01", "--to", "2026-03-31", "--format", "pdf", "--out", str(out),
    )  # fmt: skip
    text = pdf_text(out.read_bytes())
    assert "Administration log" in text and world.client.legal_name in text  # the server's holder sees all
    event = AuditEvent.objects.get(action="register.report.exported")
    assert event.data["via"] == "cli" and event.data["format"] == "pdf"


def test_the_report_command_wants_a_file_for_a_pdf(world):
    with pytest.raises(CommandError, match="--out FILE"):
        call_command(
            "register", "report", "--practice", world.practice.slug, "--kind", "receipts",
            "--from", "2026-03-01", "--to", "2026-03-31", "--format", "pdf",
        )  # fmt: skip
