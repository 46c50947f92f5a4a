"""The prescribing pages: who sees what, bad input refused next to its field with nothing typed lost,
and every client page audited."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kapstone.audit.models import AuditEvent
from kapstone.practice.tenancy import scopes_disabled
from kapstone.prescribing.models import (
    Credential,
    CredentialKind,
    PdmpCheck,
    PrescribingSettings,
    RemsEnrolment,
)

from ..factories import make_client
from .builders import make_credential, make_pdmp_check, set_pdmp


def sign_in(client, world, role):
    client.force_login(world.members[role].user)


def page(response) -> str:
    return response.content.decode()


def test_an_admin_records_a_dea_registration_and_a_bad_number_keeps_the_rest(client, world):
    sign_in(client, world, "admin")
    prescriber = world.members["prescriber"]
    data = {
        "membership": prescriber.pk,
        "kind": "dea",
        "state": "IL",
        "number": "AB1234564",
        "issued_on": "2025-03-01",
        "expires_on": "2028-02-29",
    }
    response = client.post(reverse("prescribing:credentials"), data)
    assert response.status_code == 200
    assert "its last digit should be 3" in page(response)
    assert 'value="2028-02-29"' in page(response) and 'value="AB1234564"' in page(response)
    response = client.post(reverse("prescribing:credentials"), {**data, "number": "AB1234563"})
    assert response["Location"] == reverse("prescribing:credentials")
    with scopes_disabled():
        credential = Credential.objects.get()
    assert (credential.membership, credential.number, credential.recorded_by) == (
        prescriber,
        "AB1234563",
        world.members["admin"].user,
    )
    listing = page(client.get(reverse("prescribing:credentials")))
    assert "AB1234563" in listing and "A prescriber" in listing


def test_each_member_sees_their_own_credentials_only(client, world):
    make_credential(world.members["prescriber"], number="AB1234563")
    make_credential(world.members["monitor"], CredentialKind.BLS, number="BLS-77")
    sign_in(client, world, "monitor")
    mine = page(client.get(reverse("prescribing:my_credentials")))
    assert "BLS-77" in mine and "AB1234563" not in mine
    assert reverse("prescribing:my_credentials") in page(client.get(reverse("accounts:security")))


def test_my_account_links_my_credentials_for_clinical_roles_only(client, world):
    sign_in(client, world, "front_desk")
    assert reverse("prescribing:my_credentials") not in page(client.get(reverse("accounts:security")))


def test_the_expiring_page_lists_expired_and_soon_expiring_credentials(client, world):
    today = world.practice.today()
    make_credential(world.members["prescriber"], number="AB1234563", expires_on=today - timedelta(days=1))
    make_credential(world.members["monitor"], CredentialKind.BLS, expires_on=today + timedelta(days=30))
    make_credential(world.members["therapist"], CredentialKind.BLS, expires_on=today + timedelta(days=300))
    sign_in(client, world, "admin")
    html = page(client.get(reverse("prescribing:expiring")))
    expired, expiring = html.split("Expiring within 60 days")
    assert "A prescriber: DEA registration AB1234563 (IL)" in expired
    assert "A monitor: BLS" in expiring and "A therapist" not in html


def test_an_admin_changes_the_settings_and_the_change_is_audited(client, world):
    sign_in(client, world, "admin")
    response = client.post(
        reverse("prescribing:settings"), {"expiry_warning_days": "30", "pdmp_interval_days": "0"}
    )
    assert "Ensure this value is greater than or equal to 1." in page(response)
    assert 'value="30"' in page(response)
    client.post(reverse("prescribing:settings"), {"expiry_warning_days": "30", "pdmp_interval_days": "60"})
    with scopes_disabled():
        saved = PrescribingSettings.objects.get(practice=world.practice)
        assert (saved.expiry_warning_days, saved.pdmp_interval_days, saved.pdmp_hard_stop) == (30, 60, False)
        assert AuditEvent.objects.filter(action="prescribing.settings.saved").count() == 1


def test_the_client_page_shows_the_checks_and_is_audited(client, world):
    prescriber = world.members["prescriber"]
    make_pdmp_check(world.client, prescriber.user, world.practice.today(), finding="Nothing else on file.")
    sign_in(client, world, "monitor")
    html = page(client.get(reverse("prescribing:client", args=[world.client.pk])))
    assert "Nothing else on file." in html and "A prescriber" in html
    due = world.practice.today() + timedelta(days=90)
    assert f"covers a dose today and through {due.day} {due:%b %Y}." in html
    assert "Record a PDMP check" not in html  # a monitor reads, never records
    with scopes_disabled():
        event = AuditEvent.objects.filter(action="prescribing.client.viewed").get()
    assert event.client_id == world.client.pk


def test_a_reviewed_check_without_a_finding_is_refused_and_nothing_typed_is_lost(client, world):
    sign_in(client, world, "prescriber")
    url = reverse("prescribing:pdmp_new", args=[world.client.pk])
    assert 'value="' + world.practice.today().isoformat() + '"' in page(client.get(url))
    data = {
        "checked_on": world.practice.today().isoformat(),
        "state": "WI",
        "checked_by": world.members["prescriber"].user.pk,
        "reviewed": "yes",
        "finding": "",
    }
    response = client.post(url, data)
    assert "Say in a few words what the reviewed result showed." in page(response)
    assert '<option value="WI" selected>' in page(response)
    tomorrow = (world.practice.today() + timedelta(days=1)).isoformat()
    response = client.post(url, {**data, "checked_on": tomorrow, "finding": "Clear."})
    assert "A PDMP check cannot be after today." in page(response)
    assert "Clear." in page(response)
    response = client.post(url, {**data, "finding": "Clear."})
    assert response["Location"] == reverse("prescribing:client", args=[world.client.pk])
    with scopes_disabled():
        assert PdmpCheck.objects.get().finding == "Clear."


def test_an_enrolment_without_both_signatures_is_refused(client, world):
    sign_in(client, world, "admin")
    url = reverse("prescribing:enrolment_new", args=[world.client.pk])
    data = {
        "enrolled_on": world.practice.today().isoformat(),
        "enrolment_id": "PT-0042",
        "prescriber": world.members["prescriber"].user.pk,
        "signed_by_patient": "on",
    }
    response = client.post(url, data)
    assert "The enrolment counts once the prescriber has signed the form." in page(response)
    assert 'value="PT-0042"' in page(response)
    client.post(url, {**data, "signed_by_prescriber": "on"})
    with scopes_disabled():
        assert RemsEnrolment.objects.get().prescriber == world.members["prescriber"].user


def test_a_certification_that_ends_before_it_starts_is_refused(client, world):
    sign_in(client, world, "admin")
    data = {
        "setting_name": "Riverbend KAP",
        "address": "200 River Road, Springfield IL",
        "certification_id": "HCS-1",
        "certified_on": "2026-01-10",
        "authorised_representative": "Dana Reyes",
        "ends_on": "2026-01-09",
    }
    response = client.post(reverse("prescribing:certifications"), data)
    assert "It ends after it was certified: check the two dates." in page(response)
    assert client.post(reverse("prescribing:certifications"), {**data, "ends_on": ""}).status_code == 302
    assert "Certified today" in page(client.get(reverse("prescribing:certifications")))


@pytest.mark.parametrize("role", ["prescriber", "therapist", "monitor"])
def test_only_admins_record_a_certification(client, world, role):
    sign_in(client, world, role)
    response = client.post(reverse("prescribing:certifications"), {"setting_name": "X"})
    assert response.status_code == 403
    assert "Record a certification" not in page(client.get(reverse("prescribing:certifications")))


def test_the_overview_lists_the_care_teams_clients_and_the_prescribers_own_state(client, world):
    make_pdmp_check(world.client, world.members["admin"].user, world.practice.today())
    sign_in(client, world, "prescriber")
    html = page(client.get(reverse("prescribing:index")))
    assert world.client.display_name in html and world.unassigned_client.display_name not in html
    assert "No DEA registration is recorded at Riverbend KAP yet" in html
    assert '<a href="/prescribing/" aria-current="page">Prescribing records</a>' in html


def test_the_pages_cost_the_same_queries_for_few_and_many_records(client, world):
    def queries(url):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    def add(n):
        for _ in range(n):
            other = make_client(world.practice, care_team=[world.members["prescriber"]])
            make_pdmp_check(other, world.members["prescriber"].user, world.practice.today())
            make_pdmp_check(world.client, world.members["admin"].user, world.practice.today())
            make_credential(world.members["monitor"], CredentialKind.BLS)

    sign_in(client, world, "admin")
    urls = [
        reverse("prescribing:index"),
        reverse("prescribing:credentials"),
        reverse("prescribing:expiring"),
        reverse("prescribing:client", args=[world.client.pk]),
    ]
    add(2)
    few = [queries(url) for url in urls]
    add(20)
    assert [queries(url) for url in urls] == few


def test_where_the_practice_only_warns_an_overdue_check_is_shown_as_a_warning(client, world):
    set_pdmp(world.practice, pdmp_hard_stop=False)
    make_pdmp_check(world.client, world.members["admin"].user, world.practice.today() - timedelta(days=91))
    sign_in(client, world, "prescriber")
    html = page(client.get(reverse("prescribing:client", args=[world.client.pk])))
    assert '<span class="tag warn">Warning only</span> The last PDMP check for' in html
    assert "In time" not in html and "Dose refused" not in html
