"""``GET /api/v1/fhir/Patient/{id}/$everything``: one client's record as a FHIR R4 Bundle that parses
back, holds each resource with the codes and the numbers recorded, references only what it holds, is
audited, is refused as the other API reads are, and never carries a psychotherapy note."""

import json
from decimal import Decimal

import pytest
from fhir.resources.R4B.bundle import Bundle

from kapstone.audit.models import AuditEvent

from ..api.builders import make_token
from ..factories import make_client
from .builders import DOSE_MG, PHQ9_TOTAL, PRIVATE_TEXT, VITALS, full_record

KAPSTONE = "https://kapstone.invalid/fhir"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
UCUM = "http://unitsofmeasure.org"
URL = "/api/v1/fhir/Patient/{}/$everything"


@pytest.fixture
def record(world, scoped):
    return full_record(world)


@pytest.fixture
def prescriber(world, scoped):
    token, secret = make_token(world.members["prescriber"])
    return token, {"Authorization": f"Bearer {secret}"}


def fetch(client, headers, client_id):
    return client.get(URL.format(client_id), headers=headers)


@pytest.fixture
def bundle(client, record, prescriber):
    answer = fetch(client, prescriber[1], record.client.pk)
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/fhir+json"
    return Bundle.model_validate_json(answer.content)


def of_type(bundle, resource_type):
    return [entry.resource for entry in bundle.entry if entry.resource.get_resource_type() == resource_type]


def by_id(bundle, resource_id):
    (found,) = [entry.resource for entry in bundle.entry if entry.resource.id == resource_id]
    return found


def codings(concept):
    return {(coding.system, coding.code) for coding in concept.coding}


def test_the_bundle_parses_back_and_holds_every_resource_type(bundle):
    assert bundle.type == "collection"
    kinds = {entry.resource.get_resource_type() for entry in bundle.entry}
    assert kinds == {
        "Patient",
        "Encounter",
        "QuestionnaireResponse",
        "Observation",
        "MedicationAdministration",
        "AdverseEvent",
        "Consent",
        "CarePlan",
        "Flag",
    }


def test_the_patient_is_the_client(bundle, record):
    (patient,) = of_type(bundle, "Patient")
    assert patient.id == str(record.client.pk)
    assert patient.name[0].family == record.client.legal_last_name
    assert patient.birthDate == record.client.date_of_birth
    assert patient.identifier[0].value == record.client.record_number


def test_an_encounter_per_appointment_and_per_medicine_session(bundle, record):
    appointment = by_id(bundle, str(record.appointment.pk))
    assert appointment.get_resource_type() == "Encounter"
    assert appointment.status == "planned"
    assert appointment.type[0].coding[0].code == "preparation"
    assert appointment.location[0].location.display == "Garden room"
    session = by_id(bundle, str(record.session.pk))
    assert session.status == "in-progress"
    assert codings(session.type[0]) == {
        ("https://kapstone.invalid/fhir/CodeSystem/encounter-type", "medicine_session")
    }


def test_the_vitals_recorded_are_loinc_observations_in_ucum(bundle, record):
    vitals = {
        observation.code.coding[0].code: observation
        for observation in of_type(bundle, "Observation")
        if observation.category[0].coding[0].code == "vital-signs"
    }
    assert set(vitals) == {"85354-9", "8867-4", "59408-5", "9279-1"}
    pressure = {part.code.coding[0].code: part.valueQuantity for part in vitals["85354-9"].component}
    assert pressure["8480-6"].value == VITALS["sbp"] and pressure["8480-6"].code == "mm[Hg]"
    assert pressure["8462-4"].value == VITALS["dbp"]
    assert (vitals["8867-4"].valueQuantity.value, vitals["8867-4"].valueQuantity.code) == (
        VITALS["hr"],
        "/min",
    )
    assert (vitals["59408-5"].valueQuantity.value, vitals["59408-5"].valueQuantity.code) == (
        VITALS["spo2"],
        "%",
    )
    assert (vitals["9279-1"].valueQuantity.value, vitals["9279-1"].valueQuantity.code) == (
        VITALS["rr"],
        "/min",
    )
    for observation in vitals.values():
        assert observation.encounter.reference == f"Encounter/{record.session.pk}"
        assert all(coding.system == "http://loinc.org" for coding in observation.code.coding)


