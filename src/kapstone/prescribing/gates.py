"""Before a dose: may this prescriber order it, and are this client's PDMP check and REMS enrolment in
order? A small pure API for other apps (the sessions app asks before a dose; docs/prescribing.md).

Each ``*_refusal`` returns None when the dose may go ahead, else one sentence that says what is
missing and where it is recorded. :func:`warnings_for` returns notes for display that refuse nothing.
The functions only read: they write no audit event (the page that shows their answer audits its own
read) and run inside the caller's practice scope, filtering by practice as well, so another practice's
records never count. ``on`` is the practice's date of the dose; boundaries: a credential is valid
through its expiry day, a PDMP check ``N`` days old is still in time with an ``N``-day interval.
"""

from datetime import date, timedelta

from django.urls import reverse

from kapstone.accounts.models import User
from kapstone.clients.models import Client
from kapstone.practice.models import Membership, Practice

from .models import (
    Credential,
    CredentialKind,
    PdmpCheck,
    PrescribingSettings,
    RemsCertification,
    RemsEnrolment,
    current_credentials,
    long_date,
)
from .rules import rules

CREDENTIALS_PAGE = "prescribing:credentials"


def _membership(practice: Practice, user: User) -> Membership | None:
    return Membership.objects.active().filter(practice=practice, user=user).first()


def _dea_registrations(practice: Practice, membership: Membership) -> list[Credential]:
    found = Credential.objects.filter(practice=practice, membership=membership, kind=CredentialKind.DEA)
    return list(found.order_by("-expires_on", "-recorded_at"))


def prescriber_refusal(practice: Practice, user: User, on: date) -> str | None:
    """None when ``user`` holds a DEA registration recorded at ``practice`` that is valid on ``on``.

    A practice that has recorded no credentials at all is refused like any other: dosing by a
    prescriber without a recorded current registration is refused, and the sentence names the page
    where an admin records registrations.
    """
    page = reverse(CREDENTIALS_PAGE)
    membership = _membership(practice, user)
    name = user.full_name or user.email
    if membership is None:
        return (
            f"{name} is not an active member of {practice.name}: a prescriber of the practice "
            "orders this dose."
        )
    registrations = _dea_registrations(practice, membership)
    if any(r.is_valid_on(on) for r in registrations):
        return None
    if not registrations:
        if not Credential.objects.filter(practice=practice, kind=CredentialKind.DEA).exists():
            return (
                f"No DEA registration is recorded at {practice.name} yet: an admin records each "
                f"prescriber's registration under Staff credentials ({page}) before a dose is ordered."
            )
        return (
            f"No DEA registration is recorded for you ({name}): a prescriber with a current registration "
            f"orders this dose. An admin records it under Staff credentials ({page})."
        )
    newest = registrations[0]
    if newest.issued_on is not None and on < newest.issued_on and on <= newest.expires_on:
        return (
            f"Your DEA registration {newest.number} is valid from {long_date(newest.issued_on)}: a "
            "prescriber with a current registration orders this dose."
        )
    return (
        f"Your DEA registration {newest.number} expired on {long_date(newest.expires_on)}: a prescriber "
        "with a current registration orders this dose."
    )


def _newest_check(client: Client, on: date, reviewed: bool | None = None) -> PdmpCheck | None:
    checks = PdmpCheck.objects.filter(practice=client.practice, client=client, checked_on__lte=on)
    if reviewed is not None:
        checks = checks.filter(reviewed=reviewed)
    return checks.order_by("-checked_on", "-recorded_at").first()


def pdmp_due_by(check: PdmpCheck, interval_days: int) -> date:
    """The last day a dose may follow ``check``: ``interval_days`` after the day it was made."""
    return check.checked_on + timedelta(days=interval_days)


def _pdmp_problem(client: Client, on: date, settings: PrescribingSettings) -> str | None:
    """What is wrong with the client's PDMP checks on ``on``, whether or not it refuses the dose."""
    interval = settings.pdmp_interval_days
    check = _newest_check(client, on, reviewed=True)
    if check is None:
        unreviewed = _newest_check(client, on, reviewed=False)
        if unreviewed is not None:
            return (
                f"The PDMP check for {client.display_name} on {long_date(unreviewed.checked_on)} is "
                "recorded without its result reviewed: review the result and record the check again "
                "before this dose."
            )
        return (
            f"No PDMP check is recorded for {client.display_name}: check the state PDMP and record it on "
            f"the client's prescribing page before this dose."
        )
    due = pdmp_due_by(check, interval)
    if on > due:
        return (
            f"The last PDMP check for {client.display_name} was on {long_date(check.checked_on)}, more "
            f"than {interval} days ago (due by {long_date(due)}): check the PDMP again and record it "
            "before this dose."
        )
    return None


