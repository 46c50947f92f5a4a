"""Setting up the register (admins): locations, storage places, products, retention and handlers.

Each save is atomic and writes one audit event; the register's own movements are in ``services``.
"""

from typing import Any

from django.db import transaction
from django.forms import ModelForm

from kapstone.accounts.requests import StaffRequest
from kapstone.audit.services import log_event

from .models import Location, Product, RegisterHandler, RegisterSettings, StoragePlace


def _save(request: StaffRequest, form: ModelForm, action: str, **fields: object) -> Any:
    with transaction.atomic():
        obj = form.save(commit=False)
        for name, value in fields.items():
            setattr(obj, name, value)
        if obj._state.adding and not obj.practice_id:
            obj.practice = request.practice
        obj.save()
        log_event(request, action, obj=obj, data={"fields": sorted(form.changed_data)})
    return obj


def save_location(request: StaffRequest, form: ModelForm) -> Location:
    return _save(request, form, "register.location.saved")


def save_storage(request: StaffRequest, form: ModelForm, location: Location) -> StoragePlace:
    return _save(request, form, "register.storage.saved", location=location)


def save_product(request: StaffRequest, form: ModelForm) -> Product:
    return _save(request, form, "register.product.saved")


def save_settings(request: StaffRequest, form: ModelForm) -> RegisterSettings:
    """Save the retention setting and who, beyond admins and prescribers, may move stock."""
    with transaction.atomic():
        settings = _save(request, form, "register.settings.saved")
        chosen = set(form.cleaned_data["handlers"])
        named = {h.membership: h for h in RegisterHandler.objects.select_related("membership")}
        for membership in chosen - named.keys():
            handler = RegisterHandler.objects.create(
                practice=request.practice, membership=membership, named_by=request.user
            )
            log_event(request, "register.handler.named", obj=handler, data={"membership": str(membership.pk)})
        for membership in named.keys() - chosen:
            log_event(
                request,
                "register.handler.removed",
                obj=named[membership],
                data={"membership": str(membership.pk)},
            )
            named[membership].delete()
    return settings
