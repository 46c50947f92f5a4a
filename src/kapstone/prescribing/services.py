"""Recording the prescribing records: each save is atomic and writes one audit event.

Audit data holds ids and field names only: a PDMP finding is the client's health information and never
goes into the trail, only that it was written.
"""

from datetime import date

from django.db import transaction
from django.forms import ModelForm

from kapstone.accounts.models import User
from kapstone.accounts.requests import StaffRequest
from kapstone.audit.services import actor_of, log_event
from kapstone.clients.models import Client
from kapstone.pathway.models import Episode, EpisodeState

from .models import Credential, PdmpCheck, PrescribingSettings, RemsCertification, RemsEnrolment

# An episode in these states is over: a new PDMP check is not linked to it.
ENDED_EPISODE_STATES = (EpisodeState.CLOSED, EpisodeState.WITHDRAWN, EpisodeState.DECLINED)


class PrescribingError(Exception):
    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def current_episode(client: Client) -> Episode | None:
    """The client's newest episode that has not ended (closed, withdrawn or declined)."""
    episode = Episode.objects.filter(client=client).order_by("-opened_at").first()
    return episode if episode is not None and episode.state not in ENDED_EPISODE_STATES else None


def _not_after_today(request: StaffRequest, day: date, field: str, what: str) -> None:
    if day > request.practice.today():
        raise PrescribingError(f"{what} cannot be after today.", field)


def save_credential(request: StaffRequest, form: ModelForm) -> Credential:
    """Add or correct a member's credential (admins). A renewal is added as a new credential."""
    with transaction.atomic():
        credential: Credential = form.save(commit=False)
        if credential._state.adding:
            credential.practice = request.practice
            credential.recorded_by = actor_of(request)
        credential.save()
        log_event(
            request,
            "prescribing.credential.saved",
            obj=credential,
            data={
                "membership": str(credential.membership_id),
                "kind": credential.kind,
                "fields": sorted(form.changed_data),
            },
        )
    return credential


def record_pdmp_check(
    request: StaffRequest,
    client: Client,
    *,
    checked_on: date,
    state: str,
    checked_by: User,
    reviewed: bool,
    finding: str = "",
) -> PdmpCheck:
    """Record one PDMP check for ``client``, linked to the client's current episode if there is one."""
    _not_after_today(request, checked_on, "checked_on", "A PDMP check")
    with transaction.atomic():
        check = PdmpCheck.objects.create(
            practice=request.practice,
            client=client,
            episode=current_episode(client),
            checked_on=checked_on,
            state=state,
            checked_by=checked_by,
            reviewed=reviewed,
            finding=finding.strip(),
            recorded_by=actor_of(request),
        )
        log_event(
            request,
            "prescribing.pdmp.recorded",
            obj=check,
            data={
                "episode": str(check.episode_id) if check.episode_id else None,
                "state": state,
                "reviewed": reviewed,
                "fields": ["checked_on", "state", "checked_by", "reviewed"]
                + (["finding"] if finding else []),
            },
        )
    return check


def record_enrolment(
    request: StaffRequest,
    client: Client,
    *,
    enrolled_on: date,
    enrolment_id: str,
    prescriber: User,
    signed_by_patient: bool,
    signed_by_prescriber: bool,
) -> RemsEnrolment:
    """Record the client's Spravato REMS patient enrolment; the form is signed by both before it counts."""
    _not_after_today(request, enrolled_on, "enrolled_on", "An enrolment")
    if not (signed_by_patient and signed_by_prescriber):
        raise PrescribingError(
            "The REMS enrolment form is signed by the patient and by the prescriber before it is recorded.",
            "signed_by_patient" if not signed_by_patient else "signed_by_prescriber",
        )
    with transaction.atomic():
        enrolment = RemsEnrolment.objects.create(
            practice=request.practice,
            client=client,
            enrolled_on=enrolled_on,
            enrolment_id=enrolment_id.strip(),
            prescriber=prescriber,
            signed_by_patient=signed_by_patient,
            signed_by_prescriber=signed_by_prescriber,
            recorded_by=actor_of(request),
        )
        log_event(request, "prescribing.enrolment.recorded", obj=enrolment, data={"client": str(client.pk)})
    return enrolment


def save_certification(request: StaffRequest, form: ModelForm) -> RemsCertification:
    """Add or correct the treatment setting's REMS certification (admins)."""
    with transaction.atomic():
        certification: RemsCertification = form.save(commit=False)
        if certification._state.adding:
            certification.practice = request.practice
            certification.recorded_by = actor_of(request)
        certification.save()
        log_event(
            request,
            "prescribing.certification.saved",
            obj=certification,
            data={"fields": sorted(form.changed_data)},
        )
    return certification


def save_settings(request: StaffRequest, form: ModelForm) -> PrescribingSettings:
    with transaction.atomic():
        settings: PrescribingSettings = form.save(commit=False)
        settings.practice = request.practice
        settings.save()
        log_event(
            request, "prescribing.settings.saved", obj=settings, data={"fields": sorted(form.changed_data)}
        )
    return settings


def client_viewed(request: StaffRequest, client: Client, page: str) -> None:
    """The read of a client's prescribing records (their PDMP findings are PHI)."""
    log_event(request, "prescribing.client.viewed", obj=client, data={"page": page})
