"""The gates the sessions app asks before a dose, on hand-made dates: the expiry day itself, an
interval's day N and N+1, a certification's first and last day, another practice's records."""

from datetime import date

import pytest
from django.urls import reverse

from kapstone.practice.models import Membership
from kapstone.prescribing.gates import pdmp_refusal, prescriber_refusal, rems_refusal, warnings_for
from kapstone.prescribing.models import CredentialKind

from .builders import (
    make_certification,
    make_credential,
    make_enrolment,
    make_pdmp_check,
    set_pdmp,
)

NOV_2 = date(2026, 11, 2)
pytestmark = pytest.mark.usefixtures("scoped")


@pytest.fixture
def prescriber(world):
    return world.members["prescriber"]


# --- prescriber_refusal -----------------------------------------------------------------------------------


def test_a_practice_with_no_credentials_refuses_and_names_the_page(world, prescriber):
    refusal = prescriber_refusal(world.practice, prescriber.user, NOV_2)
    page = reverse("prescribing:credentials")
    assert refusal == (
        "No DEA registration is recorded at Riverbend KAP yet: an admin records each prescriber's "
        f"registration under Staff credentials ({page}) before a dose is ordered."
    )


def test_a_prescriber_without_a_registration_is_refused_when_colleagues_have_one(world, prescriber):
    make_credential(world.members["admin"])
    refusal = prescriber_refusal(world.practice, prescriber.user, NOV_2)
    assert refusal.startswith("No DEA registration is recorded for you (A prescriber): a prescriber with")


def test_a_registration_is_valid_through_its_expiry_day_and_lapses_the_day_after(world, prescriber):
    make_credential(prescriber, number="AB1234563", expires_on=NOV_2)
    assert prescriber_refusal(world.practice, prescriber.user, NOV_2) is None
    assert prescriber_refusal(world.practice, prescriber.user, date(2026, 11, 3)) == (
        "Your DEA registration AB1234563 expired on 2 Nov 2026: a prescriber with a current registration "
        "orders this dose."
    )


def test_a_registration_counts_from_its_issue_day(world, prescriber):
    make_credential(prescriber, number="AB1234563", issued_on=NOV_2, expires_on=date(2029, 11, 1))
    assert prescriber_refusal(world.practice, prescriber.user, NOV_2) is None
    refusal = prescriber_refusal(world.practice, prescriber.user, date(2026, 11, 1))
    assert refusal.startswith("Your DEA registration AB1234563 is valid from 2 Nov 2026")


def test_a_renewal_lets_the_prescriber_dose_after_the_old_one_lapsed(world, prescriber):
    make_credential(prescriber, expires_on=NOV_2)
    make_credential(prescriber, issued_on=NOV_2, expires_on=date(2029, 11, 2))
    assert prescriber_refusal(world.practice, prescriber.user, date(2027, 1, 10)) is None


def test_a_licence_or_bls_is_not_a_dea_registration(world, prescriber):
    make_credential(prescriber, CredentialKind.MEDICAL_LICENCE)
    make_credential(prescriber, CredentialKind.BLS)
    assert prescriber_refusal(world.practice, prescriber.user, NOV_2).startswith("No DEA registration")


def test_a_registration_recorded_at_another_practice_does_not_count(world):
    other = world.other_members["prescriber"]
    make_credential(other)
    # the same person is a member of practice A too, without a registration recorded there
    Membership.objects.create(practice=world.practice, user=other.user, role="prescriber")
    assert prescriber_refusal(world.practice, other.user, NOV_2) is not None
    assert prescriber_refusal(world.other_practice, other.user, NOV_2) is None


def test_someone_who_is_not_a_member_is_refused(world):
    outsider = world.other_members["prescriber"]
    assert "is not an active member of Riverbend KAP" in prescriber_refusal(
        world.practice, outsider.user, NOV_2
    )


# --- pdmp_refusal ------------------------------------------------------------------------------------------


def test_no_pdmp_check_refuses(world):
    assert pdmp_refusal(world.client, NOV_2).startswith(
        f"No PDMP check is recorded for {world.client.display_name}: check the state PDMP"
    )


def test_a_check_is_in_time_on_day_n_of_the_interval_and_overdue_on_day_n_plus_1(world, prescriber):
    make_pdmp_check(world.client, prescriber.user, date(2026, 8, 4))  # 90 days before 2 Nov
    assert pdmp_refusal(world.client, NOV_2) is None
    assert pdmp_refusal(world.client, date(2026, 11, 3)) == (
        f"The last PDMP check for {world.client.display_name} was on 4 Aug 2026, more than 90 days ago "
        "(due by 2 Nov 2026): check the PDMP again and record it before this dose."
    )


def test_the_practice_sets_the_interval(world, prescriber):
    set_pdmp(world.practice, pdmp_interval_days=30)
    make_pdmp_check(world.client, prescriber.user, date(2026, 10, 3))
    assert pdmp_refusal(world.client, NOV_2) is None  # 30 days
    assert pdmp_refusal(world.client, date(2026, 11, 3)) is not None  # 31 days


