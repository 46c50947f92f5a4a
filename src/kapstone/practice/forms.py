from django import forms

from .models import Membership, Role


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
