from decimal import Decimal

from django import forms

from kapstone.clients.forms import clean_phone
from kapstone.clinical.eligibility import load_evidence
from kapstone.practice.models import Membership, Role

from .assessment import reason_required
from .content import SELF_CHECK, SELF_CHECK_ANSWERS
from .intake_facts import CLIENT_GROUP_TITLES, FOLLOW_UPS, GROUP_TITLES, catalogue
from .models import AboutPage, ContactMethod, DecisionOutcome, InquiryStatus
from .services import TRIAGE_TARGETS

MIN_REASON = 10


def _reason(text: str, what: str = "reason") -> str:
    text = (text or "").strip()
    if text and len(text) < MIN_REASON:
        raise forms.ValidationError(f"Write the {what} in a few words (at least {MIN_REASON} characters).")
    return text


# ---------------------------------------------------------------- the public inquiry form


class InquiryForm(forms.Form):
    """Only what the practice needs to reply; a hidden honeypot field catches form-filling bots."""

    name = forms.CharField(label="Your name", max_length=120)
    email = forms.EmailField(label="Email", required=False, max_length=254)
    phone = forms.CharField(
        label="Phone",
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    preferred_contact = forms.ChoiceField(
        label="How should we contact you?", choices=ContactMethod.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label="In a few words, what would you like help with?",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": 1000}),
        help_text="A sentence or two is enough (at most 1,000 characters). Please leave out details you "
        "would rather tell a clinician in person.",
    )
    # Honeypot: hidden from people (and from screen readers); bots fill every field they find.
    website = forms.CharField(
        label="Leave this field empty",
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        for question in SELF_CHECK:
            self.fields[f"check_{question.key}"] = forms.ChoiceField(
                label=question.text, choices=SELF_CHECK_ANSWERS, required=False, widget=forms.RadioSelect
            )

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website", "").strip())

    def contact_fields(self):
        return [self[name] for name in ("name", "email", "phone")]

    def self_check_fields(self):
        return [self[f"check_{question.key}"] for question in SELF_CHECK]

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())

    def clean_phone(self):
        return clean_phone(self.cleaned_data["phone"])

    def clean_reason(self):
        return self.cleaned_data["reason"].strip()

    def clean(self):
        cleaned = super().clean()
        email, phone, method = cleaned.get("email"), cleaned.get("phone"), cleaned.get("preferred_contact")
        if "email" in cleaned and "phone" in cleaned and not email and not phone:
            self.add_error("email", "Give an email address or a phone number so that we can reply.")
        elif method == ContactMethod.EMAIL and "email" in cleaned and not email:
            self.add_error("email", "Add your email address, or choose another way to contact you.")
        elif method in (ContactMethod.PHONE, ContactMethod.TEXT) and "phone" in cleaned and not phone:
            self.add_error("phone", "Add your phone number, or choose another way to contact you.")
        return cleaned

    def self_check(self) -> dict:
        return {question.key: self.cleaned_data.get(f"check_{question.key}") or "" for question in SELF_CHECK}


# ---------------------------------------------------------------- front desk


class InquiryFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Show",
        required=False,
        choices=[("", "Open inquiries"), ("all", "All inquiries"), *InquiryStatus.choices],
    )


