"""What is exported, and how each kind of record is read: one :class:`Source` per mapping.

Each source reads the records of a set of clients (one client for ``$everything``, a practice's for the
bulk export) with ``.iterator()``, so memory stays flat however many there are, and maps each record
to its resources. Every query runs in the caller's practice scope. Records are read as the pages read
them: submitted questionnaire responses, the current version of session records (amended ones'
latest, none withdrawn as entered in error), signed consents, open alerts.
"""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet
from fhir.resources.R4B.resource import Resource

from kapstone.clients.models import Client
from kapstone.measures.models import QuestionnaireResponse, SafetyAlert
from kapstone.pathway.models import ConsentSignature, Episode
from kapstone.scheduling.models import Appointment, AppointmentClinician
from kapstone.sessions.models import AdverseEvent, DoseAdministration, MedicineSession, VitalsReading

from .adverse_events import adverse_event
from .care_plans import care_plan
from .consents import consent
from .encounters import appointment_encounter, session_encounter
from .flags import flag
from .medications import medication_administration
from .observations import score, vital_signs
from .patient import patient
from .questionnaires import questionnaire_response

# Rows fetched per query of an iterator (and per prefetch batch).
CHUNK = 500


@dataclass(frozen=True)
class Source:
    resource_type: str
    rows: Callable[[QuerySet[Client]], QuerySet[Any]]
    build: Callable[[Any], Iterable[Resource]]


def one(build: Callable[[Any], Resource]) -> Callable[[Any], Iterable[Resource]]:
    return lambda row: (build(row),)


def appointments(clients: QuerySet[Client]) -> QuerySet[Appointment]:
    people = AppointmentClinician.objects.select_related("membership__user")
    return (
        Appointment.objects.filter(client__in=clients)
        .select_related("room")
        .prefetch_related(Prefetch("clinician_links", queryset=people))
        .order_by("starts_at", "pk")
    )


def sessions(clients: QuerySet[Client]) -> QuerySet[MedicineSession]:
    return (
        MedicineSession.objects.filter(client__in=clients).select_related("discharge").order_by("opened_at")
    )


def responses(clients: QuerySet[Client]) -> QuerySet[QuestionnaireResponse]:
    return QuestionnaireResponse.objects.submitted().filter(client__in=clients).order_by("submitted_at", "pk")


def readings(clients: QuerySet[Client]) -> QuerySet[VitalsReading]:
    return (
        VitalsReading.objects.current()
        .filter(session__client__in=clients)
        .select_related("session")
        .order_by("taken_at", "recorded_at")
    )


def doses(clients: QuerySet[Client]) -> QuerySet[DoseAdministration]:
    return (
        DoseAdministration.objects.current()
        .filter(session__client__in=clients)
        .select_related("session", "order", "given_by")
        .order_by("given_at", "recorded_at")
    )


def adverse_events(clients: QuerySet[Client]) -> QuerySet[AdverseEvent]:
    given = Prefetch(
        "session__administrations",
        queryset=DoseAdministration.objects.current().order_by("given_at"),
        to_attr="fhir_given",
    )
    return (
        AdverseEvent.objects.current()
        .filter(session__client__in=clients)
        .select_related("session", "recorded_by")
        .prefetch_related(given)
        .order_by("onset_at", "recorded_at")
    )


def consents(clients: QuerySet[Client]) -> QuerySet[ConsentSignature]:
    return (
        ConsentSignature.objects.signed()
        .filter(client__in=clients)
        .select_related("document")
        .order_by("signed_at", "pk")
    )


def episodes(clients: QuerySet[Client]) -> QuerySet[Episode]:
    return Episode.objects.filter(client__in=clients).select_related("programme").order_by("opened_at", "pk")


def alerts(clients: QuerySet[Client]) -> QuerySet[SafetyAlert]:
    return SafetyAlert.objects.open().filter(client__in=clients).order_by("created_at", "pk")


SOURCES: tuple[Source, ...] = (
    Source("Patient", lambda clients: clients.order_by("pk"), one(patient)),
    Source("CarePlan", episodes, one(care_plan)),
    Source("Consent", consents, one(consent)),
    Source("Encounter", appointments, one(appointment_encounter)),
    Source("Encounter", sessions, one(session_encounter)),
    Source("MedicationAdministration", doses, one(medication_administration)),
    Source("Observation", readings, vital_signs),
    Source("AdverseEvent", adverse_events, one(adverse_event)),
    Source("QuestionnaireResponse", responses, one(questionnaire_response)),
    Source("Observation", responses, score),
    Source("Flag", alerts, one(flag)),
)

RESOURCE_TYPES = tuple(dict.fromkeys(source.resource_type for source in SOURCES))


def resources(clients: QuerySet[Client]) -> Iterator[Resource]:
    """Every exported resource of ``clients``, source by source, read in chunks."""
    for source in SOURCES:
        for row in source.rows(clients).iterator(chunk_size=CHUNK):
            yield from source.build(row)
