from django import forms

from kapstone.integration.models import JournalEntry

from .models import ClientAccount


class JournalEntryForm(forms.ModelForm):
    class Meta:
        model = JournalEntry
        fields = ["body", "shared"]
        widgets = {"body": forms.Textarea(attrs={"rows": 8})}

    def clean_body(self):
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError("Write something before saving: even one sentence is fine.")
        return body


class ReminderForm(forms.ModelForm):
    class Meta:
        model = ClientAccount
        fields = ["remind_questionnaires", "remind_intentions", "remind_integration"]
