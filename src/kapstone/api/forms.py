from django import forms

from .models import ApiToken, TokenScope
from .tokens import LIFETIME_DAYS


class TokenForm(forms.ModelForm):
    days = forms.TypedChoiceField(
        label="Expires after",
        choices=[(days, f"{days} days" if days != 365 else "1 year") for days in LIFETIME_DAYS],
        coerce=int,
        initial=90,
        help_text="Every token expires; a year at most. Make a new one when it does.",
    )

    class Meta:
        model = ApiToken
        fields = ["name", "scope"]
        labels = {"name": "Name", "scope": "Access"}
        help_texts = {
            "name": "What the token is for, so you can tell your tokens apart, e.g. 'Outcomes export'.",
            "scope": "Read only, unless the script must change something (acknowledging safety alerts).",
        }
        widgets = {"scope": forms.RadioSelect}
        error_messages = {"name": {"required": "Give the token a name, e.g. 'Outcomes export'."}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scope"].initial = TokenScope.READ
