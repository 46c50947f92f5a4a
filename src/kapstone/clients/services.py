"""Client record changes: each one atomic, checked, and written to the audit trail."""

from django.db import transaction

from kapstone.accounts.requests import StaffRequest
from kapstone.audit.services import log_event
from kapstone.practice.models import Membership, Practice

from .events import client_created
from .forms import ClientForm
from .models import DEFAULT_CARE_TEAM_ROLE, CareTeamMember, Client


class CareTeamError(Exception):
    """A care-team change that would leave the record in a bad state."""


def next_record_number(practice: Practice) -> str:
    """Hand out the practice's next record number; the row lock makes it unique under concurrency."""
    locked = Practice.objects.select_for_update().get(pk=practice.pk)
    number = locked.next_record_number
    Practice.objects.filter(pk=practice.pk).update(next_record_number=number + 1)
    return f"{locked.record_prefix}-{number:05d}"


@transaction.atomic
def create_client(request: StaffRequest, form: ClientForm) -> Client:
    """Save a new client from a valid form; the creator joins the care team so they can see it.

    Announced as :data:`.events.client_created`: the pathway opens the client's first episode.
    """
    client = form.save(commit=False)
    client.practice = request.practice
    client.created_by = request.user
    client.record_number = next_record_number(request.practice)
    client.save()
    log_event(request, "clients.client.created", obj=client)
    add_care_team_member(request, client, request.membership)
    client_created.send(sender=Client, request=request, client=client)
    return client


@transaction.atomic
def update_client(request: StaffRequest, form: ClientForm) -> Client:
    client = form.save()
    log_event(request, "clients.client.updated", obj=client, data={"fields": sorted(form.changed_data)})
    return client


@transaction.atomic
def add_care_team_member(
    request: StaffRequest, client: Client, membership: Membership, role: str | None = None
) -> CareTeamMember:
    if membership.practice_id != client.practice_id:
        raise CareTeamError("Only staff of this practice can join the care team.")
    member, created = CareTeamMember.objects.get_or_create(
        client=client,
        membership=membership,
        defaults={
            "practice": client.practice,
            "role": role or DEFAULT_CARE_TEAM_ROLE[membership.role],
            "added_by": request.user,
        },
    )
    if not created and role and member.role != role:
        member.role = role
        member.save(update_fields=["role"])
    log_event(
        request, "clients.care_team.added", obj=member, client=client, data={"membership": str(membership.pk)}
    )
    return member


@transaction.atomic
def remove_care_team_member(request: StaffRequest, member: CareTeamMember) -> None:
    if member.client.care_team.count() <= 1:
        raise CareTeamError("A client needs at least one care-team member. Add someone else first.")
    log_event(
        request,
        "clients.care_team.removed",
        obj=member,
        client=member.client,
        data={"membership": str(member.membership_id)},
    )
    member.delete()
