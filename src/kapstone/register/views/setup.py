"""Setting up the register (admins): registered locations and their storage places, products, and the
register settings (retention, who beyond admins and prescribers may move stock)."""

from uuid import UUID

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from kapstone.accounts.requests import StaffRequest
from kapstone.practice.permissions import Capability, capability_required

from .. import configure
from ..forms import LocationForm, ProductForm, SettingsForm, StorageForm
from ..models import Location, Product, RegisterHandler, RegisterSettings, StoragePlace
from ..rules import rules
from . import posted

CONFIGURE = Capability.CONFIGURE_PRACTICE


@capability_required(CONFIGURE)
def locations(request: StaffRequest) -> HttpResponse:
    form = LocationForm(posted(request))
    if request.method == "POST" and form.is_valid():
        location = configure.save_location(request, form)
        messages.success(request, f"Added {location.name}. Add its locked cabinet or safe below.")
        return redirect("register:location", location.pk)
    found = Location.objects.prefetch_related("storage_places")
    return render(request, "register/locations.html", {"locations": found, "form": form})


@capability_required(CONFIGURE)
def location(request: StaffRequest, location_id: UUID) -> HttpResponse:
    item = get_object_or_404(Location, pk=location_id)
    form = LocationForm(
        posted(request) if "location" in request.POST else None, instance=item, prefix="location"
    )
    storage = StorageForm(posted(request) if "storage" in request.POST else None, prefix="storage")
    if request.method == "POST":
        if "location" in request.POST and form.is_valid():
            configure.save_location(request, form)
            messages.success(request, f"Saved {item.name}.")
            return redirect("register:location", item.pk)
        if "storage" in request.POST and storage.is_valid():
            place = configure.save_storage(request, storage, item)
            messages.success(request, f"Added {place} at {item.name}.")
            return redirect("register:location", item.pk)
    places = StoragePlace.objects.filter(location=item)
    return render(
        request,
        "register/location.html",
        {"location": item, "form": form, "storage": storage, "places": places},
    )


@capability_required(CONFIGURE)
def products(request: StaffRequest) -> HttpResponse:
    form = ProductForm(posted(request))
    if request.method == "POST" and form.is_valid():
        product = configure.save_product(request, form)
        messages.success(request, f"Added {product}.")
        return redirect("register:products")
    return render(request, "register/products.html", {"products": Product.objects.all(), "form": form})


@capability_required(CONFIGURE)
def product(request: StaffRequest, product_id: UUID) -> HttpResponse:
    item = get_object_or_404(Product, pk=product_id)
    form = ProductForm(posted(request), instance=item)
    if request.method == "POST" and form.is_valid():
        configure.save_product(request, form)
        messages.success(request, f"Saved {item}.")
        return redirect("register:products")
    return render(request, "register/product.html", {"product": item, "form": form})


@capability_required(CONFIGURE)
def register_settings(request: StaffRequest) -> HttpResponse:
    instance = RegisterSettings.for_practice(request.practice)
    handlers = RegisterHandler.objects.values_list("membership", flat=True)
    form = SettingsForm(
        posted(request), instance=instance, practice=request.practice, initial={"handlers": list(handlers)}
    )
    if request.method == "POST" and form.is_valid():
        configure.save_settings(request, form)
        messages.success(request, "Saved the register settings.")
        return redirect("register:settings")
    return render(request, "register/settings.html", {"form": form, "minimum": rules().retention_years})
