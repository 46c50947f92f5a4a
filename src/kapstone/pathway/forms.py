import re

from django import forms
from django.db.models import Q

from kapstone.clinical.protocols import all_protocols
from kapstone.practice.models import Membership, Role

from .models import ConsentDocument, ConsentKind, EpisodeState, Programme
from .transitions import NEEDS_REASON, allowed_targets

TEXTAREA = {"rows": 4}
PHONE_CHARACTERS = re.compile(r"^[0-9+()./\- x]+$", re.IGNORECASE)


def clean_phone(value: str) -> str:
    value = " ".join(value.split())
    if not PHONE_CHARACTERS.match(value):
        raise forms.ValidationError("Use digits, spaces and + - ( ) only, e.g. +1 555 010 0199.")
    if sum(ch.isdigit() for ch in value) < 7:
        raise forms.ValidationError("A phone number has at least 7 digits, e.g. +1 555 010 0199.")
    return value


class TransitionForm(forms.Form):
    to_state = forms.ChoiceField(label="Move to")
    reason = forms.CharField(
        label="Reason",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text="Required for pausing, withdrawing and declining; recorded on the timeline.",
    )
    override_reason = forms.CharField(
        label="Override reason (admin or prescriber)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text="Only if requirements are missing: why the episode should move anyway. Audited.",
    )

    def __init__(self, *args, episode, can_override: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_state"].choices = [
            (state, EpisodeState(state).label) for state in allowed_targets(episode)
        ]
        if not can_override:
            del self.fields["override_reason"]

    def clean(self):
        data = super().clean()
        target = data.get("to_state")
        if target in NEEDS_REASON and not data.get("reason", "").strip():
            self.add_error(
                "reason", f"Give a reason for moving the episode to {EpisodeState(target).label.lower()}."
            )
        return data


class PlanForm(forms.Form):
    programme = forms.ModelChoiceField(
        label="Programme", queryset=Programme.objects.none(), required=False, empty_label="No programme"
    )

    def __init__(self, *args, episode, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = Programme.objects.filter(
            Q(is_active=True) | Q(pk=episode.programme_id)
        ).order_by("name")
        self.fields["programme"].initial = episode.programme_id


def therapist_choices(practice):
    return (
        Membership.objects.active()
        .filter(practice=practice, role__in=[Role.THERAPIST, Role.PRESCRIBER, Role.ADMIN])
        .select_related("user")
        .order_by("user__full_name")
    )


class TherapistField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.display_name} ({obj.get_role_display().lower()})"


def goals_field():
    return forms.CharField(
        label="Goals for the whole course, in the client's own words",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text="Shown as they stand now; a change is kept as a new version beside the old one.",
    )


def intentions_field():
    return forms.CharField(
        label="Intentions for the medicine sessions",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text="What the client brings into the medicine sessions. A change is kept as a new version.",
    )


