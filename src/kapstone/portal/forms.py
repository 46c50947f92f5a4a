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


class IntentionForm(forms.Form):
    intention = forms.CharField(
        label="My intention for the next session",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text="In your own words: what you would like to bring into the session, or to explore.",
        error_messages={"required": "Write your intention, even in a few words."},
    )
