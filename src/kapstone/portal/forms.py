from django import forms

from kapstone.integration.models import JournalEntry

from .models import ClientAccount


class JournalEntryForm(forms.ModelForm):
    class Meta:
        model = JournalEntry
        fields = ["body", "shared"]
        widgets = {"body": forms.Textarea(attrs={"rows": 8})}
        error_messages = {"body": {"required": "Write something before saving: even one sentence is fine."}}


class ReminderForm(forms.ModelForm):
    class Meta:
        model = ClientAccount
        fields = ["remind_questionnaires", "remind_intentions", "remind_integration"]