class PreparationSessionForm(forms.Form):
    held_on = forms.DateField(label="Date", widget=forms.DateInput(attrs={"type": "date"}))
    therapist = TherapistField(label="Therapist", queryset=Membership.objects.none())
    notes = forms.CharField(
        label="Session notes", required=False, max_length=10000, widget=forms.Textarea(attrs=TEXTAREA)
    )
    goals = goals_field()
    intentions = intentions_field()

    def __init__(self, *args, episode, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.episode, self.today = episode, today
        self.fields["therapist"].queryset = therapist_choices(episode.practice)

    def clean_held_on(self):
        held_on = self.cleaned_data["held_on"]
        if held_on > self.today:
            raise forms.ValidationError(
                f"The date is after today ({self.today:%Y-%m-%d}): record a session once it has taken place."
            )
        opened = self.episode.opened_at.astimezone(self.episode.practice.zone).date()
        if held_on < opened:
            raise forms.ValidationError(
                f"This episode opened on {opened:%Y-%m-%d}; a session of it cannot be earlier."
            )
        return held_on


class WordsForm(forms.Form):
    goals = goals_field()
    intentions = intentions_field()

    def __init__(self, *args, current_goals="", current_intentions="", **kwargs):
        super().__init__(*args, **kwargs)
        self.current = {"goals": current_goals.strip(), "intentions": current_intentions.strip()}

    def clean(self):
        data = super().clean()
        changed = [
            name
            for name in ("goals", "intentions")
            if data.get(name, "").strip() not in ("", self.current[name])
        ]
        if not changed and not self.errors:
            raise forms.ValidationError(
                "Nothing changed: edit the goals or the intentions to record a new version."
            )
        return data


class EscortForm(forms.Form):
    name = forms.CharField(label="Escort's name", max_length=200)
    relationship = forms.CharField(
        label="Relationship to the client", max_length=100, required=False, help_text="e.g. partner, friend"
    )
    phone = forms.CharField(
        label="Escort's phone",
        max_length=40,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
        help_text="Staff call this number when the client is ready to go home.",
    )

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if len(name) < 2:
            raise forms.ValidationError("Give the escort's name.")
        return name

    def clean_phone(self):
        return clean_phone(self.cleaned_data["phone"])


class ConsentRequestForm(forms.Form):
    kind = forms.ChoiceField(label="Consent", choices=ConsentKind.choices)
    send_email = forms.BooleanField(
        required=False, initial=True, label="Email the link to the client (if an email address is on file)"
    )


class SignForm(forms.Form):
    """The client's signature: their typed name and an explicit agreement."""

    typed_name = forms.CharField(
        label="Type your full name to sign",
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    agree = forms.BooleanField(label="I have read this consent and I agree to it.")
    text_sha256 = forms.CharField(widget=forms.HiddenInput)

    def clean_typed_name(self):
        name = " ".join(self.cleaned_data["typed_name"].split())
        if len(name) < 2 or not any(ch.isalpha() for ch in name):
            raise forms.ValidationError("Type your full name, for example Alex Rivera.")
        return name


class FollowUpMonthsField(forms.CharField):
    def to_python(self, value):
        text = super().to_python(value)
        if not text.strip():
            return []
        try:
            months = sorted({int(part) for part in re.split(r"[,\s/]+", text.strip()) if part})
        except ValueError:
            raise forms.ValidationError("Give whole months separated by commas, e.g. 1, 3, 6.") from None
        if len(months) > 12 or any(month < 1 or month > 60 for month in months):
            raise forms.ValidationError("Give up to 12 follow-ups, each from 1 to 60 months.")
        return months

    def prepare_value(self, value):
        if isinstance(value, list):
            return ", ".join(str(month) for month in value)
        return value


class ProgrammeForm(forms.ModelForm):
    protocol_id = forms.ChoiceField(label="Protocol (route and product)")
    follow_up_months = FollowUpMonthsField(
        label="Follow-up (months after the course)",
        required=False,
        help_text="Whole months separated by commas, e.g. 1, 3, 6.",
    )

    class Meta:
        model = Programme
        fields = [
            "name",
            "protocol_id",
            "preparation_sessions",
            "medicine_sessions",
            "integration_within_hours",
            "min_days_between_medicine_sessions",
            "course_weeks",
            "follow_up_months",
            "description",
            "is_active",
        ]
        widgets = {"description": forms.Textarea(attrs=TEXTAREA)}
        labels = {"is_active": "Active (can be chosen for new plans)"}

    LIMITS = {
        "preparation_sessions": (1, 20, "sessions"),
        "medicine_sessions": (1, 30, "sessions"),
        "integration_within_hours": (1, 336, "hours"),
        "min_days_between_medicine_sessions": (0, 90, "days"),
        "course_weeks": (1, 104, "weeks"),
    }

    def __init__(self, *args, practice, **kwargs):
        super().__init__(*args, **kwargs)
        self.practice = practice
        self.fields["protocol_id"].choices = [(p.id, p.title) for p in all_protocols()]
        for name, (low, high, unit) in self.LIMITS.items():
            field = self.fields[name]
            field.min_value, field.max_value = low, high
            field.widget.attrs.update({"min": low, "max": high, "inputmode": "numeric"})
            field.help_text = " ".join(filter(None, [field.help_text, f"{low} to {high} {unit}."]))
        self.fields[
            "preparation_sessions"
        ].help_text += (
            " At least one: the readiness checklist asks for a preparation session before any dose."
        )

    def _clean_range(self, name):
        value = self.cleaned_data.get(name)
        low, high, unit = self.LIMITS[name]
        if value is not None and not low <= value <= high:
            raise forms.ValidationError(f"Give a number from {low} to {high} {unit}.")
        return value

    def clean_preparation_sessions(self):
        return self._clean_range("preparation_sessions")

    def clean_medicine_sessions(self):
        return self._clean_range("medicine_sessions")

    def clean_integration_within_hours(self):
        return self._clean_range("integration_within_hours")

    def clean_min_days_between_medicine_sessions(self):
        return self._clean_range("min_days_between_medicine_sessions")

    def clean_course_weeks(self):
        return self._clean_range("course_weeks")

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        clash = Programme.objects.filter(practice=self.practice, name__iexact=name)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError("The practice already has a programme with this name.")
        return name

    def clean(self):
        data = super().clean()
        sessions, spacing, weeks = (
            data.get("medicine_sessions"),
            data.get("min_days_between_medicine_sessions"),
            data.get("course_weeks"),
        )
        if sessions and spacing is not None and weeks and (sessions - 1) * spacing > weeks * 7:
            self.add_error(
                "course_weeks",
                f"{sessions} medicine sessions at least {spacing} days apart take at least "
                f"{(sessions - 1) * spacing} days, more than {weeks} weeks. "
                "Allow more weeks or less spacing.",
            )
        return data


class ConsentDocumentForm(forms.ModelForm):
    class Meta:
        model = ConsentDocument
        fields = ["title", "text", "changes"]
        widgets = {"text": forms.Textarea(attrs={"rows": 18})}
        help_texts = {
            "text": "Plain text; blank lines separate paragraphs. Clients read exactly this and it is "
            "frozen with their signature.",
        }
