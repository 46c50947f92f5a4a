from django import forms

from .models import ActionItem


class ActionItemForm(forms.ModelForm):
    class Meta:
        model = ActionItem
        fields = ["what", "due_on"]
        widgets = {"due_on": forms.DateInput(attrs={"type": "date"})}
        help_texts = {"what": "A concrete step in the client's words, e.g. 'Call my sister on Sunday'."}


class ActionItemReviewForm(forms.ModelForm):
    class Meta:
        model = ActionItem
        fields = ["status", "review_note"]
        widgets = {"review_note": forms.Textarea(attrs={"rows": 2})}
