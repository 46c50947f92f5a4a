"""A submitted questionnaire response as a FHIR ``QuestionnaireResponse``: one item per answered
question, its answer the option value scored (drafts are not exported).

Items carry kapstone's short label of each question, never the instrument's wording: some licences
do not allow reproducing it (``clinical/data/instruments``, ``licence``). The ``questionnaire`` is the
instrument's canonical URL under kapstone's base with its version (docs/fhir.md).
"""

from contextlib import suppress
from typing import Any

from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse as FhirResponse

from kapstone.clinical.instruments import Instrument, get_instrument
from kapstone.measures.models import QuestionnaireResponse, ResponseSource

from . import codes
from .references import patient_of, ref


def instrument_of(response: QuestionnaireResponse) -> Instrument | None:
    try:
        return get_instrument(response.instrument_id)
    except ValueError:  # an instrument no longer shipped: the answers still go, without labels
        return None


def answer(value: object) -> dict[str, Any]:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return {"valueString": str(value)}
    if isinstance(value, float) and not value.is_integer():
        return {"valueDecimal": value}
    return {"valueInteger": int(value)}


def questionnaire_response(response: QuestionnaireResponse) -> FhirResponse:
    instrument = instrument_of(response)
    items = []
    for number, value in sorted(response.answers_by_item().items()):
        item: dict[str, Any] = {"linkId": str(number), "answer": [answer(value)]}
        if instrument is not None:
            with suppress(KeyError):  # an item the instrument no longer has keeps its answer
                item["text"] = instrument.item(number).label
        items.append(item)
    data: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "id": str(response.pk),
        "questionnaire": f"{codes.QUESTIONNAIRE}/{response.instrument_id}|{response.instrument_version}",
        "status": "completed",
        "subject": patient_of(response.client_id),
        "authored": response.submitted_at,
        "item": items,
    }
    if response.source in (ResponseSource.LINK, ResponseSource.PORTAL):
        data["source"] = patient_of(response.client_id)
    if response.episode_id is not None:
        data["basedOn"] = [ref("CarePlan", response.episode_id)]
    return FhirResponse.model_validate(data)
