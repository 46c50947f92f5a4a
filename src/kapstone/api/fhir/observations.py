"""Measurements as FHIR ``Observation``: vital signs of a medicine session and questionnaire totals.

Vitals follow the FHIR vital-signs profile's codes: one blood-pressure panel (85354-9) with systolic
and diastolic components, heart rate, SpO2 and respiratory rate, each in its UCUM unit, category
``vital-signs``, in the session's Encounter. Only the readings that count are exported (an amended
reading's latest version; none withdrawn as entered in error). A questionnaire's total is an
Observation of category ``survey`` derived from its QuestionnaireResponse, coded with LOINC where the
instrument has a total code (PHQ-9, GAD-7) and kapstone's instrument-score system otherwise.
"""

from collections.abc import Iterator
from typing import Any

from fhir.resources.R4B.observation import Observation

from kapstone.measures.models import QuestionnaireResponse
from kapstone.sessions.models import VitalsReading

from . import codes
from .questionnaires import instrument_of
from .references import patient_of, ref


def quantity(value: object, unit: codes.Code) -> dict[str, Any]:
    return {"value": value, "unit": unit.display, "system": unit.system, "code": unit.code}


def vital(reading: VitalsReading, suffix: str, code: codes.Code, **value: Any) -> Observation:
    data: dict[str, Any] = {
        "resourceType": "Observation",
        "id": f"{reading.pk}-{suffix}",
        "status": "amended" if reading.amends_id else "final",
        "category": [codes.VITAL_SIGNS.concept()],
        "code": code.concept(),
        "subject": patient_of(reading.session.client_id),
        "encounter": ref("Encounter", reading.session_id),
        "effectiveDateTime": reading.taken_at,
        "issued": reading.recorded_at,
        **value,
    }
    return Observation.model_validate(data)


def vital_signs(reading: VitalsReading) -> Iterator[Observation]:
    """One Observation per measured sign of ``reading`` (none for a sign left empty)."""
    pressures = [
        {"code": code.concept(), "valueQuantity": quantity(value, codes.MM_HG)}
        for code, value in ((codes.SYSTOLIC, reading.sbp), (codes.DIASTOLIC, reading.dbp))
        if value is not None
    ]
    if pressures:
        yield vital(reading, "bp", codes.BP_PANEL, component=pressures)
    for suffix, code, value, unit in (
        ("hr", codes.HEART_RATE, reading.hr, codes.PER_MINUTE),
        ("spo2", codes.SPO2, reading.spo2, codes.PERCENT),
        ("rr", codes.RESPIRATORY_RATE, reading.rr, codes.PER_MINUTE),
    ):
        if value is not None:
            yield vital(reading, suffix, code, valueQuantity=quantity(value, unit))


def score(response: QuestionnaireResponse) -> Iterator[Observation]:
    """The total of a scored response (nothing for an instrument without a total)."""
    if response.total is None:
        return
    instrument = instrument_of(response)
    code = codes.score_code(
        response.instrument_id, instrument.short_name if instrument else response.instrument_id
    )
    total = int(response.total) if response.total.is_integer() else response.total
    data: dict[str, Any] = {
        "resourceType": "Observation",
        "id": f"{response.pk}-score",
        "status": "final",
        "category": [codes.SURVEY.concept()],
        "code": code.concept(),
        "subject": patient_of(response.client_id),
        "effectiveDateTime": response.submitted_at,
        "valueQuantity": quantity(total, codes.SCORE),
        "derivedFrom": [ref("QuestionnaireResponse", response.pk)],
    }
    if response.band:
        data["interpretation"] = [{"text": response.band}]
    yield Observation.model_validate(data)
