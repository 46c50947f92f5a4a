import re
from datetime import date

from django import forms

from kapstone.practice.models import Membership

from .models import CareTeamMember, CareTeamRole, Client

PHONE = re.compile(r"^\+?[0-9 ().\-]{7,20}$")


def clean_phone(value: str) -> str:
    value = value.strip()
    if value and not PHONE.match(value):
        raise forms.ValidationError("Enter a phone number of 7 to 20 digits, for example +1 555 010 0199.")
    return value


class ClientForm(forms.ModelForm):
    class Meta:
        model = Client
        fields = [
            "legal_first_name",
            "legal_last_name",
            "preferred_name",
            "pronouns",
            "date_of_birth",
            "email",
            "phone",
            "address",
            "emergency_contact_name",
            "emergency_contact_relationship",
            "emergency_contact_phone",
        ]
        widgets = {
            "date_of_birth": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "address": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"date_of_birth": "Year, month and day, for example 1984-03-27."}

    def __init__(self, *args, practice=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.practice = practice

    def clean_date_of_birth(self):
        born = self.cleaned_data["date_of_birth"]
        today = self.practice.today() if self.practice else date.today()
        if born > today:
            raise forms.ValidationError("The date of birth cannot be in the future.")
        if today.year - born.year > 120:
            raise forms.ValidationError("Check the year: that would make the client older than 120.")
        return born

    def clean_phone(self):
        return clean_phone(self.cleaned_data["phone"])

    def clean_emergency_contact_phone(self):
        return clean_phone(self.cleaned_data["emergency_contact_phone"])

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("emergency_contact_name") and not cleaned.get("emergency_contact_phone"):
            self.add_error("emergency_contact_phone", "Add a phone number for the emergency contact.")
        return cleaned


class CareTeamAddForm(forms.Form):
    membership = forms.ModelChoiceField(queryset=Membership.objects.none(), label="Staff member")
    role = forms.ChoiceField(
        choices=[("", "Same as their practice role"), *CareTeamRole.choices], required=False
    )

    def __init__(self, *args, client: Client, **kwargs):
        super().__init__(*args, **kwargs)
        on_team = CareTeamMember.objects.filter(client=client).values("membership_id")
        self.fields["membership"].queryset = (
            Membership.objects.active()
            .filter(practice=client.practice)
            .exclude(pk__in=on_team)
            .select_related("user")
        )
        self.fields["membership"].label_from_instance = lambda m: f"{m.display_name} ({m.get_role_display()})"
