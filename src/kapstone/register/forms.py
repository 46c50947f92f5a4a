"""Forms collect and tidy input; the register's rules live in ``services`` and ``counts``."""

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone

from kapstone.practice.models import Membership, Practice

from .access import NAMEABLE_ROLES, WITNESS_ROLES
from .models import (
    Container,
    ContainerState,
    Count,
    CountLine,
    Location,
    LossReport,
    Product,
    RegisterSettings,
    StoragePlace,
)
from .reports import REPORT_TITLES
from .services import RegisterError

AMOUNT: dict[str, Any] = {"max_digits": 12, "decimal_places": 3, "min_value": 0}


def add_error(form: forms.Form, error: RegisterError) -> None:
    """Put a refused movement's reason next to the field it concerns (else at the top)."""
    form.add_error(error.field if error.field in form.fields else None, error.message)


def local_now(practice: Practice) -> datetime:
    return timezone.localtime(timezone.now(), practice.zone)


class MemberField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Membership) -> str:
        return f"{obj.user.full_name or obj.user.email} ({obj.get_role_display()})"


class ContainerField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Container) -> str:
        return f"{obj.code}: {obj.product}, lot {obj.lot}, holds {obj.amount(obj.balance)}"


class WhenMixin(forms.Form):
    """A date and a wall-clock time in the practice's zone, prefilled with now."""

    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}), help_text="Practice time.")

    def set_now(self, practice: Practice) -> None:
        self.practice = practice
        now = local_now(practice)
        self.fields["date"].initial = now.date()
        self.fields["time"].initial = now.strftime("%H:%M")

    def when(self) -> datetime:
        return datetime.combine(
            self.cleaned_data["date"], self.cleaned_data["time"], tzinfo=self.practice.zone
        )


class LocationForm(forms.ModelForm):
    class Meta:
        model = Location
        fields = ["name", "address", "dea_number", "dea_expires_on", "is_active"]
        widgets = {
            "dea_expires_on": forms.DateInput(attrs={"type": "date"}),
            "address": forms.Textarea({"rows": 3}),
        }
        labels = {"is_active": "In use"}

    def clean_dea_number(self) -> str:
        return self.cleaned_data["dea_number"].strip().upper()


class StorageForm(forms.ModelForm):
    class Meta:
        model = StoragePlace
        fields = ["name", "kind"]


class ProductForm(forms.ModelForm):
    class Meta:
        model = Product
        fields = ["substance", "name", "ndc", "form", "strength_mg", "per_container", "is_active"]
        labels = {"is_active": "In use"}
        help_texts = {"ndc": "From the package, with its hyphens, e.g. 12345-678-90. kapstone ships no NDCs."}

    # What a received container holds is history: its entries' mg were computed from these.
    FIXED_ONCE_RECEIVED = ("substance", "form", "strength_mg", "per_container")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.instance.pk and self.instance.containers.exists():
            for name in self.FIXED_ONCE_RECEIVED:
                if name in self.changed_data:
                    self.add_error(
                        name, "Containers of this product were received: add a new product for another form."
                    )
        return data


