from django import forms

from kapstone.clinical import all_instruments
from kapstone.clinical.instruments import Instrument

from .models import MeasurementPlanItem, PathwayPoint


def administrable_instruments():
    """Self-report questionnaires (observation scales belong to medicine sessions)."""
    return [instrument for instrument in all_instruments() if instrument.kind == "self_report"]


def instrument_choices():
    return [(i.id, f"{i.short_name} — {i.name}") for i in administrable_instruments()]


def field_name(number: int) -> str:
    return f"item_{number}"


class QuestionnaireForm(forms.Form):
    """One field per item of an instrument. Every field is optional here: a draft may be partial,
    and ``kapstone.clinical`` decides what a submission still misses (skip logic included)."""

    def __init__(self, *args, instrument: Instrument, **kwargs):
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        for item in instrument.items:
            label = item.text or item.label
            if item.options:
                field = forms.TypedChoiceField(
                    label=label,
                    choices=[(option.value, option.label) for option in item.options],
                    coerce=int,
                    required=False,
                    widget=forms.RadioSelect,
                )
            else:
                low, high = item.value_range
                hint = f"A whole number from {low} to {high}"
                if item.anchors:
                    hint += " (" + "; ".join(item.anchors) + ")"
                field = forms.IntegerField(
                    label=label,
                    min_value=low,
                    max_value=high,
                    required=False,
                    help_text=hint,
                    widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
                )
            field.item = item
            self.fields[field_name(item.number)] = field

    def answers(self) -> dict[int, int]:
        return {
            field.item.number: self.cleaned_data[name]
            for name, field in self.fields.items()
            if self.cleaned_data.get(name) not in (None, "")
        }

    def mark_missing(self, numbers) -> None:
        for number in numbers:
            self.add_error(field_name(number), "Please answer this question.")

    def rows(self):
        """(item, bound field, condition text) for the template, in order."""
        for item in self.instrument.items:
            condition = self.instrument.describe(item.show_if) if item.show_if else ""
            yield item, self[field_name(item.number)], condition


class AdministerForm(forms.Form):
    instrument = forms.ChoiceField(label="Questionnaire", choices=instrument_choices)


class AssignForm(forms.Form):
    instrument = forms.ChoiceField(label="Questionnaire", choices=instrument_choices)
    due_on = forms.DateField(label="Due on", widget=forms.DateInput(attrs={"type": "date"}))
    send_email = forms.BooleanField(
        required=False, initial=True, label="Email the link to the client (if an email address is on file)"
    )


class AssignPlanForm(forms.Form):
    point = forms.ChoiceField(
        label="Pathway point", choices=[c for c in PathwayPoint.choices if c[0] != "ad_hoc"]
    )


class AcknowledgeForm(forms.Form):
    action_taken = forms.CharField(
        label="Action taken",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="What you did, e.g. 'Called the client, completed a safety plan, no immediate risk.'",
    )

    def clean_action_taken(self):
        text = self.cleaned_data["action_taken"].strip()
        if len(text) < 10:
            raise forms.ValidationError("Describe the action taken in a few words (at least 10 characters).")
        return text


class PlanItemForm(forms.ModelForm):
    instrument_id = forms.ChoiceField(label="Questionnaire", choices=instrument_choices)

    class Meta:
        model = MeasurementPlanItem
        fields = ["point", "instrument_id", "due_after_days", "due_before_hours", "since_last_contact"]
        labels = {"due_after_days": "Due after (days)"}
        help_texts = {"due_after_days": "Days after the point (not used before a medicine session)."}

    def clean(self):
        data = super().clean()
        point = data.get("point")
        if point == PathwayPoint.PRE_SESSION and data.get("due_after_days"):
            self.add_error(
                "due_after_days",
                "A questionnaire before a medicine session is due by its start: set hours before instead.",
            )
        if point and point != PathwayPoint.PRE_SESSION and data.get("due_before_hours"):
            self.add_error(
                "due_before_hours", "Hours before apply only to questionnaires before a medicine session."
            )
        return data
