"""What the API returns: one pydantic schema per record, naming things as the glossary does.

Ids are UUIDs; times are ISO 8601 in UTC; amounts of medicine and stock are decimals as strings
("1.5"), so nothing is rounded on the way. Names of staff are shown as the pages show them.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from ninja import Field, Schema


def name_of(user: Any) -> str | None:
    return (user.full_name or user.email) if user is not None else None


class Message(Schema):
    detail: str


class ValidationFailure(Schema):
    detail: list[dict[str, Any]]


class Period(Schema):
    """Dates in the practice's time zone, both ends included."""

    date_from: date | None = Field(None, description="From this day (practice time), inclusive.")
    date_to: date | None = Field(None, description="Up to this day (practice time), inclusive.")


class AlertFilters(Period):
    status: str = Field("open", pattern="^(open|acknowledged|all)$", description="open, acknowledged or all")
    client_id: UUID | None = Field(None, description="Only this client's alerts.")


class ContainerFilters(Schema):
    on_hand: bool = Field(True, description="Only containers still on hand (not empty or disposed).")


class CareTeamMemberOut(Schema):
    membership_id: UUID
    name: str
    role: str


class ClientOut(Schema):
    id: UUID
    record_number: str
    legal_first_name: str
    legal_last_name: str
    preferred_name: str
    pronouns: str
    date_of_birth: date
    stage: str | None = Field(None, description="The state of the newest episode of care.")
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_stage(obj: Any) -> str | None:
        return getattr(obj, "stage", None)


class ClientDetailOut(ClientOut):
    email: str
    phone: str
    address: str
    emergency_contact_name: str
    emergency_contact_relationship: str
    emergency_contact_phone: str
    care_team: list[CareTeamMemberOut]

    @staticmethod
    def resolve_care_team(obj: Any) -> list[dict[str, Any]]:
        return [
            {"membership_id": m.membership_id, "name": m.membership.display_name, "role": m.role}
            for m in obj.care_team.select_related("membership__user").order_by("added_at", "pk")
        ]


class EpisodeOut(Schema):
    id: UUID
    client_id: UUID
    state: str
    programme: str | None
    opened_at: datetime
    state_changed_at: datetime
    closed_at: datetime | None

    @staticmethod
    def resolve_programme(obj: Any) -> str | None:
        return obj.programme.name if obj.programme else None


class AppointmentOut(Schema):
    id: UUID
    client_id: UUID
    episode_id: UUID
    kind: str
    status: str
    starts_at: datetime
    ends_at: datetime
    room: str | None
    clinicians: list[str]
    integration_due_at: datetime | None

    @staticmethod
    def resolve_room(obj: Any) -> str | None:
        return obj.room.name if obj.room else None

    @staticmethod
    def resolve_clinicians(obj: Any) -> list[str]:
        return [link.membership.display_name for link in obj.clinician_list]


class QuestionnaireResponseOut(Schema):
    id: UUID
    client_id: UUID
    episode_id: UUID | None
    instrument_id: str
    instrument_version: str
    source: str
    answers: dict[str, Any] = Field(description="Item number -> the value of the chosen option.")
    total: float | None
    band: str
    severity: str
    positive_screen: bool | None
    has_critical: bool
    started_at: datetime
    submitted_at: datetime | None


class DoseAdministrationOut(Schema):
    id: UUID
    order_id: UUID
    route: str
    given_at: datetime
    amount_mg: Decimal
    given_by: str
    lot_number: str
    recorded_at: datetime

    @staticmethod
    def resolve_route(obj: Any) -> str:
        return obj.order.route

    @staticmethod
    def resolve_given_by(obj: Any) -> str:
        return name_of(obj.given_by) or ""


class VitalsOut(Schema):
    id: UUID
    taken_at: datetime
    sbp: int | None = Field(description="Systolic blood pressure, mmHg.")
    dbp: int | None = Field(description="Diastolic blood pressure, mmHg.")
    hr: int | None = Field(description="Heart rate, bpm.")
    spo2: int | None = Field(description="Oxygen saturation, %.")
    rr: int | None = Field(description="Respiratory rate, breaths per minute.")
    flags: list[dict[str, Any]]
    recorded_at: datetime


class MedicineSessionOut(Schema):
    id: UUID
    client_id: UUID
    episode_id: UUID
    number: int
    protocol_id: str
    protocol_version: str
    room: str
    opened_at: datetime
    cancelled_at: datetime | None
    discharged_at: datetime | None
    administrations: list[DoseAdministrationOut]
    vitals: list[VitalsOut]

    @staticmethod
    def resolve_administrations(obj: Any) -> list[Any]:
        return obj.api_administrations

    @staticmethod
    def resolve_vitals(obj: Any) -> list[Any]:
        return obj.api_vitals


class SafetyAlertOut(Schema):
    id: UUID
    client_id: UUID
    kind: str
    severity: str
    instrument_id: str
    item: int | None
    summary: str
    created_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    action_taken: str
    escalated_at: datetime | None

    @staticmethod
    def resolve_acknowledged_by(obj: Any) -> str | None:
        return name_of(obj.acknowledged_by)


class AcknowledgeIn(Schema):
    # As the acknowledge page's form: at least 10 characters besides surrounding space, no NUL.
    action_taken: str = Field(
        max_length=2000,
        pattern=r"^\s*[^\s\x00][^\x00]{8,}[^\s\x00]\s*$",
        description="What you did, e.g. 'Called the client, completed a safety plan, no immediate risk.'",
    )


class ContainerOut(Schema):
    id: UUID
    code: str
    product: str
    substance: str
    lot: str
    expires_on: date
    location: str
    storage: str
    state: str
    measure: str = Field(description="'mL' for solutions, 'unit' for tablets, lozenges and devices.")
    capacity: Decimal
    balance: Decimal

    @staticmethod
    def resolve_product(obj: Any) -> str:
        return obj.product.description

    @staticmethod
    def resolve_substance(obj: Any) -> str:
        return obj.product.substance

    @staticmethod
    def resolve_location(obj: Any) -> str:
        return obj.location.name

    @staticmethod
    def resolve_storage(obj: Any) -> str:
        return obj.storage.name

    @staticmethod
    def resolve_measure(obj: Any) -> str:
        return obj.product.measure


class EntryOut(Schema):
    id: UUID
    seq: int
    kind: str
    container_id: UUID
    quantity: Decimal = Field(description="The change to the container's balance, in its measure.")
    mg: Decimal
    container_balance_after: Decimal
    occurred_at: datetime
    recorded_at: datetime
    recorded_by: str | None
    client_id: UUID | None
    given_by: str | None
    witness: str | None
    reference: str
    corrects_id: UUID | None

    @staticmethod
    def resolve_recorded_by(obj: Any) -> str | None:
        return name_of(obj.recorded_by)

    @staticmethod
    def resolve_given_by(obj: Any) -> str | None:
        return name_of(obj.given_by)

    @staticmethod
    def resolve_witness(obj: Any) -> str | None:
        return name_of(obj.witness)