def test_a_check_whose_result_was_not_reviewed_does_not_count(world, prescriber):
    make_pdmp_check(world.client, prescriber.user, date(2026, 11, 1), reviewed=False)
    assert "recorded without its result reviewed" in pdmp_refusal(world.client, NOV_2)


def test_a_check_dated_after_the_dose_does_not_count(world, prescriber):
    make_pdmp_check(world.client, prescriber.user, date(2026, 11, 3))
    assert pdmp_refusal(world.client, NOV_2) is not None


def test_another_clients_check_does_not_count(world, prescriber):
    make_pdmp_check(world.unassigned_client, prescriber.user, NOV_2)
    assert pdmp_refusal(world.client, NOV_2) is not None


def test_when_the_practice_only_warns_nothing_is_refused_and_the_warning_says_why(world, prescriber):
    set_pdmp(world.practice, pdmp_hard_stop=False)
    assert pdmp_refusal(world.client, NOV_2) is None
    notes = warnings_for(world.client, prescriber.user, NOV_2)
    assert any(n.startswith("No PDMP check is recorded for") for n in notes)


# --- rems_refusal ------------------------------------------------------------------------------------------


def test_esketamine_needs_a_certified_setting(world, prescriber):
    make_enrolment(world.client, prescriber.user)
    assert rems_refusal(world.client, NOV_2).startswith(
        "No Spravato REMS certification is recorded for Riverbend KAP on 2 Nov 2026"
    )


def test_a_certification_holds_from_its_first_through_its_last_day(world, prescriber):
    make_enrolment(world.client, prescriber.user)
    make_certification(world.practice, prescriber.user, certified_on=date(2026, 1, 5), ends_on=NOV_2)
    assert rems_refusal(world.client, date(2026, 1, 4)) is not None
    assert rems_refusal(world.client, date(2026, 1, 5)) is None
    assert rems_refusal(world.client, NOV_2) is None
    assert rems_refusal(world.client, date(2026, 11, 3)) == (
        "The Spravato REMS certification of Riverbend KAP, Suite 200 ended on 2 Nov 2026: esketamine is "
        "given only in a certified healthcare setting."
    )


def test_esketamine_needs_the_client_enrolled_by_the_day_of_the_dose(world, prescriber):
    make_certification(world.practice, prescriber.user)
    assert rems_refusal(world.client, NOV_2).startswith(
        f"{world.client.display_name} is not enrolled in the Spravato REMS"
    )
    make_enrolment(world.client, prescriber.user, enrolled_on=NOV_2)
    assert rems_refusal(world.client, date(2026, 11, 1)) is not None
    assert rems_refusal(world.client, NOV_2) is None


def test_an_enrolment_form_not_signed_by_both_does_not_count(world, prescriber):
    make_certification(world.practice, prescriber.user)
    make_enrolment(world.client, prescriber.user, signed_by_prescriber=False)
    assert rems_refusal(world.client, NOV_2) is not None


def test_another_practices_certification_does_not_count(world, prescriber):
    make_enrolment(world.client, prescriber.user)
    make_certification(world.other_practice, world.other_members["admin"].user)
    assert rems_refusal(world.client, NOV_2) is not None


# --- warnings_for ------------------------------------------------------------------------------------------


def test_warnings_name_credentials_expiring_within_the_window_including_its_last_day(world, prescriber):
    make_credential(prescriber, number="AB1234563", expires_on=date(2027, 1, 1))  # 60 days after 2 Nov
    make_credential(prescriber, CredentialKind.ACLS, expires_on=date(2026, 10, 1))
    make_pdmp_check(world.client, prescriber.user, date(2026, 10, 1))
    notes = warnings_for(world.client, prescriber.user, NOV_2)
    assert "Your DEA registration AB1234563 (IL) expires on 1 Jan 2027 (in 60 days)." in notes
    assert "Your ACLS expired on 1 Oct 2026." in notes
    assert warnings_for(world.client, prescriber.user, date(2026, 11, 1)) == [
        "Your ACLS expired on 1 Oct 2026."
    ]


def test_warnings_say_a_pdmp_check_falls_due_soon(world, prescriber):
    make_credential(prescriber)
    make_pdmp_check(world.client, prescriber.user, date(2026, 8, 20))  # due by 18 Nov: 16 days
    assert warnings_for(world.client, prescriber.user, NOV_2) == []
    notes = warnings_for(world.client, prescriber.user, date(2026, 11, 4))  # 14 days
    assert notes == [f"The PDMP check for {world.client.display_name} falls due by 18 Nov 2026 (in 14 days)."]


def test_warnings_for_esketamine_say_the_certification_ends_soon(world, prescriber):
    make_credential(prescriber)
    make_pdmp_check(world.client, prescriber.user, NOV_2)
    make_certification(world.practice, prescriber.user, ends_on=date(2026, 11, 3))
    assert warnings_for(world.client, prescriber.user, NOV_2) == []
    notes = warnings_for(world.client, prescriber.user, NOV_2, esketamine=True)
    assert notes == [
        "The Spravato REMS certification of Riverbend KAP, Suite 200 ends on 3 Nov 2026 (tomorrow)."
    ]
