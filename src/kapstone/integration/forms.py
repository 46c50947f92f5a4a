from django import forms

from .models import DEFAULT_THEMES, ActionItem, IntegrationNote, PracticeTheme, PsychotherapyNote


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


class IntegrationNoteForm(forms.ModelForm):
    themes = forms.MultipleChoiceField(
        choices=(), required=False, widget=forms.CheckboxSelectMultiple, label="Themes"
    )

    class Meta:
        model = IntegrationNote
        fields = ["held_on", "experience_summary", "themes", "insights"]
        widgets = {
            "held_on": forms.DateInput(attrs={"type": "date"}),
            "experience_summary": forms.Textarea(attrs={"rows": 5}),
            "insights": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, theme_labels=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["themes"].choices = [(label, label) for label in theme_labels]


class PsychotherapyNoteForm(forms.ModelForm):
    class Meta:
        model = PsychotherapyNote
        fields = ["body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 8})}


class ThemeForm(forms.Form):
    label = forms.CharField(label="Theme", max_length=80, help_text="A few words, e.g. 'Self-compassion'.")

    def __init__(self, *args, practice, **kwargs):
        super().__init__(*args, **kwargs)
        self.practice = practice

    def clean_label(self):
        label = " ".join(self.cleaned_data["label"].split())
        taken = {t.lower() for t in DEFAULT_THEMES} | {
            t.lower()
            for t in PracticeTheme.objects.filter(practice=self.practice).values_list("label", flat=True)
        }
        if label.lower() in taken:
            raise forms.ValidationError("This theme is already offered.")
        return label
