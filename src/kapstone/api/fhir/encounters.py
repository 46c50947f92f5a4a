"""Visits as FHIR ``Encounter``: one per appointment (scheduling) and one per medicine session.

An appointment's status maps to the encounter's (scheduled: planned; completed: finished; cancelled
and no-show: cancelled, R4 having no no-show status; the kind of visit stays in ``type``). A medicine
session is in progress until discharged (finished) or cancelled before a dose (cancelled).
"""

from typing import Any

from fhir.resources.R4B.encounter import Encounter

from kapstone.scheduling.models import Appointment, AppointmentKind, AppointmentStatus
from kapstone.sessions.models import MedicineSession

from . import codes
from .references import named, patient_of, ref

APPOINTMENT_STATUS = {
    AppointmentStatus.SCHEDULED: "planned",
    AppointmentStatus.COMPLETED: "finished",
    AppointmentStatus.CANCELLED: "cancelled",
    AppointmentStatus.NO_SHOW: "cancelled",
}


def appointment_type(kind: str) -> codes.Code:
    return codes.Code(codes.ENCOUNTER_TYPE, kind, AppointmentKind(kind).label)


def appointment_encounter(appointment: Appointment) -> Encounter:
    data: dict[str, Any] = {
        "resourceType": "Encounter",
        "id": str(appointment.pk),
        "status": APPOINTMENT_STATUS[AppointmentStatus(appointment.status)],
        "class": codes.AMBULATORY.coding(),
        "type": [appointment_type(appointment.kind).concept()],
        "subject": patient_of(appointment.client_id),
        "period": {"start": appointment.starts_at, "end": appointment.ends_at},
    }
    people = [link.membership.display_name for link in appointment.clinician_links.all()]
    if people:
        data["participant"] = [{"individual": named(person)} for person in people]
    if appointment.room is not None:
        data["location"] = [{"location": named(appointment.room.name)}]
    return Encounter.model_validate(data)


def session_encounter(session: MedicineSession) -> Encounter:
    discharge = getattr(session, "discharge", None)
    if session.cancelled_at is not None:
        status, end = "cancelled", session.cancelled_at
    elif discharge is not None:
        status, end = "finished", discharge.discharged_at
    else:
        status, end = "in-progress", None
    period: dict[str, Any] = {"start": session.opened_at}
    if end is not None:
        period["end"] = end
    data: dict[str, Any] = {
        "resourceType": "Encounter",
        "id": str(session.pk),
        "status": status,
        "class": codes.AMBULATORY.coding(),
        "type": [codes.MEDICINE_SESSION.concept(f"Medicine session {session.number}")],
        "subject": patient_of(session.client_id),
        "period": period,
        "location": [{"location": named(session.room)}],
    }
    return Encounter.model_validate(data)


def session_ref(session_id: object) -> dict[str, Any]:
    return ref("Encounter", session_id)
