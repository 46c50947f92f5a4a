"""``kapstone export fhir``: a practice's records as FHIR Bulk Data NDJSON, one file per resource type,
each line its resource, the counts those of the practice's records, audited; another practice's
clients and psychotherapy notes never in it; a progress bar only on a terminal."""

import io
import re
import sys

import pytest
from django.core.management import CommandError, call_command
from fhir.resources.R4B import get_fhir_model_class

from kapstone.audit.models import AuditEvent

from ..factories import make_client
from .builders import PRIVATE_TEXT, full_record

TYPES = {
    "Patient",
    "CarePlan",
    "Consent",
    "Encounter",
    "MedicationAdministration",
    "Observation",
    "AdverseEvent",
    "QuestionnaireResponse",
    "Flag",
}


@pytest.fixture
def exported(world, scoped, tmp_path):
    record = full_record(world)
    elsewhere = make_client(world.other_practice, legal_last_name="Elsewhere")
    out = tmp_path / "export"
    stdout = io.StringIO()
    call_command("export", "fhir", "--practice", world.practice.slug, "--out", str(out), stdout=stdout)
    return record, elsewhere, out, stdout.getvalue()


def lines(out, resource_type):
    return (out / f"{resource_type}.ndjson").read_text().splitlines()


def test_one_file_per_resource_type_each_line_its_resource(exported):
    _, _, out, _ = exported
    assert {path.name for path in out.iterdir()} == {f"{kind}.ndjson" for kind in TYPES}
    for kind in TYPES:
        model = get_fhir_model_class(kind)
        for line in lines(out, kind):
            resource = model.model_validate_json(line)
            assert resource.get_resource_type() == kind


def test_the_counts_are_the_practices_records(world, exported):
    _, elsewhere, out, stdout = exported
    patients = [get_fhir_model_class("Patient").model_validate_json(line) for line in lines(out, "Patient")]
    # The practice's two clients (one with a full record, one without), not the other practice's.
    assert sorted(patient.id for patient in patients) == sorted(
        [str(world.client.pk), str(world.unassigned_client.pk)]
    )
    assert str(elsewhere.pk) not in (out / "Patient.ndjson").read_text()
    # Vitals: blood pressure, heart rate, SpO2, respiratory rate; and the PHQ-9 total.
    assert len(lines(out, "Observation")) == 5
    # The appointment and the medicine session.
    assert len(lines(out, "Encounter")) == 2
    for kind in ("MedicationAdministration", "AdverseEvent", "QuestionnaireResponse", "Consent", "Flag"):
        assert len(lines(out, kind)) == 1, kind
    assert len(lines(out, "CarePlan")) == 1  # the full record's episode; the other client has none
    assert "MedicationAdministration.ndjson: 1" in stdout


def test_references_resolve_across_the_files(exported):
    _, _, out, _ = exported
    held = set()
    for kind in TYPES:
        for line in lines(out, kind):
            held.add(f"{kind}/{get_fhir_model_class(kind).model_validate_json(line).id}")
    text = "".join((out / f"{kind}.ndjson").read_text() for kind in TYPES)
    references = set(re.findall(r'"reference":"([^"]+)"', text))
    assert references and references <= held


def test_psychotherapy_notes_never_leave(exported):
    _, _, out, _ = exported
    for path in out.iterdir():
        assert PRIVATE_TEXT not in path.read_text()


def test_the_export_is_audited_with_its_counts(world, exported):
    event = AuditEvent.objects.filter(action="api.fhir.bulk.exported").get()
    assert event.practice == world.practice
    assert event.data["resources"]["Observation"] == 5
    assert event.data["via"] == "command"


def test_no_progress_bar_unless_on_a_terminal(world, scoped, tmp_path, capsys):
    call_command("export", "fhir", "--practice", world.practice.slug, "--out", str(tmp_path / "a"))
    assert capsys.readouterr().err == ""


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_a_progress_bar_on_a_terminal(world, scoped, tmp_path, monkeypatch):
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    call_command("export", "fhir", "--practice", world.practice.slug, "--out", str(tmp_path / "a"))
    shown = terminal.getvalue()
    assert "records" in shown and shown.endswith("\n")
    assert "[" + "#" * 30 + "]" in shown  # it reaches the end


def test_an_unknown_practice_is_refused_by_name(db, tmp_path):
    with pytest.raises(CommandError, match="nowhere"):
        call_command("export", "fhir", "--practice", "nowhere", "--out", str(tmp_path))
