"""Forms for medicine sessions. Ranges, units and choices all come from the protocol or the clinical
reference data, so the forms say what the core will accept; the services decide."""

from datetime import UTC, datetime, timedelta
from datetime import time as dtime
from decimal import Decimal

from django import forms
from django.utils import timezone

from kapstone.clinical import get_instrument
from kapstone.clinical.monitoring import check_plausible_value
from kapstone.clinical.protocols import vital_ranges

from .amounts import plain
from .models import AdverseEvent, Checklist, Observation, ProtocolSetting
from .protocol_versions import protocol_choices

# A time typed on a device whose clock runs slightly ahead of the server's is taken as "now".
CLOCK_TOLERANCE = timedelta(minutes=2)


def local_input(moment, zone, *, date=True) -> str:
    local = timezone.localtime(moment, zone)
    return local.strftime("%Y-%m-%dT%H:%M" if date else "%H:%M")


class WhenField(forms.CharField):
    """A time in the practice's zone: "14:05" (today) or "2026-03-01T14:05"; cleaned to aware UTC."""

    def __init__(self, *args, date=True, **kwargs):
        attrs = {"type": "datetime-local" if date else "time", "class": "when"}
        super().__init__(*args, widget=forms.TextInput(attrs=attrs), **kwargs)
        self.zone = timezone.get_current_timezone()
        self.now = None

    def to_python(self, value):
        text = (super().to_python(value) or "").strip()
        if not text:
            return None
        now = self.now or timezone.now()
        try:
            if "T" in text or " " in text:
                naive = datetime.fromisoformat(text.replace(" ", "T"))
                aware = naive.replace(tzinfo=self.zone)
            else:
                day = timezone.localtime(now, self.zone).date()
                aware = datetime.combine(day, dtime.fromisoformat(text)).replace(tzinfo=self.zone)
                if aware - now > timedelta(hours=12):  # just after midnight, a time late yesterday
                    aware -= timedelta(days=1)
        except ValueError:
            raise forms.ValidationError("Enter a time like 14:05.") from None
        if aware > now + CLOCK_TOLERANCE:
            raise forms.ValidationError("This time is in the future.")
        return min(aware.astimezone(UTC), now)


