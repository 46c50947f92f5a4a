"""The operations of ``/api/v1/``: reads of a client's record, safety alerts, and the register.

Each operation finds its objects as the matching page does (``clients.access.get_client`` and
``visible_clients`` for visibility, ``practice.permissions`` for the role, ``register.access`` for
the register) and writes one audit event per request, marked as via the API (:func:`audit`).
Psychotherapy notes (``kapstone.integration``) are never served.
"""

from datetime import date, timedelta
from typing import Any
from uuid import UUID

from django.db.models import F, Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from ninja import Query, Router
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.responses import Status
from ninja.schema import Schema
from pydantic import Field

from kapstone.accounts.requests import StaffRequest
from kapstone.audit.services import log_event
from kapstone.clients.access import get_client, visible_clients
from kapstone.measures import services as measures
from kapstone.measures.forms import AcknowledgeForm
from kapstone.measures.models import QuestionnaireResponse, SafetyAlert
from kapstone.pathway.models import Episode, with_current_stage
from kapstone.practice.permissions import Capability, require
from kapstone.register.models import Container, Entry
from kapstone.register.models.stock import ON_HAND
from kapstone.scheduling.models import Appointment
from kapstone.scheduling.queries import local_midnight, with_people
from kapstone.sessions.models import DoseAdministration, MedicineSession, VitalsReading

from . import schemas as out

CLINICAL = Capability.VIEW_CLINICAL
# Dates outside these years are taken as these years: no real record is older or newer, and the
# conversion to UTC stays within what a datetime holds.
EARLIEST, LATEST = date(1900, 1, 1), date(2999, 12, 31)


class Pages(LimitOffsetPagination):
    """``limit`` (1-100, default 50) and ``offset``; the answer has ``items`` and ``count``."""

    class Input(Schema):
        limit: int = Field(50, ge=1, le=100)
        offset: int = Field(0, ge=0, le=1_000_000)


# Documented on every operation, so a client (and the schema test) knows each answer's shape.
ERRORS: dict[int, Any] = {
    401: out.Message,
    403: out.Message,
    404: out.Message,
    422: out.ValidationFailure,
    429: out.Message,
}


def audit(request: StaffRequest, action: str, **fields: Any) -> None:
    data = {"via": "api", "token": str(request.auth.pk), **fields.pop("data", {})}  # type: ignore[attr-defined]
    log_event(request, action, data=data, **fields)


def within(queryset: QuerySet, field: str, period: out.Period, request: StaffRequest) -> QuerySet:
    """Rows whose ``field`` falls on the period's days in the practice's time zone."""
    zone = request.practice.zone
    if period.date_from is not None:
        first = min(max(period.date_from, EARLIEST), LATEST)
        queryset = queryset.filter(**{f"{field}__gte": local_midnight(first, zone)})
    if period.date_to is not None:
        last = min(max(period.date_to, EARLIEST), LATEST)
        queryset = queryset.filter(**{f"{field}__lt": local_midnight(last + timedelta(days=1), zone)})
    return queryset


clients = Router(tags=["clients"])
alerts = Router(tags=["safety alerts"])
register = Router(tags=["register"])


# --- Clients and their record ---------------------------------------------------------------------


@clients.get("/clients", response={200: list[out.ClientOut], **ERRORS}, url_name="clients")
@paginate(Pages)
def client_list(request: StaffRequest, period: Query[out.Period]) -> Any:
    """The clients you may see (all of the practice's for an admin, else your care teams'), by name."""
    require(request.membership, Capability.VIEW_CLIENT)
    found = with_current_stage(visible_clients(request.membership))
    audit(request, "api.clients.viewed")
    return within(found, "created_at", period, request).order_by("legal_last_name", "legal_first_name", "pk")


@clients.get("/clients/{client_id}", response={200: out.ClientDetailOut, **ERRORS}, url_name="client")
def client_detail(request: StaffRequest, client_id: UUID) -> Any:
    """One client's demographics, contacts and care team."""
    client = get_client(request, client_id)
    audit(request, "api.client.viewed", obj=client)
    return with_current_stage(visible_clients(request.membership)).get(pk=client.pk)


@clients.get(
    "/clients/{client_id}/episodes", response={200: list[out.EpisodeOut], **ERRORS}, url_name="episodes"
)
@paginate(Pages)
def episode_list(request: StaffRequest, client_id: UUID, period: Query[out.Period]) -> Any:
    """The client's episodes of care, newest first (clinical roles)."""
    client = get_client(request, client_id, CLINICAL)
    audit(request, "api.episodes.viewed", obj=client)
    found = Episode.objects.filter(client=client).select_related("programme")
    return within(found, "opened_at", period, request).order_by("-opened_at", "pk")


@clients.get(
    "/clients/{client_id}/appointments",
    response={200: list[out.AppointmentOut], **ERRORS},
    url_name="appointments",
)
@paginate(Pages)
def appointment_list(request: StaffRequest, client_id: UUID, period: Query[out.Period]) -> Any:
    """The client's appointments, earliest first; filter by the day they start."""
    client = get_client(request, client_id)
    audit(request, "api.appointments.viewed", obj=client)
    found = with_people(Appointment.objects.filter(client=client))
    return within(found, "starts_at", period, request).order_by("starts_at", "pk")