def test_the_dose_given_is_a_medication_administration_in_mg(bundle, record):
    (given,) = of_type(bundle, "MedicationAdministration")
    assert given.id == str(record.administration.pk)
    assert given.dosage.dose.value == Decimal(DOSE_MG)
    assert (given.dosage.dose.system, given.dosage.dose.code) == ("http://unitsofmeasure.org", "mg")
    assert codings(given.medicationCodeableConcept) == {
        ("http://www.nlm.nih.gov/research/umls/rxnorm", "6130")
    }
    assert codings(given.dosage.route) == {("http://snomed.info/sct", "37839007")}
    assert given.context.reference == f"Encounter/{record.session.pk}"


def test_the_phq9_is_a_response_and_a_loinc_total(bundle, record):
    response = by_id(bundle, str(record.response.pk))
    assert response.status == "completed"
    assert [item.answer[0].valueInteger for item in response.item] == [1, 2, 0, 3, 1, 0, 2, 1, 1]
    (total,) = [
        observation
        for observation in of_type(bundle, "Observation")
        if observation.category[0].coding[0].code == "survey"
    ]
    assert codings(total.code) == {("http://loinc.org", "44261-6")}
    assert total.valueQuantity.value == PHQ9_TOTAL
    assert total.derivedFrom[0].reference == f"QuestionnaireResponse/{record.response.pk}"


def test_the_adverse_event_consent_care_plan_and_open_alert(bundle, record):
    (event,) = of_type(bundle, "AdverseEvent")
    assert event.event.coding[0].code == "cardiovascular"
    assert event.severity.coding[0].code == "moderate"
    assert event.outcome.coding[0].code == "resolved"
    assert event.suspectEntity[0].instance.reference == f"MedicationAdministration/{record.administration.pk}"
    (consent,) = of_type(bundle, "Consent")
    assert consent.id == str(record.consent.pk)
    assert consent.status == "active"
    assert consent.scope.coding[0].code == "treatment"
    (plan,) = of_type(bundle, "CarePlan")
    assert plan.id == str(record.session.episode_id)
    (flag,) = of_type(bundle, "Flag")
    assert flag.id == str(record.alert.pk)
    assert flag.status == "active"


def test_every_reference_resolves_inside_the_bundle(bundle):
    held = {f"{entry.resource.get_resource_type()}/{entry.resource.id}" for entry in bundle.entry}
    for entry in bundle.entry:
        assert entry.fullUrl.endswith(
            f"/api/v1/fhir/{entry.resource.get_resource_type()}/{entry.resource.id}"
        )
    references = []

    def collect(value):
        if isinstance(value, dict):
            if "reference" in value:
                references.append(value["reference"])
            for child in value.values():
                collect(child)
        elif isinstance(value, list):
            for child in value:
                collect(child)

    collect(json.loads(bundle.model_dump_json()))
    assert references, "the bundle holds references"
    assert set(references) <= held


def test_the_psychotherapy_note_never_leaves(client, record, prescriber):
    answer = fetch(client, prescriber[1], record.client.pk)
    assert answer.status_code == 200
    assert PRIVATE_TEXT not in answer.content.decode()
    assert "Countertransference" not in answer.content.decode()


def test_each_export_is_audited_as_via_the_api(client, world, record, prescriber):
    token, headers = prescriber
    fetch(client, headers, record.client.pk)
    event = AuditEvent.objects.filter(data__token=str(token.pk)).get()
    assert event.action == "api.fhir.everything.viewed"
    assert event.client_id == record.client.pk
    assert event.actor == world.members["prescriber"].user
    assert event.data["via"] == "api"
    assert event.data["resources"]["MedicationAdministration"] == 1


def test_another_practices_client_is_not_found(client, world, prescriber, scoped):
    elsewhere = make_client(world.other_practice, care_team=[world.other_members["prescriber"]])
    assert fetch(client, prescriber[1], elsewhere.pk).status_code == 404


def test_a_client_outside_the_care_team_is_not_found(client, world, prescriber, scoped):
    token, headers = prescriber
    assert fetch(client, headers, world.unassigned_client.pk).status_code == 404
    assert not AuditEvent.objects.filter(data__token=str(token.pk)).exists()


def test_front_desk_may_not_export_the_clinical_record(client, world, scoped):
    _, secret = make_token(world.members["front_desk"])
    answer = fetch(client, {"Authorization": f"Bearer {secret}"}, world.client.pk)
    assert answer.status_code == 403
