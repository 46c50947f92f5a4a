"""A protocol's reporting form for a session (esketamine: the Spravato REMS Patient Monitoring Form).

The form's sections and fields come from the protocol data (``Protocol.reporting``), so every field the
data file lists is shown. Values the session record already holds are filled in from it ("from the
record"); staff complete the rest and the answers are saved with the session.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypedDict

from django import forms
from django.db import transaction
from django.forms.boundfield import BoundField
from django.utils import timezone

from kapstone.accounts.models import User
from kapstone.accounts.requests import StaffRequest
from kapstone.audit.services import log_event
from kapstone.clinical.monitoring import check_plausible_value
from kapstone.clinical.protocols import FormField, FormSection, Protocol
from kapstone.clinical.protocols import ReportingForm as FormDefinition

from .models import AdverseEvent, MedicineSession, ReportingForm
from .services import current_checklist
from .state import SessionState


def reporting_form(protocol: Protocol, form_id: str | None = None) -> FormDefinition | None:
    forms_ = protocol.reporting
    if not forms_:
        return None
    return next((f for f in forms_ if f.id == form_id), None) if form_id else forms_[0]


def key(section: FormSection, field: FormField) -> str:
    return f"{section.id}.{field.id}"


def _yes(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


def _split_name(user: User) -> tuple[str, str]:
    name = (getattr(user, "full_name", "") or "").strip()
    first, _, last = name.rpartition(" ")
    return (first, last) if first else (name, "")


def prefill(state: SessionState) -> dict[str, str]:
    """What the session record says for the REMS form's fields, by "<section>.<field>"."""
    session, protocol = state.session, state.protocol
    client, practice = session.client, session.practice
    zone = practice.zone
    values: dict[str, str] = {
        "patient.first_name": client.legal_first_name,
        "patient.last_name": client.legal_last_name,
        "patient.date_of_birth": client.date_of_birth.isoformat(),
        "healthcare_setting.name": practice.name,
    }
    earlier = session.__class__.objects.filter(
        client=client,
        protocol_id=session.protocol_id,
        opened_at__lt=session.opened_at,
        cancelled_at__isnull=True,  # a cancelled session was never a treatment
    ).exists()
    values["patient.first_treatment"] = _yes(not earlier)
    monitor = state.discharge.discharged_by if state.discharge else session.opened_by
    if monitor is not None:
        first, last = _split_name(monitor)
        values |= {
            "monitoring_hcp.first_name": first,
            "monitoring_hcp.last_name": last,
            "monitoring_hcp.email": monitor.email,
            "monitoring_hcp.telephone": practice.phone,
        }
    if state.dose_time is not None:
        values["treatment.treatment_date"] = timezone.localtime(state.dose_time, zone).date().isoformat()
        given = f"{state.given_mg.normalize():f}"
        choices = _choices(protocol, "treatment", "dose")
        if f"{given} mg" in choices:
            values["treatment.dose"] = f"{given} mg"
        elif "other" in choices:
            values["treatment.dose"] = "other"
            values["treatment.dose_other_mg"] = given
        lots = sorted({a.lot_number for a in state.administrations if a.lot_number})
        values["treatment.lot_number"] = ", ".join(lots)
        if state.discharge is not None:
            minutes = int((state.discharge.discharged_at - state.dose_time).total_seconds() // 60)
            values["duration.monitoring_minutes"] = str(minutes)
    checklist = current_checklist(session)
    if checklist is not None and checklist.baseline_vitals is not None:
        values["vital_signs.acceptable_before_administration"] = _yes(not checklist.baseline_vitals.flags)
    if state.vitals:
        newest = state.vitals[-1]
        values["vital_signs.acceptable_before_session_end"] = _yes(not newest.flags)
        if newest.bp:
            values["blood_pressure.before_completion"] = newest.bp
    baseline = state.baseline_vitals
    if baseline is not None and baseline.bp:
        values["blood_pressure.before_administration"] = baseline.bp
    named = {c.id for c in protocol.monitoring.checks}
    for check_state in state.status.checks:
        if check_state.check.source in named and check_state.recorded_at is not None:
            reading = next((v for v in state.vitals if v.taken_at == check_state.recorded_at), None)
            if reading is not None and reading.bp:
                values["blood_pressure.post_40_min"] = reading.bp
    if state.dose_time is not None:
        sedated = any(o.flags for o in state.observations if o.scale == "moaas")
        values["events.sedation"] = _yes(sedated)
        events = AdverseEvent.objects.filter(session=session).current()
        respiratory = any(e.category == "respiratory" for e in events) or any(
            f["parameter"] in ("rr", "spo2") for v in state.vitals for f in v.flags
        )
        values["events.respiratory_depression"] = _yes(respiratory)
        others = [f"{e.category_label}: {e.description}" for e in events if e.category != "respiratory"]
        values["events.other_adverse_events"] = "; ".join(others)
    return values


def _choices(protocol: Protocol, section_id: str, field_id: str) -> tuple[str, ...]:
    for form in protocol.reporting:
        for section in form.sections:
            for field in section.fields:
                if section.id == section_id and field.id == field_id:
                    return field.choices
    return ()


YES_NO = [("", "—"), ("yes", "Yes"), ("no", "No")]


class BloodPressureField(forms.RegexField):
    """ "128/82": the same plausibility as a recorded reading (a form copied from the record by hand must
    not carry a typo such as 80/190 or 250/140 to the REMS)."""

    def clean(self, value: Any) -> str:
        text = super().clean(value)
        if text:
            sbp, dbp = (int(part) for part in text.split("/"))
            try:
                check_plausible_value("sbp", sbp)
                check_plausible_value("dbp", dbp)
            except ValueError as exc:
                raise forms.ValidationError(str(exc)) from exc
            if dbp >= sbp:
                raise forms.ValidationError(f"Diastolic BP ({dbp}) must be lower than systolic BP ({sbp}).")
        return text


class _Common(TypedDict):
    label: str
    required: bool
    help_text: str


class ReportingFormForm(forms.Form):
    """One Django field per field of the protocol's reporting form."""

    def __init__(self, *args: Any, definition: FormDefinition, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.definition = definition
        for section in definition.sections:
            for field in section.fields:
                self.fields[key(section, field)] = self._field(field)

    @staticmethod
    def _field(field: FormField) -> forms.Field:
        common: _Common = {"label": field.label, "required": False, "help_text": field.note}
        if field.kind == "yes_no":
            return forms.ChoiceField(choices=YES_NO, widget=forms.RadioSelect, **common)
        if field.kind == "choice":
            return forms.ChoiceField(choices=[("", "—"), *[(c, c) for c in field.choices]], **common)
        if field.kind == "integer":
            return forms.IntegerField(min_value=field.minimum, **common)
        if field.kind == "date":
            return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
        if field.kind == "blood_pressure":
            return BloodPressureField(
                regex=r"^\d{2,3}/\d{2,3}$",
                error_messages={"invalid": "Enter blood pressure as systolic/diastolic, e.g. 128/82."},
                **common,
            )
        return forms.CharField(max_length=200, **common)

    def sections(self) -> Iterator[tuple[FormSection, list[tuple[FormField, BoundField]]]]:
        for section in self.definition.sections:
            yield section, [(field, self[key(section, field)]) for field in section.fields]

    def answers(self) -> dict[str, str]:
        out = {}
        for name, value in self.cleaned_data.items():
            if value in (None, ""):
                continue
            out[name] = value.isoformat() if hasattr(value, "isoformat") else str(value)
        return out


@dataclass
class FilledField:
    field: FormField
    value: str
    from_record: bool


def filled(
    definition: FormDefinition, saved: dict[str, str], computed: dict[str, str]
) -> Iterator[tuple[FormSection, list[FilledField]]]:
    """For printing: (section, [FilledField]) with the saved answer, else the record's value."""
    for section in definition.sections:
        rows = []
        for field in section.fields:
            name = key(section, field)
            if saved.get(name) not in (None, ""):
                rows.append(FilledField(field, saved[name], False))
            else:
                rows.append(FilledField(field, computed.get(name, ""), name in computed))
        yield section, rows


def versions(session: MedicineSession, form_id: str) -> list[ReportingForm]:
    """Every saved version of the form, newest first."""
    return list(
        ReportingForm.objects.filter(session=session, form_id=form_id)
        .select_related("updated_by")
        .order_by("-version")
    )


def saved_answers(session: MedicineSession, form_id: str) -> dict[str, str]:
    """The newest version's answers (the form as it stands), or {} before the first save."""
    record = ReportingForm.objects.filter(session=session, form_id=form_id).order_by("-version").first()
    return dict(record.answers) if record else {}


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class VersionEntry:
    record: ReportingForm
    changes: list[Change]

    @property
    def first(self) -> bool:
        return self.record.version == 1


def history(definition: FormDefinition, records: list[ReportingForm]) -> list[VersionEntry]:
    """Newest first: each version with the answers it changed from the version before it."""
    labels = {key(s, f): f"{s.label}: {f.label}" for s in definition.sections for f in s.fields}
    ordered = sorted(records, key=lambda r: r.version)
    entries: list[VersionEntry] = []
    before: dict[str, str] = {}
    for record in ordered:
        after = record.answers
        names = [n for n in labels if before.get(n, "") != after.get(n, "")]
        names += sorted(
            n for n in set(before) | set(after) if n not in labels and before.get(n) != after.get(n)
        )
        changes = [Change(labels.get(n, n), before.get(n, ""), after.get(n, "")) for n in names]
        entries.append(VersionEntry(record, changes))
        before = after
    return entries[::-1]


@transaction.atomic
def save_reporting_form(
    request: StaffRequest,
    session: MedicineSession,
    form_id: str,
    answers: dict[str, str],
    *,
    now: datetime | None = None,
) -> ReportingForm | None:
    """Save the answers as a new version; None (and nothing written) when nothing changed."""
    # Lock the session row: two people saving at once must not both become version n + 1.
    type(session).objects.select_for_update().filter(pk=session.pk).first()
    latest = ReportingForm.objects.filter(session=session, form_id=form_id).order_by("-version").first()
    if latest is not None and latest.answers == answers:
        return None
    record = ReportingForm.objects.create(
        practice=session.practice,
        session=session,
        form_id=form_id,
        version=latest.version + 1 if latest else 1,
        answers=answers,
        updated_by=request.user,
        updated_at=now or timezone.now(),
    )
    previous = latest.answers if latest else {}
    changed = sorted(n for n in set(previous) | set(answers) if previous.get(n) != answers.get(n))
    log_event(
        request,
        "sessions.reporting_form.saved",
        obj=record,
        client=session.client,
        practice=session.practice,
        data={"form": form_id, "version": record.version, "changed": changed},
    )
    return record
