"""A client as a FHIR ``Patient``: names, birth date, contacts, record number, emergency contact."""

from typing import Any

from fhir.resources.R4B.patient import Patient

from kapstone.clients.models import Client

from . import codes


def patient(client: Client) -> Patient:
    names: list[dict[str, Any]] = [
        {"use": "official", "family": client.legal_last_name, "given": [client.legal_first_name]}
    ]
    if client.preferred_name:
        names.append({"use": "usual", "family": client.legal_last_name, "given": [client.preferred_name]})
    telecom = []
    if client.phone:
        telecom.append({"system": "phone", "value": client.phone})
    if client.email:
        telecom.append({"system": "email", "value": client.email})
    data: dict[str, Any] = {
        "resourceType": "Patient",
        "id": str(client.pk),
        "meta": {"lastUpdated": client.updated_at},
        "identifier": [
            {
                "use": "usual",
                "type": codes.MEDICAL_RECORD_NUMBER.concept(),
                # A record number is unique within its practice only: the practice is in the system.
                "system": f"{codes.RECORD_NUMBER}/{client.practice_id}",
                "value": client.record_number,
            }
        ],
        "active": True,
        "name": names,
        "birthDate": client.date_of_birth,
    }
    if telecom:
        data["telecom"] = telecom
    if client.address:
        data["address"] = [{"text": client.address}]
    if client.emergency_contact_name:
        contact: dict[str, Any] = {"name": {"text": client.emergency_contact_name}}
        if client.emergency_contact_relationship:
            contact["relationship"] = [{"text": client.emergency_contact_relationship}]
        if client.emergency_contact_phone:
            contact["telecom"] = [{"system": "phone", "value": client.emergency_contact_phone}]
        data["contact"] = [contact]
    return Patient.model_validate(data)
