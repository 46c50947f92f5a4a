from django import forms
from django.contrib.auth import get_user_model

from .actions import all_actions


class AuditFilterForm(forms.Form):
    client = forms.CharField(required=False, label="Client record number", max_length=20)
    user = forms.ModelChoiceField(
        queryset=get_user_model().objects.none(), required=False, label="Staff member"
    )
    action = forms.ChoiceField(
        required=False, choices=lambda: [("", "Any action"), *sorted(all_actions().items())]
    )
    date_from = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, practice, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = get_user_model().objects.filter(memberships__practice=practice)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date is before the start date.")
        return cleaned
