"""Recording credentials, PDMP checks and REMS enrolment through the services: what is refused, what is
linked, and what the audit trail keeps (ids and field names, never a finding's words)."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.management import call_command

from kapstone.audit.models import AuditEvent
from kapstone.pathway.models import Episode
from kapstone.practice.tenancy import practice_scope
from kapstone.prescribing import services
from kapstone.prescribing.forms import CredentialForm
from kapstone.prescribing.models import Credential, CredentialKind, PdmpCheck, validate_dea_number
from kapstone.prescribing.tasks import credentials_due, send_credential_reminders

from .builders import dea_number, make_credential, request_as, set_pdmp

pytestmark = pytest.mark.usefixtures("scoped")
TODAY = date(2026, 11, 2)


def credential_form(world, **data):
    fields = {
        "membership": world.members["prescriber"].pk,
        "kind": "dea",
        "state": "IL",
        "number": "AB1234563",
        "issued_on": "2024-11-03",
        "expires_on": "2027-11-02",
        **data,
    }
    return CredentialForm(fields, practice=world.practice)


# --- credentials -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("AB123456", "is not a DEA registration number: two letters and seven digits"),
        ("AB1234564", "its last digit should be 3"),
        ("AB2134563", "its last digit should be"),  # two digits swapped
    ],
)
def test_a_dea_number_with_a_wrong_shape_or_check_digit_is_refused(world, number, message):
    form = credential_form(world, number=number)
    assert not form.is_valid()
    assert message in form.errors["number"][0]


def test_the_builders_dea_numbers_pass_the_check():
    for n in range(50):
        validate_dea_number(dea_number(n=n))


def test_a_dea_number_is_tidied_and_a_licence_needs_its_state(world):
    form = credential_form(world, number="ab 123 4563")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["number"] == "AB1234563"
    form = credential_form(world, kind="medical_licence", state="", number="036-000123")
    assert not form.is_valid()
    assert form.errors["state"] == ["A State medical licence belongs to a state: choose it."]


def test_a_bls_card_needs_no_state_or_number_but_an_expiry_after_its_issue(world):
    assert credential_form(world, kind="bls", state="", number="").is_valid()
    form = credential_form(world, kind="bls", state="", number="", expires_on="2024-01-01")
    assert form.errors["expires_on"] == ["It expires after it was issued: check the two dates."]


def test_saving_a_credential_is_audited_without_its_number(world):
    admin = world.members["admin"]
    form = credential_form(world)
    assert form.is_valid()
    with practice_scope(world.practice):
        credential = services.save_credential(request_as(admin), form)
    assert credential.recorded_by == admin.user
    event = AuditEvent.objects.get(action="prescribing.credential.saved")
    assert event.actor == admin.user and event.object_id == str(credential.pk)
    assert "AB1234563" not in str(event.data)


def test_a_renewal_supersedes_the_credential_it_renews(world):
    prescriber = world.members["prescriber"]
    make_credential(prescriber, expires_on=TODAY - timedelta(days=1))
    renewal = make_credential(prescriber, expires_on=TODAY + timedelta(days=900))
    due = credentials_due(world.practice, TODAY)
    assert due.expired == [] and renewal not in due.expiring


def test_due_credentials_split_into_expired_and_expiring_within_the_window(world):
    prescriber, monitor = world.members["prescriber"], world.members["monitor"]
    expired = make_credential(prescriber, CredentialKind.ACLS, expires_on=TODAY - timedelta(days=1))
    last_day = make_credential(monitor, CredentialKind.BLS, expires_on=TODAY + timedelta(days=60))
    make_credential(monitor, CredentialKind.ACLS, expires_on=TODAY + timedelta(days=61))
    due = credentials_due(world.practice, TODAY)
    assert due.expired == [expired]
    assert due.expiring == [last_day]
    set_pdmp(world.practice, expiry_warning_days=90)
    assert len(credentials_due(world.practice, TODAY).expiring) == 2


# --- reminders -------------------------------------------------------------------------------------------


def remind(world, day):
    return send_credential_reminders.call(str(world.practice.pk), day.isoformat())


def test_reminders_email_each_member_their_own_and_the_admins_everything_once_a_week(world):
    prescriber, monitor = world.members["prescriber"], world.members["monitor"]
    make_credential(prescriber, number="AB1234563", expires_on=TODAY + timedelta(days=10))
    make_credential(monitor, CredentialKind.BLS, expires_on=TODAY - timedelta(days=3))
    make_credential(world.members["therapist"], CredentialKind.BLS, expires_on=TODAY + timedelta(days=400))
    assert remind(world, TODAY) == 3
    by_recipient = {tuple(m.to): m for m in mail.outbox}
    mine = by_recipient[(prescriber.user.email,)]
    assert "DEA registration AB1234563 (IL): expires on 12 Nov 2026" in mine.body
    assert "BLS" not in mine.body
    assert "BLS: EXPIRED on 30 Oct 2026" in by_recipient[(monitor.user.email,)].body
    admins = by_recipient[(world.members["admin"].user.email,)]
    assert "Expired:\n- A monitor: BLS, expired on 30 Oct 2026" in admins.body
    assert "A therapist" not in admins.body
    assert AuditEvent.objects.filter(action="prescribing.credentials.reminded").count() == 1

    mail.outbox.clear()
    assert remind(world, TODAY + timedelta(days=6)) == 0
    assert remind(world, TODAY + timedelta(days=7)) == 3


def test_a_member_who_left_is_not_reminded(world):
    monitor = world.members["monitor"]
    make_credential(monitor, CredentialKind.BLS, expires_on=TODAY)
    monitor.is_active = False
    monitor.save()
    assert send_credential_reminders.call(str(world.practice.pk), TODAY.isoformat()) == 0
    assert mail.outbox == []


def test_the_remind_command_runs_for_one_practice(world, capsys):
    make_credential(world.members["prescriber"], expires_on=TODAY)
    make_credential(world.other_members["prescriber"], expires_on=TODAY)
    call_command("prescribing", "remind", "--practice", world.practice.slug, "--today", TODAY.isoformat())
    assert "Sent 2 credential reminder email(s) for Riverbend KAP." in capsys.readouterr().out
    assert world.other_members["prescriber"].user.email not in {to for m in mail.outbox for to in m.to}


# --- PDMP checks and REMS enrolment ---------------------------------------------------------------------


def test_a_pdmp_check_links_to_the_current_episode_and_its_finding_stays_out_of_the_audit(world):
    prescriber = world.members["prescriber"]
    episode = Episode.objects.get(client=world.client)
    with practice_scope(world.practice):
        check = services.record_pdmp_check(
            request_as(prescriber),
            world.client,
            checked_on=world.practice.today(),
            state="IL",
            checked_by=prescriber.user,
            reviewed=True,
            finding="Alprazolam 0.5 mg from another prescriber in March.",
        )
    assert check.episode == episode and check.recorded_by == prescriber.user
    event = AuditEvent.objects.get(action="prescribing.pdmp.recorded")
    assert event.client_id == world.client.pk
    assert "finding" in event.data["fields"] and "Alprazolam" not in str(event.data)


def test_a_pdmp_check_of_a_client_whose_episode_closed_links_to_none(world):
    Episode.objects.filter(client=world.client).update(state="closed")
    with practice_scope(world.practice):
        check = services.record_pdmp_check(
            request_as(world.members["admin"]),
            world.client,
            checked_on=world.practice.today(),
            state="IL",
            checked_by=world.members["admin"].user,
            reviewed=False,
        )
    assert check.episode is None


def test_a_pdmp_check_dated_tomorrow_is_refused(world):
    prescriber = world.members["prescriber"]
    with practice_scope(world.practice), pytest.raises(services.PrescribingError) as refused:
        services.record_pdmp_check(
            request_as(prescriber),
            world.client,
            checked_on=world.practice.today() + timedelta(days=1),
            state="IL",
            checked_by=prescriber.user,
            reviewed=True,
        )
    assert refused.value.field == "checked_on"
    assert not PdmpCheck.objects.exists()


def test_an_enrolment_needs_both_signatures(world):
    prescriber = world.members["prescriber"]
    with practice_scope(world.practice), pytest.raises(services.PrescribingError) as refused:
        services.record_enrolment(
            request_as(prescriber),
            world.client,
            enrolled_on=world.practice.today(),
            enrolment_id="PT-1",
            prescriber=prescriber.user,
            signed_by_patient=True,
            signed_by_prescriber=False,
        )
    assert refused.value.field == "signed_by_prescriber"


def test_credentials_are_scoped_to_their_practice(world):
    make_credential(world.other_members["prescriber"])
    with practice_scope(world.practice):
        assert not Credential.objects.exists()