class SessionForm(forms.Form):
    """Gives its time fields the practice's zone and the request's "now"."""

    def __init__(self, *args, zone=None, now=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.now = now or timezone.now()
        for field in self.fields.values():
            if isinstance(field, WhenField):
                field.zone = zone or timezone.get_current_timezone()
                field.now = self.now


def reason_field(label, help_text, required=False):
    return forms.CharField(
        label=label, required=required, help_text=help_text, widget=forms.Textarea(attrs={"rows": 2})
    )


# --- protocol settings ---------------------------------------------------------------------------------


class ProtocolSettingsForm(forms.Form):
    reason = reason_field(
        "Reason for the change",
        "Recorded with every change, e.g. 'Medical director's decision of 3 March'.",
        required=True,
    )

    def __init__(self, *args, protocol, base, **kwargs):
        super().__init__(*args, **kwargs)
        self.protocol = protocol
        base_params = base.params()
        self.rows = []
        for path, param in protocol.params().items():
            low, high = param.bounds
            original = base_params[path].value
            hint = (
                f"{plain(low)} to {plain(high)} {param.unit}; "
                f"protocol default {plain(original)} {param.unit}."
            )
            field = forms.DecimalField(
                label=path,
                initial=plain(param.value),
                help_text=hint,
                widget=forms.TextInput(attrs={"inputmode": "decimal"}),
            )
            self.fields[path] = field
            self.rows.append((path, param, original))
        self.order_fields([name for name in self.fields if name != "reason"] + ["reason"])

    def clean_reason(self):
        return (self.cleaned_data.get("reason") or "").strip()

    def values(self) -> dict[str, Decimal]:
        return {path: self.cleaned_data[path] for path, _, _ in self.rows}

    def groups(self):
        """Settings grouped by their first path part (dose, observation, monitoring, thresholds, ...)."""
        out: dict[str, list] = {}
        for path, param, original in self.rows:
            out.setdefault(path.split(".")[0], []).append((self[path], param, original))
        return out.items()


# --- dose plan and starting a session --------------------------------------------------------------------


class DosePlanForm(forms.Form):
    protocol_id = forms.ChoiceField(label="Protocol", choices=protocol_choices)
    planned_dose = forms.DecimalField(
        label="Planned dose",
        max_digits=8,
        decimal_places=3,
        min_value=Decimal("0.001"),
        help_text="In the protocol's unit: mg/kg for IM and IV, mg for sublingual and esketamine.",
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    notes = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Titration plan, boosters, cautions.",
    )


class StartSessionForm(forms.Form):
    protocol_id = forms.ChoiceField(label="Protocol", choices=protocol_choices)
    room = forms.CharField(
        label="Room / chair", max_length=60, help_text="As shown on the live board, e.g. 'Room 2'."
    )
    override_reason = reason_field(
        "Reason to start with requirements missing",
        "Admins and prescribers only: why this session goes ahead although the requirements above "
        "are not met.",
    )


# --- pre-dose checklist ----------------------------------------------------------------------------------


class ChecklistForm(forms.ModelForm):
    override_reason = reason_field(
        "Prescriber's override reason",
        "Prescribers only, when an item is not met: why dosing goes ahead.",
    )

    class Meta:
        model = Checklist
        fields = [
            "weight_kg",
            "fasting",
            "no_alcohol_24h",
            "escort_present",
            "escort_name",
            "escort_phone",
            "pregnancy_status",
            "intention_recalled",
            "music",
            "eye_shades",
            "setting_notes",
        ]
        labels = {
            "weight_kg": "Weight (kg)",
            "fasting": "Fasting as instructed",
            "no_alcohol_24h": "No alcohol in the last 24 hours",
            "escort_present": "Escort present to take the client home",
            "escort_name": "Escort's name",
            "escort_phone": "Escort's phone",
            "pregnancy_status": "Pregnancy status",
            "intention_recalled": "Intention recalled with the client",
            "music": "Music",
            "eye_shades": "Eye shades offered",
        }
        widgets = {
            "pregnancy_status": forms.RadioSelect,
            "setting_notes": forms.Textarea(attrs={"rows": 2}),
            "weight_kg": forms.TextInput(attrs={"inputmode": "decimal"}),
        }

    def __init__(self, *args, per_kg=False, **kwargs):
        super().__init__(*args, **kwargs)
        r = vital_ranges()["weight_kg"]
        self.fields["weight_kg"].help_text = f"{plain(r.low)} to {plain(r.high)} kg." + (
            " Needed: this protocol doses by weight." if per_kg else ""
        )
        self.fields["pregnancy_status"].choices = [c for c in self.fields["pregnancy_status"].choices if c[0]]

    def clean_weight_kg(self):
        weight = self.cleaned_data.get("weight_kg")
        if weight is not None:
            try:
                check_plausible_value("weight_kg", weight)
            except ValueError as exc:
                raise forms.ValidationError(str(exc)) from None
        return weight


# --- dose orders and administrations ---------------------------------------------------------------------


class DoseOrderForm(forms.Form):
    dose = forms.DecimalField(
        max_digits=8,
        decimal_places=3,
        min_value=Decimal("0.001"),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    weight_kg = forms.DecimalField(
        label="Weight (kg)",
        required=False,
        max_digits=5,
        decimal_places=1,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    stock_strength = forms.TypedChoiceField(label="Stock", coerce=Decimal)
    infusion_minutes = forms.IntegerField(label="Infusion duration (min)", required=False, min_value=1)
    bag_volume_ml = forms.DecimalField(
        label="Total infusion volume (mL)", required=False, min_value=1, max_digits=7, decimal_places=1
    )
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    override_reason = reason_field(
        "Override reason (outside the protocol)",
        "Only when the dose is outside the protocol: why it is right for this client.",
    )

    def __init__(self, *args, protocol, booster=False, **kwargs):
        super().__init__(*args, **kwargs)
        d, stock = protocol.dose, protocol.stock
        unit = d.unit
        if booster and d.booster.max_each is not None:
            rng = f"Booster up to {plain(d.booster.max_each.value)} {unit}"
        else:
            rng = (
                f"Protocol range {plain(d.minimum.value)} to {plain(d.maximum.value)} {unit}, "
                f"default {plain(d.default.value)}"
            )
        if d.step is not None:
            rng += f", in steps of {plain(d.step.value)} {unit}"
        self.fields["dose"].label = f"{'Booster dose' if booster else 'Dose'} ({unit})"
        self.fields["dose"].help_text = rng + "."
        r = vital_ranges()["weight_kg"]
        self.fields["weight_kg"].required = d.basis == "mg_per_kg"
        self.fields[
            "weight_kg"
        ].help_text = f"{plain(r.low)} to {plain(r.high)} kg; mg/kg uses the {d.weight} body weight."
        noun = {"solution": "mg/mL", "unit": "mg per tablet/lozenge", "device": "mg per device"}[stock.form]
        self.fields["stock_strength"].choices = [(plain(s), f"{plain(s)} {noun}") for s in stock.strengths]
        if protocol.infusion is None or booster:
            del self.fields["infusion_minutes"]
            del self.fields["bag_volume_ml"]
        else:
            low, high = protocol.infusion.duration_minutes.bounds
            self.fields["infusion_minutes"].initial = protocol.infusion.duration_minutes.as_int
            self.fields["infusion_minutes"].help_text = f"Protocol {plain(low)} to {plain(high)} min."
            self.fields["bag_volume_ml"].initial = plain(protocol.infusion.bag_volume_ml.value)

    def clean_weight_kg(self):
        weight = self.cleaned_data.get("weight_kg")
        if weight is not None:
            try:
                check_plausible_value("weight_kg", weight)
            except ValueError as exc:
                raise forms.ValidationError(str(exc)) from None
        return weight


class SupplyForm(forms.Form):
    supply = forms.ChoiceField(
        label="The doses come from", choices=ProtocolSetting.Supply.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        max_length=500,
        help_text="Why, for the record (e.g. clients bring troches their pharmacy dispensed).",
        error_messages={"required": "Give a reason for the change."},
    )


class AdministrationForm(SessionForm):
    order = forms.TypedChoiceField(label="Order", coerce=str)
    given_at = WhenField(label="Given at")
    amount_mg = forms.DecimalField(
        label="Amount given (mg)",
        max_digits=7,
        decimal_places=1,
        min_value=Decimal("0.1"),
        help_text="Less than ordered is recorded as a partial dose.",
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    container = forms.TypedChoiceField(
        label="Drawn from",
        coerce=str,
        error_messages={
            "required": "Choose the container the dose was drawn from.",
            "invalid_choice": "Choose the container the dose was drawn from.",
        },
        help_text="The register's container; its lot goes on the record and the register draws the dose.",
    )
    prescription_ref = forms.CharField(
        label="Prescription reference",
        max_length=120,
        error_messages={"required": "Enter the prescription reference of the pharmacy-dispensed dose."},
        help_text="This route is dispensed by a pharmacy: the prescription number on the label.",
    )
    lot_number = forms.CharField(
        required=False, max_length=60, help_text="Required on the esketamine REMS form."
    )
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, orders=(), containers=(), from_pharmacy=False, amends=None, **kwargs):
        """``containers`` the dose may come from (``supply.containers_for``); a pharmacy-dispensed
        route asks for the prescription reference and a lot instead. A correction (``amends``) keeps
        the original's source: its container, or its prescription."""
        super().__init__(*args, **kwargs)
        self.orders = {str(o.pk): o for o in orders}
        self.fields["order"].choices = [
            (str(o.pk), f"{o.get_kind_display()}: {plain(o.dose_mg)} mg {o.route}") for o in orders
        ]
        self.containers = {str(c.pk): c for c in containers}
        if amends is not None:
            del self.fields["container"], self.fields["prescription_ref"]
            if amends.container_id is not None:
                del self.fields["lot_number"]
        elif from_pharmacy:
            del self.fields["container"]
        else:
            del self.fields["prescription_ref"], self.fields["lot_number"]
            self.fields["container"].choices = [("", "Choose the container")] + [
                (str(c.pk), f"{c.code}: {c.product}, lot {c.lot}, {c.balance_text} left") for c in containers
            ]
            if not containers:
                self.fields[
                    "container"
                ].help_text = (
                    "No container of this route's stock is on hand: receive stock on the register first."
                )

    def clean_container(self):
        value = self.cleaned_data["container"]
        if value not in self.containers:
            raise forms.ValidationError("Choose the container the dose was drawn from.")
        return self.containers[value]


# --- vitals and observations -----------------------------------------------------------------------------


class VitalsForm(SessionForm):
    taken_at = WhenField(label="Time", date=False)
    sbp = forms.IntegerField(label="Systolic BP", required=False)
    dbp = forms.IntegerField(label="Diastolic BP", required=False)
    hr = forms.IntegerField(label="Heart rate", required=False)
    spo2 = forms.IntegerField(label="SpO2", required=False)
    rr = forms.IntegerField(label="Respiratory rate", required=False)

    UNITS = {"sbp": "mmHg", "dbp": "mmHg", "hr": "bpm", "spo2": "%", "rr": "/min"}

    def __init__(self, *args, full_date=False, allow_empty=False, **kwargs):
        """``allow_empty``: no measurement is required (the board dialog records a rating alone)."""
        super().__init__(*args, **kwargs)
        self.allow_empty = allow_empty
        if full_date:
            self.fields["taken_at"].widget.attrs["type"] = "datetime-local"
        ranges = vital_ranges()
        for name in self.UNITS:
            r = ranges[name]
            field = self.fields[name]
            field.help_text = f"{plain(r.low)} to {plain(r.high)} {r.unit}"
            field.widget.attrs.update({"inputmode": "numeric", "class": "big-number", "autocomplete": "off"})

    def _plausible(self, name):
        value = self.cleaned_data.get(name)
        if value is not None:
            try:
                check_plausible_value(name, value)
            except ValueError as exc:
                raise forms.ValidationError(str(exc)) from None
        return value

    def clean_sbp(self):
        return self._plausible("sbp")

    def clean_dbp(self):
        return self._plausible("dbp")

    def clean_hr(self):
        return self._plausible("hr")

    def clean_spo2(self):
        return self._plausible("spo2")

    def clean_rr(self):
        return self._plausible("rr")

    def clean(self):
        data = super().clean()
        values = [data.get(n) for n in self.UNITS]
        if not self.errors and not self.allow_empty and all(v is None for v in values):
            raise forms.ValidationError("Enter at least one value.")
        sbp, dbp = data.get("sbp"), data.get("dbp")
        if "sbp" not in self.errors and "dbp" not in self.errors:
            if (sbp is None) != (dbp is None):
                self.add_error(
                    "dbp" if dbp is None else "sbp",
                    "Enter blood pressure as systolic and diastolic together.",
                )
            elif sbp is not None and dbp >= sbp:
                self.add_error("dbp", f"Diastolic BP ({dbp}) must be lower than systolic BP ({sbp}).")
        return data

    def values(self) -> dict:
        return {n: self.cleaned_data.get(n) for n in self.UNITS}

    def measurement_fields(self):
        """(bound field, unit) for the numeric inputs, in order."""
        return [(self[name], unit) for name, unit in self.UNITS.items()]


class ObservationForm(SessionForm):
    observed_at = WhenField(label="Time")
    value = forms.TypedChoiceField(coerce=int, widget=forms.RadioSelect)

    def __init__(self, *args, scale, levels=None, **kwargs):
        """``levels``: the practice's wording (``scales.practice_levels``); by default the data's."""
        super().__init__(*args, **kwargs)
        instrument = get_instrument(scale)
        item = instrument.items[0]
        self.scale = scale
        self.instrument = instrument
        self.fields["value"].label = f"{instrument.short_name}: {item.label}"
        choices = (
            [(lv.value, lv.label) for lv in levels] if levels else [(o.value, o.label) for o in item.options]
        )
        self.fields["value"].choices = choices


# --- adverse events and notes ----------------------------------------------------------------------------


class AdverseEventForm(SessionForm):
    category = forms.ChoiceField(widget=forms.RadioSelect)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    onset_at = WhenField(label="Onset")
    severity = forms.ChoiceField(choices=AdverseEvent.Severity.choices, widget=forms.RadioSelect)
    serious = forms.BooleanField(
        required=False,
        label="Serious",
        help_text="Life-threatening, needs emergency care or hospital, or disabling. "
        "Categories the protocol marks serious are always recorded as serious.",
    )
    relatedness = forms.ChoiceField(choices=AdverseEvent.Relatedness.choices, initial="unknown")
    action_taken = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    outcome = forms.ChoiceField(choices=AdverseEvent.Outcome.choices)

    def __init__(self, *args, protocol, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [
            (c.id, f"{c.label}{' (serious)' if c.serious else ''} — e.g. {', '.join(c.examples[:3])}")
            for c in protocol.adverse_events
        ]


class NoteForm(SessionForm):
    written_at = WhenField(label="Time")
    text = forms.CharField(label="Note", widget=forms.Textarea(attrs={"rows": 4}))


class AmendmentForm(forms.Form):
    reason = forms.CharField(
        label="Reason for the correction",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept with the correction; the original stays on the record.",
    )
    entered_in_error = forms.BooleanField(
        required=False, label="The original was entered in error (withdraw it; the values below are ignored)"
    )


class BedsideRatingsForm(forms.Form):
    """The board dialog's optional observation ratings, one select per scale, in the practice's words."""

    def __init__(self, *args, levels: dict, **kwargs):
        """``levels``: scale -> ``scales.practice_levels`` (the select lists every level, blank first)."""
        super().__init__(*args, **kwargs)
        self.scales = list(levels)
        for scale, scale_levels in levels.items():
            instrument = get_instrument(scale)
            self.fields[scale] = forms.TypedChoiceField(
                label=instrument.short_name,
                required=False,
                coerce=int,
                empty_value=None,
                choices=[("", "Not rated"), *[(lv.value, lv.label) for lv in scale_levels]],
            )

    def submitted(self) -> bool:
        """Whether any rating was chosen (read from the raw data, before validation)."""
        return any(self.data.get(self.add_prefix(scale)) not in (None, "") for scale in self.scales)

    def ratings(self) -> dict[str, int]:
        return {s: self.cleaned_data[s] for s in self.scales if self.cleaned_data.get(s) is not None}


class SubmissionForm(forms.Form):
    """That a reporting form was sent (e.g. on the REMS website): when, and the confirmation number."""

    submitted_on = forms.DateField(
        label="Submitted on",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "Enter the date the form was submitted.", "invalid": "Enter a date."},
    )
    confirmation = forms.CharField(
        label="Confirmation number",
        max_length=80,
        help_text="As the REMS website or the fax report gave it.",
        error_messages={"required": "Enter the confirmation number the REMS gave."},
    )


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="Reason for cancelling",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept on the client's record, e.g. 'Blood pressure too high to dose today; rebooked'.",
        error_messages={
            "required": "Give the reason the session is cancelled (it is kept on the client's record)."
        },
    )

    def clean_reason(self):
        reason = " ".join((self.cleaned_data.get("reason") or "").split())
        if not reason:
            raise forms.ValidationError(self.fields["reason"].error_messages["required"])
        return self.cleaned_data["reason"].strip()


class ScaleLabelsForm(forms.Form):
    """One text field per level of a configurable scale; blank keeps kapstone's wording."""

    def __init__(self, *args, levels, max_length, **kwargs):
        super().__init__(*args, **kwargs)
        self.levels = levels
        for level in levels:
            self.fields[f"level_{level.value}"] = forms.CharField(
                label=f"Level {level.value}",
                required=False,
                max_length=max_length,
                initial=level.label if level.label != level.default else "",
                help_text=f"Default: {level.default}",
            )

    def labels(self) -> dict[int, str]:
        return {lv.value: self.cleaned_data.get(f"level_{lv.value}", "") for lv in self.levels}


# --- discharge -------------------------------------------------------------------------------------------


class DischargeForm(SessionForm):
    discharged_at = WhenField(label="Discharge time")
    escort_name = forms.CharField(label="Escort taking the client home", max_length=200, required=False)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    override_reason = reason_field(
        "Prescriber's override reason",
        "Prescribers only, when a criterion is not met or the minimum observation time has not passed.",
    )

    def __init__(self, *args, protocol, **kwargs):
        super().__init__(*args, **kwargs)
        self.aldrete = get_instrument("aldrete")
        for item in self.aldrete.items:
            self.fields[f"aldrete_{item.number}"] = forms.TypedChoiceField(
                label=item.label,
                coerce=int,
                choices=[(o.value, o.label) for o in item.options],
                widget=forms.RadioSelect,
                error_messages={"required": "Score this item."},
            )
        self.criteria = protocol.discharge.criteria
        for criterion in self.criteria:
            self.fields[f"criterion_{criterion.id}"] = forms.BooleanField(
                required=False, label=criterion.label
            )

    def aldrete_fields(self):
        return [self[f"aldrete_{item.number}"] for item in self.aldrete.items]

    def criterion_fields(self):
        return [self[f"criterion_{c.id}"] for c in self.criteria]

    def aldrete_answers(self) -> dict[int, int]:
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return {
            item.number: data[f"aldrete_{item.number}"]
            for item in self.aldrete.items
            if data.get(f"aldrete_{item.number}") is not None
        }

    def criteria_answers(self) -> dict[str, bool]:
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return {c.id: bool(data.get(f"criterion_{c.id}")) for c in self.criteria}


OBSERVATION_SCALES = [(value, label) for value, label in Observation.Scale.choices]
