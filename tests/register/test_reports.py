"""Reports for any period: the administration log with every federal field, receipts, inventory,
waste and disposals, discrepancies; on screen, as CSV, and from the command line."""

import csv
import io
from datetime import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from kapstone.audit.models import AuditEvent
from kapstone.register import reports, services
from tests.factories import PASSWORD

from .builders import ketamine_vial, make_location, receive, request_as

pytestmark = pytest.mark.usefixtures("scoped")


@pytest.fixture
def dosed(world):
    """A vial received on 2 March 2026, a 100 mg dose drawn at 10:15 Chicago time the next day, waste."""
    world.client.address = "4 Oak Lane\nEvanston, IL 60201"
    world.client.save()
    location = make_location(world.practice)
    with time_machine.travel(datetime(2026, 3, 3, 12, tzinfo=world.practice.zone)):
        (vial,) = receive(
            world.members["prescriber"],
            location,
            ketamine_vial(world.practice),
            received_on=datetime(2026, 3, 2).date(),
        )
        entry = services.draw_for_dose(
            request_as(world.members["prescriber"]),
            container=vial,
            client=world.client,
            administration_ref="administration-42",
            mg=Decimal(100),
            ml=Decimal(2),
            given_by=world.members["monitor"].user,
            occurred_at=datetime(2026, 3, 3, 10, 15, tzinfo=world.practice.zone),
        )
        services.record_waste(
            request_as(world.members["prescriber"]),
            container=vial,
            quantity=Decimal("0.5"),
            manner="Drug-waste container",
            witness=world.members["monitor"].user,
            witness_password=PASSWORD,
        )
    return vial, entry


def days(start, end):
    return datetime.fromisoformat(start).date(), datetime.fromisoformat(end).date()


def test_the_administration_log_has_every_federal_field(world, dosed):
    report = reports.build("administrations", world.practice, *days("2026-03-01", "2026-03-31"))
    row = dict(zip(report.columns, report.rows[0], strict=True))
    assert row["Date"] == "2026-03-03 10:15 CST"
    assert row["Substance"] == "Ketamine HCl"
    assert row["Form and strength"] == "Ketamine HCl injection (solution) 50 mg/mL, 10 mL vial"
    assert (
        row["Client"] == world.client.legal_name and row["Client address"] == "4 Oak Lane Evanston, IL 60201"
    )
    assert (row["mg"], row["Amount"]) == ("100", "2.0 mL")
    assert row["Given by"] == "A monitor" and row["Administration"] == "administration-42"
    assert reports.build("administrations", world.practice, *days("2026-03-04", "2026-03-31")).rows == []


def test_the_log_shows_the_corrected_amount(world, dosed):
    _, entry = dosed
    services.correct_entry(
        request_as(world.members["prescriber"]), entry=entry, corrected=Decimal("1.5"), reason="x"
    )
    row = reports.build("administrations", world.practice, *days("2026-03-01", "2026-12-31")).rows[0]
    assert row[8:10] == ["75", "1.5 mL"] and row[-1] == "corrected"


def test_a_viewer_sees_only_the_names_of_clients_they_may_see(world, dosed):
    report = reports.build(
        "administrations", world.practice, *days("2026-03-01", "2026-03-31"), viewer=world.outsider
    )
    assert report.rows[0][6] == reports.HIDDEN_CLIENT and report.rows[0][7] == ""


def test_receipts_and_disposals(world, dosed):
    receipt = reports.build("receipts", world.practice, *days("2026-03-02", "2026-03-02")).rows[0]
    assert receipt[:4] == [
        "2026-03-02",
        "Acme Pharma Distribution",
        "1 Supply Way Memphis, TN 38101",
        "RA1234567",
    ]
    assert receipt[8:10] == ["1", "10.0 mL"]
    waste = reports.build("disposals", world.practice, *days("2026-03-01", "2026-03-31")).rows[0]
    assert waste[1] == "Waste" and waste[5] == "0.5 mL" and waste[11] == "A monitor"


def test_the_csv_download_is_audited(client, world, dosed):
    client.force_login(world.members["admin"].user)
    response = client.get(
        reverse("register:report_csv") + "?kind=administrations&start=2026-03-01&end=2026-03-31"
    )
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][0] == "Date" and rows[1][6] == world.client.legal_name
    assert AuditEvent.objects.filter(action="register.report.exported").count() == 1


def test_the_report_page_shows_the_period_and_a_bad_period_is_refused(client, world, dosed):
    client.force_login(world.members["prescriber"].user)
    html = client.get(
        reverse("register:report") + "?kind=disposals&start=2026-03-01&end=2026-03-31"
    ).content.decode()
    assert "Waste and disposals" in html and "Drug-waste container" in html and "at least 2 years" in html
    assert 'value="kind=' not in html  # the period stays out of the client search box
    html = client.get(
        reverse("register:report") + "?kind=disposals&start=2026-03-31&end=2026-03-01"
    ).content.decode()
    assert "The period ends before it starts." in html


def test_the_report_command_writes_csv_to_standard_output(world, dosed, capsys):
    call_command(
        "register",
        "report",
        "--practice",
        world.practice.slug,
        "--kind",
        "administrations",
        "--from",
        "2026-03-01",
        "--to",
        "2026-03-31",
        "--format",
        "csv",
    )
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[0][:3] == ["Date", "Substance", "Form and strength"] and rows[1][11] == "administration-42"


def test_reminders_go_to_the_admins_once_a_day(world, dosed):
    vial, _ = dosed
    with time_machine.travel(datetime(2026, 3, 6, 9, tzinfo=world.practice.zone)):
        services.report_loss(
            request_as(world.members["prescriber"]),
            container=vial,
            kind="loss",
            quantity=Decimal(1),
            discovered_at=datetime(2026, 3, 6, 8, tzinfo=world.practice.zone),
            description="Short by 1 mL at the morning count.",
        )
    call_command("register", "remind", "--today", "2026-03-09")
    assert [m.to for m in mail.outbox] == [[world.members["admin"].user.email]]
    assert "Written notice to the DEA field office: due 2026-03-09" in mail.outbox[0].body
    call_command("register", "remind", "--today", "2026-03-09")
    assert len(mail.outbox) == 1
    call_command("register", "remind", "--today", "2026-03-10")
    assert "(OVERDUE)" in mail.outbox[1].body