@clients.get(
    "/clients/{client_id}/questionnaire-responses",
    response={200: list[out.QuestionnaireResponseOut], **ERRORS},
    url_name="responses",
)
@paginate(Pages)
def response_list(request: StaffRequest, client_id: UUID, period: Query[out.Period]) -> Any:
    """The client's submitted questionnaire responses with their scores, by the day submitted."""
    client = get_client(request, client_id, CLINICAL)
    audit(request, "api.responses.viewed", obj=client)
    found = QuestionnaireResponse.objects.submitted().filter(client=client)
    return within(found, "submitted_at", period, request).order_by("submitted_at", "pk")


@clients.get(
    "/clients/{client_id}/medicine-sessions",
    response={200: list[out.MedicineSessionOut], **ERRORS},
    url_name="sessions",
)
@paginate(Pages)
def session_list(request: StaffRequest, client_id: UUID, period: Query[out.Period]) -> Any:
    """The client's medicine sessions with the dose administrations and vitals that count (amended
    records show their latest version; records withdrawn as entered in error are left out)."""
    client = get_client(request, client_id, CLINICAL)
    audit(request, "api.sessions.viewed", obj=client)
    found = (
        MedicineSession.objects.filter(client=client)
        .annotate(discharged_at=F("discharge__discharged_at"))
        .prefetch_related(
            Prefetch(
                "administrations",
                queryset=DoseAdministration.objects.current()
                .select_related("order", "given_by")
                .order_by("given_at", "recorded_at"),
                to_attr="api_administrations",
            ),
            Prefetch(
                "vitals",
                queryset=VitalsReading.objects.current().order_by("taken_at", "recorded_at"),
                to_attr="api_vitals",
            ),
        )
    )
    return within(found, "opened_at", period, request).order_by("opened_at", "pk")


# --- Safety alerts --------------------------------------------------------------------------------


@alerts.get("/safety-alerts", response={200: list[out.SafetyAlertOut], **ERRORS}, url_name="alerts")
@paginate(Pages)
def alert_list(request: StaffRequest, filters: Query[out.AlertFilters]) -> Any:
    """Safety alerts of the clients you may see, critical first, then oldest first (clinical roles)."""
    require(request.membership, CLINICAL)
    by_status = {
        "open": SafetyAlert.objects.open(),
        "acknowledged": SafetyAlert.objects.filter(acknowledged_at__isnull=False),
        "all": SafetyAlert.objects.all(),
    }
    found = by_status[filters.status].filter(client__in=visible_clients(request.membership))
    if filters.client_id is not None:
        found = found.filter(client_id=filters.client_id)
    audit(request, "api.alerts.viewed", data={"status": filters.status})
    return within(found.select_related("acknowledged_by"), "created_at", filters, request).order_by(
        "severity", "created_at", "pk"
    )  # "critical" sorts before "warning"


@alerts.post(
    "/safety-alerts/{alert_id}/acknowledge",
    response={200: out.SafetyAlertOut, 409: out.Message, **ERRORS},
    url_name="acknowledge",
)
def acknowledge(request: StaffRequest, alert_id: UUID, body: out.AcknowledgeIn) -> Any:
    """Acknowledge an open alert with the action taken (a read-write token; clinical roles)."""
    alert: SafetyAlert = get_object_or_404(SafetyAlert.objects.select_related("response"), pk=alert_id)
    get_client(request, alert.client_id, CLINICAL)
    form = AcknowledgeForm({"action_taken": body.action_taken})
    if not form.is_valid():
        errors = [
            {"loc": ["body", "body", "action_taken"], "msg": str(message), "type": "value_error"}
            for message in form.errors["action_taken"]
        ]
        return Status(422, {"detail": errors})
    if alert.acknowledged_at is not None:
        return Status(409, {"detail": "This alert was already acknowledged."})
    measures.acknowledge_alert(request, alert, form.cleaned_data["action_taken"])
    audit(request, "api.alert.acknowledged", obj=alert, data={"kind": alert.kind})
    return SafetyAlert.objects.select_related("acknowledged_by").get(pk=alert.pk)


# --- The controlled-substance register ------------------------------------------------------------


@register.get("/register/containers", response={200: list[out.ContainerOut], **ERRORS}, url_name="containers")
@paginate(Pages)
def container_list(request: StaffRequest, filters: Query[out.ContainerFilters]) -> Any:
    """Controlled-substance containers with their balances, by code (every clinical role)."""
    require(request.membership, CLINICAL)
    found = Container.objects.select_related("product", "location", "storage")
    if filters.on_hand:
        found = found.filter(state__in=ON_HAND)
    audit(request, "api.register.containers.viewed", data={"on_hand": filters.on_hand})
    return found.order_by("code", "pk")


@register.get(
    "/register/containers/{container_id}/entries",
    response={200: list[out.EntryOut], **ERRORS},
    url_name="entries",
)
@paginate(Pages)
def entry_list(request: StaffRequest, container_id: UUID, period: Query[out.Period]) -> Any:
    """One container's register entries in the order they were recorded, by the day they happened."""
    require(request.membership, CLINICAL)
    item = get_object_or_404(Container, pk=container_id)
    audit(request, "api.register.entries.viewed", obj=item, data={"container": item.code})
    found = Entry.objects.filter(container=item).select_related("recorded_by", "given_by", "witness")
    return within(found, "occurred_at", period, request).order_by("seq")
