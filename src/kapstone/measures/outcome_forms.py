"""The filter form of the practice outcomes page (a GET form: it keeps what was chosen)."""

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django import forms

from kapstone.pathway.models import Programme
from kapstone.practice.models import Membership, Practice, Role

from .outcome_rates import OutcomeFilters, dosing_facts

DATE_ERROR = "Enter a date as YYYY-MM-DD, for example 2026-03-31."
CLINICAL_ROLES = (Role.ADMIN, Role.PRESCRIBER, Role.THERAPIST, Role.MONITOR)


def day_start(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


class OutcomeFilterForm(forms.Form):
    date_from = forms.DateField(
        label="From", required=False, input_formats=["%Y-%m-%d"], error_messages={"invalid": DATE_ERROR}
    )
    date_to = forms.DateField(
        label="To", required=False, input_formats=["%Y-%m-%d"], error_messages={"invalid": DATE_ERROR}
    )
    programme = forms.ModelChoiceField(queryset=None, required=False, empty_label="All")
    route = forms.ChoiceField(required=False)
    clinician = forms.ModelChoiceField(
        label="Clinician (care team)", queryset=None, required=False, empty_label="All"
    )

    def __init__(self, *args: Any, practice: Practice, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.practice = practice
        self.fields["date_from"].widget = forms.DateInput(attrs={"type": "date"})
        self.fields["date_to"].widget = forms.DateInput(attrs={"type": "date"})
        self.fields["date_from"].help_text = "Outcomes whose latest score is on or after this day."
        self.fields["date_to"].help_text = "Scores after this day are left out."
        self.fields["programme"].queryset = Programme.objects.filter(practice=practice).order_by("name")
        self.fields["clinician"].queryset = (
            Membership.objects.active()
            .filter(practice=practice, role__in=CLINICAL_ROLES)
            .select_related("user")
        )
        self.fields["clinician"].label_from_instance = lambda m: m.display_name
        facts = dosing_facts()
        self.fields["route"].choices = [("", "All"), *(facts.routes() if facts else [])]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date is before the start date.")
        return data

    def filters(self) -> OutcomeFilters:
        """The chosen filters, with dates as the practice's local days (``to`` included)."""
        data, zone = self.cleaned_data, self.practice.zone
        start, end = data.get("date_from"), data.get("date_to")
        return OutcomeFilters(
            start=day_start(start, zone) if start else None,
            end=day_start(end + timedelta(days=1), zone) if end else None,
            programme_id=data["programme"].pk if data.get("programme") else None,
            route=data.get("route") or None,
            clinician_id=data["clinician"].pk if data.get("clinician") else None,
        )
