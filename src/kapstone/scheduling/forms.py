"""Forms collect and tidy input; the booking rules themselves live in ``services``."""

from datetime import UTC, datetime

from django import forms

from .models import AppointmentKind, AppointmentStatus, Room, SchedulingSettings
from .services import MAX_MINUTES, MIN_MINUTES, bookable_clinicians


def local_datetime(day, at, zone, *, field="start_time"):
    """``day`` at wall-clock ``at`` in ``zone`` as an aware datetime.

    A time that does not exist (clocks go forward) is refused; a time that happens twice (clocks go
    back) means its first occurrence.
    """
    naive = datetime.combine(day, at)
    aware = naive.replace(tzinfo=zone)
    if aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != naive:
        raise forms.ValidationError(
            {field: f"{at:%H:%M} does not exist on {day:%Y-%m-%d} in {zone.key}: the clocks go forward then."}
        )
    return aware


class ClinicianChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.user.full_name} ({obj.get_role_display()})"


class ClinicianSingleField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.user.full_name} ({obj.get_role_display()})"


class RoomChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.get_kind_display().lower()})"


class SlotFields(forms.Form):
    """Date, start time, length, clinicians and room, in the practice's time zone."""

    date = forms.DateField(label="Date", widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(
        label="Start time", widget=forms.TimeInput(attrs={"type": "time", "step": 300}, format="%H:%M")
    )
    duration_minutes = forms.IntegerField(
        label="Length (minutes)",
        min_value=MIN_MINUTES,
        max_value=MAX_MINUTES,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    clinicians = ClinicianChoiceField(
        label="Clinicians", queryset=None, widget=forms.CheckboxSelectMultiple, required=False
    )
    room = RoomChoiceField(label="Room or chair", queryset=None, required=False, empty_label="No room")

    def __init__(self, *args, practice, **kwargs):
        super().__init__(*args, **kwargs)
        self.practice = practice
        self.fields["clinicians"].queryset = bookable_clinicians(practice)
        self.fields["room"].queryset = Room.objects.filter(is_active=True)
        self.fields["date"].help_text = f"Times are in the practice's time zone, {practice.time_zone}."

    def clean(self):
        data = super().clean()
        if data.get("date") and data.get("start_time"):
            data["starts_at"] = local_datetime(data["date"], data["start_time"], self.practice.zone)
        if not data.get("clinicians") and "clinicians" not in self.errors:
            self.add_error("clinicians", "Choose at least one clinician.")
        return data


class AppointmentForm(SlotFields):
    kind = forms.ChoiceField(
        label="Kind of appointment", choices=AppointmentKind.choices, widget=forms.RadioSelect
    )
    override_reason = forms.CharField(
        label="Override: why the medicine session should be booked now",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Only for an admin or prescriber, when readiness items are missing. Stored and audited.",
    )
    field_order = ["kind", "date", "start_time", "duration_minutes", "clinicians", "room", "override_reason"]

    def __init__(self, *args, usual_lengths="", can_override=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[
            "duration_minutes"
        ].help_text = (
            f"From {MIN_MINUTES} to {MAX_MINUTES}. Leave empty for the usual length: {usual_lengths}."
        )
        if not can_override:
            del self.fields["override_reason"]


class RescheduleForm(SlotFields):
    reason = forms.CharField(
        label="Reason for the change",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept in the appointment's history, e.g. 'Client asked for a later time'.",
    )
    override_reason = AppointmentForm.base_fields["override_reason"]

    def __init__(self, *args, can_override=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["duration_minutes"].required = True
        self.fields["duration_minutes"].help_text = f"From {MIN_MINUTES} to {MAX_MINUTES}."
        if not can_override:
            del self.fields["override_reason"]

    @classmethod
    def initial_for(cls, appointment, zone) -> dict:
        start = appointment.starts_at.astimezone(zone)
        return {
            "date": start.date(),
            "start_time": start.time().replace(second=0, microsecond=0),
            "duration_minutes": appointment.duration_minutes,
            "clinicians": [link.membership_id for link in appointment.clinician_links.all()],
            "room": appointment.room_id,
        }


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="Reason for cancelling",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept in the appointment's history, e.g. 'Client unwell, will call to rebook'.",
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if len(reason) < 3:
            raise forms.ValidationError("Give a reason in a few words.")
        return reason


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        choices=[(AppointmentStatus.COMPLETED, "Completed"), (AppointmentStatus.NO_SHOW, "No-show")]
    )
    reason = forms.CharField(label="Note", required=False, max_length=500)


class RoomForm(forms.ModelForm):
    class Meta:
        model = Room
        fields = ["name", "kind", "description", "is_active"]
        labels = {"is_active": "Can be booked"}

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        others = Room.objects.filter(name__iexact=name)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(f"There is already a room called {name}.")
        return name


class SettingsForm(forms.ModelForm):
    class Meta:
        model = SchedulingSettings
        fields = [
            "feed_client_label",
            "reminders_enabled",
            "reminder_lead_hours",
            "medicine_check_in_minutes",
            "intake_minutes",
            "preparation_minutes",
            "integration_minutes",
            "follow_up_minutes",
            "day_starts_at",
            "day_ends_at",
        ]
        widgets = {
            "feed_client_label": forms.RadioSelect,
            "day_starts_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "day_ends_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def clean(self):
        data = super().clean()
        starts, ends = data.get("day_starts_at"), data.get("day_ends_at")
        if starts and ends and ends <= starts:
            self.add_error("day_ends_at", "The calendar day must end after it starts.")
        return data


class CalendarForm(forms.Form):
    """The calendar's choices, sent by GET: a date, and whose calendar."""

    date = forms.DateField(label="Date", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    by = forms.ChoiceField(
        label="Show",
        required=False,
        choices=[("clinician", "Clinicians"), ("room", "Rooms and chairs")],
    )
    clinician = ClinicianSingleField(
        label="Clinician", queryset=None, required=False, empty_label="All clinicians"
    )
    room = RoomChoiceField(label="Room or chair", queryset=None, required=False, empty_label="All rooms")

    def __init__(self, *args, practice, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["clinician"].queryset = bookable_clinicians(practice)
        self.fields["room"].queryset = Room.objects.all()
