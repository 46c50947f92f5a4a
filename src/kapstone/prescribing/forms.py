"""Forms collect and tidy input; what a record needs is decided in the models' ``clean`` and ``services``."""

from typing import Any

from django import forms
from django.db.models import QuerySet

from kapstone.accounts.models import User
from kapstone.practice.models import Membership, Practice, Role

from .access import RECORDER_ROLES
from .models import Credential, PrescribingSettings, RemsCertification
from .services import PrescribingError
from .states import STATES

CLINICAL_ROLES = (Role.ADMIN, Role.PRESCRIBER, Role.THERAPIST, Role.MONITOR)
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
STATE_CHOICES = [("", "Choose a state"), *STATES]


def add_error(form: forms.Form, error: PrescribingError) -> None:
    """Put a refusal's reason next to the field it concerns (else at the top)."""
    form.add_error(error.field if error.field in form.fields else None, error.message)


class MemberField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Membership) -> str:
        return f"{obj.user.full_name or obj.user.email} ({obj.get_role_display()})"


class UserField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.full_name or obj.email


def choose_from(field: forms.Field, queryset: QuerySet[Any]) -> None:
    """Offer ``queryset`` in a choice field (only the practice's own members and users)."""
    assert isinstance(field, forms.ModelChoiceField)
    field.queryset = queryset


def users_of(practice: Practice, roles: tuple[str, ...] | frozenset[str]) -> QuerySet[User]:
    return User.objects.filter(
        memberships__practice=practice,
        memberships__is_active=True,
        memberships__role__in=roles,
        is_active=True,
    ).order_by("full_name")


class CredentialForm(forms.ModelForm):
    membership = MemberField(queryset=Membership.objects.none(), label="Staff member")

    class Meta:
        model = Credential
        fields = ["membership", "kind", "state", "number", "issued_on", "expires_on"]
        widgets = {"issued_on": DATE, "expires_on": DATE}
        labels = {"kind": "Credential"}
        help_texts = {
            "state": "For a DEA registration or a licence.",
            "issued_on": "If known.",
        }

    def __init__(self, *args: Any, practice: Practice, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = Membership.objects.active().filter(practice=practice).select_related("user")
        choose_from(self.fields["membership"], members.order_by("user__full_name"))
        state = self.fields["state"]
        assert isinstance(state, forms.ChoiceField)
        state.choices = STATE_CHOICES

    def clean_number(self) -> str:
        return "".join(self.cleaned_data["number"].split()).upper()


class PdmpCheckForm(forms.Form):
    checked_on = forms.DateField(label="Checked on", widget=DATE)
    state = forms.ChoiceField(label="PDMP of the state", choices=STATE_CHOICES)
    checked_by = UserField(queryset=User.objects.none(), label="Checked by")
    reviewed = forms.TypedChoiceField(
        label="Result reviewed",
        choices=[("yes", "Yes: the prescriber reviewed the result"), ("no", "No, not yet")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    finding = forms.CharField(
        label="Finding",
        required=False,
        max_length=500,
        widget=forms.Textarea({"rows": 3}),
        help_text=(
            "Short, e.g. \u201cNo other controlled-substance prescriptions in 12 months.\u201d "
            "At most 500 characters."
        ),
    )

    def __init__(self, *args: Any, practice: Practice, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choose_from(self.fields["checked_by"], users_of(practice, CLINICAL_ROLES))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("reviewed") is True and not (data.get("finding") or "").strip():
            self.add_error("finding", "Say in a few words what the reviewed result showed.")
        return data


class EnrolmentForm(forms.Form):
    enrolled_on = forms.DateField(label="Enrolled on", widget=DATE)
    enrolment_id = forms.CharField(label="REMS enrolment ID", max_length=60)
    prescriber = UserField(
        queryset=User.objects.none(), label="Prescriber", help_text="Who signed the enrolment form."
    )
    signed_by_patient = forms.BooleanField(
        label="The enrolment form is signed by the patient", required=False
    )
    signed_by_prescriber = forms.BooleanField(
        label="The enrolment form is signed by the prescriber", required=False
    )

    def __init__(self, *args: Any, practice: Practice, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choose_from(self.fields["prescriber"], users_of(practice, RECORDER_ROLES))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("signed_by_patient", "signed_by_prescriber"):
            if name in self.fields and not data.get(name):
                who = "patient" if name == "signed_by_patient" else "prescriber"
                self.add_error(name, f"The enrolment counts once the {who} has signed the form.")
        return data


class CertificationForm(forms.ModelForm):
    class Meta:
        model = RemsCertification
        fields = [
            "setting_name",
            "address",
            "certification_id",
            "certified_on",
            "authorised_representative",
            "ends_on",
        ]
        widgets = {"certified_on": DATE, "ends_on": DATE, "address": forms.Textarea({"rows": 3})}
        help_texts = {"authorised_representative": "The person who enrolled the setting in the REMS."}


class SettingsForm(forms.ModelForm):
    class Meta:
        model = PrescribingSettings
        fields = ["expiry_warning_days", "pdmp_interval_days", "pdmp_hard_stop"]