class SettingsForm(forms.ModelForm):
    handlers = forms.ModelMultipleChoiceField(
        queryset=Membership.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Monitors and therapists (nurses) who may move stock",
        help_text="Admins and prescribers always may.",
    )

    class Meta:
        model = RegisterSettings
        fields = ["retention_years"]

    def __init__(self, *args: Any, practice: Practice, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = Membership.objects.active().filter(practice=practice, role__in=NAMEABLE_ROLES)
        self.fields["handlers"].queryset = members.select_related("user")
        self.fields["handlers"].label_from_instance = lambda m: f"{m.user.full_name} ({m.get_role_display()})"


class ReceiptForm(forms.Form):
    location = forms.ModelChoiceField(queryset=Location.objects.none())
    received_on = forms.DateField(
        label="Date actually received", widget=forms.DateInput(attrs={"type": "date"})
    )
    invoice_number = forms.CharField(max_length=60)
    supplier_name = forms.CharField(max_length=200)
    supplier_address = forms.CharField(widget=forms.Textarea({"rows": 3}))
    supplier_dea_number = forms.CharField(label="Supplier DEA number", max_length=9)
    received_by = MemberField(queryset=Membership.objects.none())
    note = forms.CharField(required=False, widget=forms.Textarea({"rows": 2}))

    def __init__(self, *args: Any, practice: Practice, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.practice = practice
        self.fields["location"].queryset = Location.objects.filter(is_active=True)
        members = Membership.objects.active().filter(practice=practice, role__in=WITNESS_ROLES)
        self.fields["received_by"].queryset = members.select_related("user")
        self.fields["received_by"].initial = membership.pk
        self.fields["received_on"].initial = practice.today()

    def clean_supplier_dea_number(self) -> str:
        value = self.cleaned_data["supplier_dea_number"].strip().upper()
        Location._meta.get_field("dea_number").run_validators(value)
        return value

    def clean_received_on(self) -> date:
        day = self.cleaned_data["received_on"]
        if day > self.practice.today():
            raise forms.ValidationError("A receipt is recorded on the day it arrived, not before.")
        return day


class ReceiptLineForm(forms.Form):
    product = forms.ModelChoiceField(queryset=Product.objects.none(), required=False)
    containers = forms.IntegerField(min_value=1, max_value=500, required=False, label="Number of containers")
    lot = forms.CharField(max_length=60, required=False)
    expires_on = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    storage = forms.ModelChoiceField(queryset=StoragePlace.objects.none(), required=False, label="Stored in")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = Product.objects.filter(is_active=True)
        storage = StoragePlace.objects.filter(is_active=True).select_related("location")
        self.fields["storage"].queryset = storage
        self.fields["storage"].label_from_instance = lambda s: f"{s.location.name}: {s}"

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("product"):
            for name in ("containers", "lot", "expires_on", "storage"):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, "Required for each product received.")
        return data


class BaseReceiptLines(forms.BaseFormSet):
    def clean(self) -> None:
        super().clean()
        if not any(form.cleaned_data.get("product") for form in self.forms if hasattr(form, "cleaned_data")):
            raise forms.ValidationError("List at least one product received.")


ReceiptLines = forms.formset_factory(ReceiptLineForm, formset=BaseReceiptLines, extra=3, max_num=3)


class WitnessMixin(forms.Form):
    witness = MemberField(queryset=Membership.objects.none(), help_text="A second staff member, present now.")
    witness_password = forms.CharField(
        label="Witness's password",
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
        help_text="The witness types their own password to confirm.",
    )

    def set_witnesses(self, practice: Practice, membership: Membership) -> None:
        members = Membership.objects.active().filter(practice=practice, role__in=WITNESS_ROLES)
        self.fields["witness"].queryset = members.exclude(pk=membership.pk).select_related("user")


class WasteForm(WitnessMixin):
    quantity = forms.DecimalField(label="Amount wasted", **AMOUNT)
    manner = forms.CharField(
        max_length=200, help_text="e.g. into the drug-waste container, rendered unusable."
    )
    note = forms.CharField(required=False, widget=forms.Textarea({"rows": 2}))

    field_order = ["quantity", "manner", "note", "witness", "witness_password"]

    def __init__(
        self, *args: Any, container: Container, practice: Practice, membership: Membership, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields[
            "quantity"
        ].help_text = f"In {container.product.measure_label}; it holds {container.amount(container.balance)}."
        self.set_witnesses(practice, membership)


class TransferForm(forms.Form):
    to_storage = forms.ModelChoiceField(queryset=StoragePlace.objects.none(), label="Move to")
    note = forms.CharField(required=False, widget=forms.Textarea({"rows": 2}))

    def __init__(self, *args: Any, container: Container, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        places = StoragePlace.objects.filter(is_active=True, location__is_active=True).exclude(
            pk=container.storage_id
        )
        self.fields["to_storage"].queryset = places.select_related("location")
        self.fields["to_storage"].label_from_instance = lambda s: f"{s.location.name}: {s}"


class ReturnForm(forms.Form):
    distributor = forms.CharField(
        label="Reverse distributor",
        widget=forms.Textarea({"rows": 3}),
        help_text="Name, address and DEA number.",
    )
    reference = forms.CharField(
        max_length=120, help_text="The reverse distributor's reference for this return."
    )
    note = forms.CharField(required=False, widget=forms.Textarea({"rows": 2}))


class DestroyForm(WitnessMixin):
    form_41_reference = forms.CharField(label="DEA Form 41 reference", max_length=120)
    manner = forms.CharField(max_length=200, label="Manner of destruction")

    field_order = ["form_41_reference", "manner", "witness", "witness_password"]

    def __init__(self, *args: Any, practice: Practice, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_witnesses(practice, membership)


class LossForm(WhenMixin):
    kind = forms.ChoiceField(choices=LossReport.Kind.choices, widget=forms.RadioSelect)
    quantity = forms.DecimalField(label="Amount missing", **AMOUNT)
    description = forms.CharField(
        widget=forms.Textarea({"rows": 4}), help_text="What is missing and how it was found."
    )

    field_order = ["kind", "quantity", "description", "date", "time"]

    def __init__(self, *args: Any, container: Container, practice: Practice, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_now(practice)
        self.fields["date"].label = "Discovered on"
        self.fields["quantity"].initial = container.balance
        self.fields["quantity"].help_text = f"It should hold {container.amount(container.balance)}."


class SetAsideForm(forms.Form):
    state = forms.ChoiceField(
        choices=[(ContainerState.QUARANTINED, "Quarantined"), (ContainerState.EXPIRED, "Expired")],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(widget=forms.Textarea({"rows": 2}))


class CorrectionForm(forms.Form):
    corrected = forms.DecimalField(label="What the entry should have recorded", **AMOUNT)
    reason = forms.CharField(label="What was wrong", widget=forms.Textarea({"rows": 2}))


class CountStartForm(forms.Form):
    location = forms.ModelChoiceField(queryset=Location.objects.none())
    kind = forms.ChoiceField(choices=Count.Kind.choices, widget=forms.RadioSelect)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = Location.objects.filter(is_active=True)


class CountForm(WhenMixin):
    """One counted amount and method per container on hand, plus when and at which time of business."""

    business_time = forms.ChoiceField(choices=Count.BusinessTime.choices, widget=forms.RadioSelect)
    note = forms.CharField(required=False, widget=forms.Textarea({"rows": 2}))

    def __init__(
        self, *args: Any, practice: Practice, containers: Iterable[Container], kind: str, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.set_now(practice)
        self.containers = list(containers)
        if kind == Count.Kind.AD_HOC:
            self.fields["business_time"].initial = Count.BusinessTime.SHIFT
        for container in self.containers:
            self.fields[f"counted_{container.pk}"] = forms.DecimalField(
                label=f"{container.code} found ({container.product.measure_label})",
                help_text=(
                    f"{container.product}, lot {container.lot}, "
                    f"{container.get_state_display().lower()}, in {container.storage}."
                ),
                **AMOUNT,
            )
            self.fields[f"method_{container.pk}"] = forms.ChoiceField(
                label=f"{container.code} counted by",
                choices=CountLine.Method.choices,
                initial=CountLine.Method.EXACT,
            )

    def lines(self) -> list[tuple[Container, Decimal, str]]:
        data = self.cleaned_data
        return [(c, data[f"counted_{c.pk}"], data[f"method_{c.pk}"]) for c in self.containers]


class ExplainForm(forms.Form):
    explanation = forms.CharField(
        widget=forms.Textarea({"rows": 4}), help_text="Who looked, what was found, why."
    )
    adjust = forms.BooleanField(
        required=False, label="The count was right: set the register balance to what was counted"
    )


class TaskDoneForm(forms.Form):
    reference = forms.CharField(
        max_length=120, help_text="e.g. the notice's date and recipient, or the Form 106 number."
    )


class ReportForm(forms.Form):
    kind = forms.ChoiceField(choices=list(REPORT_TITLES.items()), label="Report")
    start = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", "The period ends before it starts.")
        return data