def pdmp_problem(client: Client, on: date) -> str | None:
    """What is missing from the client's PDMP checks on ``on``, whether or not the practice refuses it."""
    return _pdmp_problem(client, on, PrescribingSettings.for_practice(client.practice))


def pdmp_refusal(client: Client, on: date) -> str | None:
    """None when a reviewed PDMP check for ``client`` is at most the practice's interval old on ``on``,
    or when the practice has set a missing or overdue check to warn rather than refuse."""
    settings = PrescribingSettings.for_practice(client.practice)
    if not settings.pdmp_hard_stop:
        return None
    return _pdmp_problem(client, on, settings)


def current_certification(practice: Practice, on: date) -> RemsCertification | None:
    certifications = RemsCertification.objects.filter(practice=practice, certified_on__lte=on)
    return next((c for c in certifications.order_by("-certified_on") if c.holds_on(on)), None)


def current_enrolment(client: Client, on: date) -> RemsEnrolment | None:
    enrolments = RemsEnrolment.objects.filter(
        practice=client.practice,
        client=client,
        enrolled_on__lte=on,
        signed_by_patient=True,
        signed_by_prescriber=True,
    )
    return enrolments.order_by("-enrolled_on", "-recorded_at").first()


def rems_refusal(client: Client, on: date) -> str | None:
    """For esketamine: None when the practice's treatment setting holds a Spravato REMS certification on
    ``on`` and ``client`` was enrolled in the REMS (form signed by patient and prescriber) by then."""
    practice = client.practice
    if current_certification(practice, on) is None:
        ended = (
            RemsCertification.objects.filter(practice=practice, ends_on__lt=on).order_by("-ends_on").first()
        )
        if ended is not None and ended.ends_on is not None:
            return (
                f"The Spravato REMS certification of {ended.setting_name} ended on "
                f"{long_date(ended.ends_on)}: "
                "esketamine is given only in a certified healthcare setting."
            )
        return (
            f"No Spravato REMS certification is recorded for {practice.name} on {long_date(on)}: esketamine "
            "is given only in a certified healthcare setting. An admin records it under REMS certification."
        )
    if current_enrolment(client, on) is None:
        return (
            f"{client.display_name} is not enrolled in the Spravato REMS: the patient enrolment form, signed "
            "by the patient and the prescriber, is recorded on the client's prescribing page before the "
            "first treatment."
        )
    return None


def _days(n: int) -> str:
    if n == 0:
        return "today"
    if n == 1:
        return "tomorrow"
    return f"in {n} days"


def warnings_for(client: Client, user: User, on: date, *, esketamine: bool = False) -> list[str]:
    """Notes for the dose page that refuse nothing: the user's credentials expiring within the practice's
    window or expired (other than a lapsed DEA registration, which :func:`prescriber_refusal` refuses),
    a PDMP check falling due soon (or missing or overdue where the practice only warns), and, with
    ``esketamine``, a REMS certification ending within the window."""
    practice = client.practice
    settings = PrescribingSettings.for_practice(practice)
    window = settings.expiry_warning_days
    notes: list[str] = []
    membership = _membership(practice, user)
    if membership is not None:
        held = Credential.objects.filter(practice=practice, membership=membership)
        for credential in current_credentials(held):
            status = credential.status(on, window)
            if status == "expiring":
                notes.append(
                    f"Your {credential.label} expires on {long_date(credential.expires_on)} "
                    f"({_days(credential.days_left(on))})."
                )
            elif status == "expired" and credential.kind != CredentialKind.DEA:
                notes.append(f"Your {credential.label} expired on {long_date(credential.expires_on)}.")
    problem = _pdmp_problem(client, on, settings)
    if problem is not None and not settings.pdmp_hard_stop:
        notes.append(problem)
    if problem is None:
        check = _newest_check(client, on, reviewed=True)
        assert check is not None  # no problem means a reviewed check in time
        due = pdmp_due_by(check, settings.pdmp_interval_days)
        if (due - on).days <= rules().pdmp_due_soon_days:
            notes.append(
                f"The PDMP check for {client.display_name} falls due by {long_date(due)} "
                f"({_days((due - on).days)})."
            )
    if esketamine:
        certification = current_certification(practice, on)
        if certification is not None and certification.ends_on is not None:
            left = (certification.ends_on - on).days
            if left <= window:
                notes.append(
                    f"The Spravato REMS certification of {certification.setting_name} ends on "
                    f"{long_date(certification.ends_on)} ({_days(left)})."
                )
    return notes
