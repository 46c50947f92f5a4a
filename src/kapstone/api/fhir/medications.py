"""A dose given as a FHIR ``MedicationAdministration``: the medicine (RxNorm ingredient), the mg
given, the route (SNOMED CT), who gave it and when, in the session's Encounter.

The medicine and route come from the session's protocol (``kapstone.clinical.protocols``): ketamine
or esketamine, sublingual, intramuscular, intravenous or intranasal. A split dose or a booster is one
resource per administration, as it is one record per administration.
"""

from typing import Any

from fhir.resources.R4B.medicationadministration import MedicationAdministration

from kapstone.clinical.protocols import get_protocol
from kapstone.sessions.models import DoseAdministration

from . import codes
from .references import named, patient_of, ref


def medication_administration(given: DoseAdministration) -> MedicationAdministration:
    protocol = get_protocol(given.session.protocol_id)
    dosage: dict[str, Any] = {
        "dose": {"value": given.amount_mg, "unit": "mg", "system": codes.UCUM, "code": codes.MG.code},
    }
    route = codes.ROUTES.get(protocol.route)
    dosage["route"] = route.concept(given.order.route) if route else {"text": given.order.route}
    data: dict[str, Any] = {
        "resourceType": "MedicationAdministration",
        "id": str(given.pk),
        "status": "completed",
        "medicationCodeableConcept": codes.medicine_code(protocol.drug).concept(protocol.drug),
        "subject": patient_of(given.session.client_id),
        "context": ref("Encounter", given.session_id),
        "effectiveDateTime": given.given_at,
        "performer": [{"actor": named(given.given_by.full_name)}],
        "dosage": dosage,
    }
    if given.lot_number:
        data["note"] = [{"text": f"Lot {given.lot_number}"}]
    return MedicationAdministration.model_validate(data)
