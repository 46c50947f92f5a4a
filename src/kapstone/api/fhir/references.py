"""References between exported resources: ``Type/id``, relative, so they resolve inside a Bundle
(against each entry's ``fullUrl``) and across the NDJSON files of a bulk export alike."""

from typing import Any


def ref(resource_type: str, pk: object, display: str | None = None) -> dict[str, Any]:
    reference: dict[str, Any] = {"reference": f"{resource_type}/{pk}"}
    if display:
        reference["display"] = display
    return reference


def named(display: str) -> dict[str, Any]:
    """A reference by name only, to someone kapstone does not export as a resource (a staff member)."""
    return {"display": display}


def patient_of(client_id: object) -> dict[str, Any]:
    return ref("Patient", client_id)