class TriageForm(forms.Form):
    status = forms.ChoiceField(
        label="New status",
        choices=[(s.value, s.label) for s in TRIAGE_TARGETS],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example when and how you reached them. Needed for 'not a fit': say why.",
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("status") == InquiryStatus.NOT_A_FIT:
            try:
                note = _reason(cleaned.get("note", ""))
            except forms.ValidationError as error:
                self.add_error("note", error)
            else:
                if not note:
                    self.add_error("note", "Say why this inquiry is not a fit (it is kept with the inquiry).")
        return cleaned


class CareTeamChoiceForm(forms.Form):
    """Who screens the new client: they join the care team with the person converting."""

    prescriber = forms.ModelChoiceField(
        queryset=Membership.objects.none(), required=False, label="Prescriber", empty_label="Choose later"
    )
    therapist = forms.ModelChoiceField(
        queryset=Membership.objects.none(), required=False, label="Therapist", empty_label="Choose later"
    )

    def __init__(self, *args, practice, **kwargs):
        super().__init__(*args, **kwargs)
        staff = Membership.objects.active().filter(practice=practice).select_related("user")
        self.fields["prescriber"].queryset = staff.filter(role=Role.PRESCRIBER)
        self.fields["therapist"].queryset = staff.filter(role=Role.THERAPIST)
        for name in ("prescriber", "therapist"):
            self.fields[name].label_from_instance = lambda m: m.display_name


# ---------------------------------------------------------------- the intake


YES_NO = [("yes", "Yes"), ("no", "No")]


def _none_name(key: str) -> str:
    return f"{key}__none"


class IntakeForm(forms.Form):
    """One field per intake fact, built from the fact catalogue. Every field may be left empty in a
    draft; :func:`kapstone.screening.intake_facts.missing_answers` says what a complete intake still needs."""

    def __init__(self, *args, specs, for_client=False, medications=True, notes=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.specs = list(specs)
        self.for_client = for_client
        for spec in self.specs:
            self.fields[spec.key] = self._field(spec)
            if spec.type == "list":
                self.fields[_none_name(spec.key)] = forms.BooleanField(
                    label="None of these" if not for_client else "I take none of these", required=False
                )
        if medications:
            self.fields["medications_text"] = forms.CharField(
                label="Which medicines do you take now?" if for_client else "Current medicines (as listed)",
                required=False,
                max_length=4000,
                widget=forms.Textarea(attrs={"rows": 4}),
                help_text="Prescribed or not, with the dose if you know it, one per line. "
                "Write 'none' if you take none."
                if for_client
                else "The client's own list, with doses. Tick the interacting classes below.",
            )
        if notes:
            self.fields["clinical_notes"] = forms.CharField(
                label="Clinical notes",
                required=False,
                max_length=8000,
                widget=forms.Textarea(attrs={"rows": 4}),
                help_text="How readings were taken, clearance asked for, what the prescriber should know.",
            )

    def _field(self, spec):
        label = spec.question if self.for_client else spec.label
        help_text = "" if self.for_client else spec.question
        if spec.key in FOLLOW_UPS:
            parent, _ = FOLLOW_UPS[spec.key]
            help_text = f"{help_text} Asked only if “{catalogue()[parent].label}” is yes.".strip()
        if spec.type == "bool":
            return forms.ChoiceField(
                label=label, choices=YES_NO, required=False, widget=forms.RadioSelect, help_text=help_text
            )
        if spec.type == "choice":
            choices = [(choice, spec.choice_label(choice)) for choice in spec.choices]
            return forms.ChoiceField(
                label=label, choices=choices, required=False, widget=forms.RadioSelect, help_text=help_text
            )
        if spec.type == "list":
            choices = [(choice, spec.choice_label(choice)) for choice in spec.choices]
            return forms.MultipleChoiceField(
                label=label,
                choices=choices,
                required=False,
                widget=forms.CheckboxSelectMultiple,
                help_text=help_text,
            )
        low, high = spec.minimum, spec.maximum
        unit = f" {spec.unit}" if spec.unit else ""
        hint = f"{help_text} Plausible range {_fmt(low)} to {_fmt(high)}{unit}.".strip()
        label = f"{label} ({spec.unit})" if spec.unit and not self.for_client else label
        if spec.integer:
            return forms.IntegerField(
                label=label,
                required=False,
                min_value=low,
                max_value=high,
                help_text=hint,
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )
        return forms.DecimalField(
            label=label,
            required=False,
            min_value=Decimal(str(low)) if low is not None else None,
            max_value=Decimal(str(high)) if high is not None else None,
            decimal_places=1,
            max_digits=5,
            help_text=hint,
            widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.1"}),
        )

    @staticmethod
    def initial_from(intake) -> dict:
        initial = {}
        for key, value in (intake.answers or {}).items():
            if isinstance(value, bool):
                initial[key] = "yes" if value else "no"
            elif isinstance(value, list):
                initial[key] = value
                if not value:
                    initial[_none_name(key)] = True
            else:
                initial[key] = value
        initial["medications_text"] = intake.medications_text
        initial["clinical_notes"] = intake.clinical_notes
        return initial

    def clean(self):
        cleaned = super().clean()
        for spec in self.specs:
            if spec.type == "list" and cleaned.get(spec.key) and cleaned.get(_none_name(spec.key)):
                self.add_error(
                    _none_name(spec.key), "Either tick 'None of these' or choose from the list, not both."
                )
        return cleaned

    def answers(self) -> dict:
        """fact key -> value in the catalogue's type; None = not answered (clears a saved answer)."""
        result = {}
        for spec in self.specs:
            value = self.cleaned_data.get(spec.key)
            if spec.type == "bool":
                value = {"yes": True, "no": False}.get(value)
            elif spec.type == "choice":
                value = value or None
            elif spec.type == "list":
                value = (
                    list(value) if value else ([] if self.cleaned_data.get(_none_name(spec.key)) else None)
                )
            elif isinstance(value, Decimal):
                value = float(value)
            result[spec.key] = value
        return result

    def mark_missing(self, specs, message="Answer this to complete the intake.") -> None:
        for spec in specs:
            if spec.key in self.fields and not self.has_error(spec.key):
                self.add_error(spec.key, message)

    def groups(self):
        """(title, [(spec, field, none field or None, follow-up parent key or "")]) in catalogue order."""
        titles = CLIENT_GROUP_TITLES if self.for_client else GROUP_TITLES
        grouped: dict[str, list] = {}
        for spec in self.specs:
            none = self[_none_name(spec.key)] if spec.type == "list" else None
            parent = FOLLOW_UPS.get(spec.key, ("", None))[0]
            grouped.setdefault(spec.group, []).append((spec, self[spec.key], none, parent))
        return [(titles.get(group, group.title()), rows) for group, rows in grouped.items()]


def _fmt(number) -> str:
    if number is None:
        return "?"
    return str(int(number)) if float(number).is_integer() else str(number)


# ---------------------------------------------------------------- the decision


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(label="Decision", choices=DecisionOutcome.choices, widget=forms.RadioSelect)
    conditions = forms.CharField(
        label="Conditions",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For 'approve with conditions', e.g. 'BP under 140/90 before each dose; "
        "no benzodiazepine on dosing days'.",
    )
    reason = forms.CharField(
        label="Reason",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Needed for every decision except approving an 'eligible' recommendation. When you "
        "approve over an exclude or review finding, say why it is safe.",
    )

    def __init__(self, *args, assessment, **kwargs):
        super().__init__(*args, **kwargs)
        self.assessment = assessment

    def clean_reason(self):
        return _reason(self.cleaned_data["reason"])

    def clean_conditions(self):
        return _reason(self.cleaned_data["conditions"], "conditions")

    def clean(self):
        cleaned = super().clean()
        outcome = cleaned.get("outcome")
        if (
            outcome == DecisionOutcome.APPROVE_WITH_CONDITIONS
            and "conditions" in cleaned
            and not cleaned["conditions"]
        ):
            self.add_error("conditions", "Write the conditions of this approval.")
        if (
            outcome
            and "reason" in cleaned
            and not cleaned["reason"]
            and reason_required(self.assessment.recommendation, outcome)
        ):
            self.add_error("reason", "Write the reason for this decision.")
        return cleaned


# ---------------------------------------------------------------- the practice's public page


def evidence_choices():
    library = sorted(load_evidence(), key=lambda source: (source.kind, source.short))
    return [(source.id, f"{source.short} ({source.kind})") for source in library]


class AboutPageForm(forms.ModelForm):
    evidence_ids = forms.MultipleChoiceField(
        label="Sources cited on the page",
        choices=evidence_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="From the evidence library. The citation and its link are shown under the text.",
    )

    class Meta:
        model = AboutPage
        fields = ["intro", "phases", "who_may_help", "who_not_for", "screening", "evidence_ids"]
        widgets = {
            name: forms.Textarea(attrs={"rows": 6})
            for name in ["intro", "phases", "who_may_help", "who_not_for", "screening"]
        }
        help_texts = {
            "intro": "Plain text. A blank line starts a new paragraph; lines starting with '- ' make a list."
        }
