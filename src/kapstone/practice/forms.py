from django import forms

from .models import Membership, Practice, Role


class InviteForm(forms.Form):
    full_name = forms.CharField(max_length=200, label="Full name")
    email = forms.EmailField()
    role = forms.ChoiceField(choices=Role.choices)
    title = forms.CharField(max_length=80, required=False, help_text="Credentials, e.g. LCSW, PMHNP, RN.")

    def __init__(self, *args, practice, **kwargs):
        super().__init__(*args, **kwargs)
        self.practice = practice

    def clean_email(self):
        email = self.cleaned_data["email"].lower()
        if Membership.objects.filter(practice=self.practice, user__email__iexact=email).exists():
            raise forms.ValidationError("This person is already on this practice's staff list.")
        return email


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["role", "title", "is_active"]
        labels = {"is_active": "Active (can sign in to this practice)"}

    def __init__(self, *args, editor, **kwargs):
        super().__init__(*args, **kwargs)
        self.editor = editor

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk == self.editor.pk and (
            cleaned.get("role") != Role.ADMIN or not cleaned.get("is_active")
        ):
            raise forms.ValidationError(
                "You cannot remove your own admin role or deactivate yourself; ask another admin."
            )
        return cleaned


class AlertSettingsForm(forms.ModelForm):
    """How soon an unacknowledged safety alert escalates, by severity (docs/severity.md)."""

    class Meta:
        model = Practice
        fields = ["critical_escalation_minutes", "alert_escalation_minutes"]
        labels = {
            "critical_escalation_minutes": "Critical alerts escalate after (minutes)",
            "alert_escalation_minutes": "Warning alerts escalate after (minutes)",
        }
        help_texts = {
            "critical_escalation_minutes": (
                "An unacknowledged critical alert then goes to the admins and every prescriber. "
                "The care team and the admins are told at once when it is raised."
            ),
            "alert_escalation_minutes": (
                "An unacknowledged warning then goes to the admins. The care team is told at once."
            ),
        }
