"""An adverse event of a medicine session as a FHIR ``AdverseEvent``.

The event is the protocol's category (kapstone's adverse-event-category system, the category id as
code and its label as text); severity, seriousness and outcome use HL7's code systems, relatedness
kapstone's own (its five answers do not match the WHO-UMC causality scale). The suspected entities are
the doses given in that session. R4's AdverseEvent has no free-text field: the description stays in
kapstone.
"""

from typing import Any

from fhir.resources.R4B.adverseevent import AdverseEvent as FhirAdverseEvent

from kapstone.sessions.models import AdverseEvent

from . import codes
from .references import named, patient_of, ref


def adverse_event(event: AdverseEvent) -> FhirAdverseEvent:
    relatedness = codes.Code(codes.RELATEDNESS, event.relatedness, event.get_relatedness_display())
    given = getattr(event.session, "fhir_given", [])
    data: dict[str, Any] = {
        "resourceType": "AdverseEvent",
        "id": str(event.pk),
        "actuality": "actual",
        "event": codes.Code(codes.ADVERSE_EVENT_CATEGORY, event.category, event.category_label).concept(
            event.category_label
        ),
        "subject": patient_of(event.session.client_id),
        "encounter": ref("Encounter", event.session_id),
        "date": event.onset_at,
        "recordedDate": event.recorded_at,
        "recorder": named(event.recorded_by.full_name),
        "seriousness": (codes.SERIOUS if event.serious else codes.NON_SERIOUS).concept(),
        "severity": codes.SEVERITIES[event.severity].concept(),
        "outcome": codes.OUTCOMES[event.outcome].concept(),
    }
    if given:
        data["suspectEntity"] = [
            {
                "instance": ref("MedicationAdministration", dose.pk),
                "causality": [{"assessment": relatedness.concept()}],
            }
            for dose in given
        ]
    return FhirAdverseEvent.model_validate(data)
