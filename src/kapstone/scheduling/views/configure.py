"""Admin pages: the practice's rooms and chairs, and its scheduling settings."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render

from kapstone.practice.permissions import Capability, capability_required

from .. import services
from ..forms import RoomForm, SettingsForm
from ..models import Room, SchedulingSettings

CONFIGURE = Capability.CONFIGURE_PRACTICE


@capability_required(CONFIGURE)
def rooms(request):
    form = RoomForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        room = services.save_room(request, form)
        messages.success(request, f"Added {room.name}.")
        return redirect("scheduling:rooms")
    return render(request, "scheduling/rooms.html", {"rooms": Room.objects.all(), "form": form})


@capability_required(CONFIGURE)
def room_edit(request, room_id):
    room = get_object_or_404(Room, pk=room_id)
    form = RoomForm(request.POST if request.method == "POST" else None, instance=room)
    if request.method == "POST" and form.is_valid():
        services.save_room(request, form)
        messages.success(request, f"Saved {room.name}.")
        return redirect("scheduling:rooms")
    return render(request, "scheduling/room_edit.html", {"room": room, "form": form})


@capability_required(CONFIGURE)
def settings(request):
    form = SettingsForm(
        request.POST if request.method == "POST" else None,
        instance=SchedulingSettings.for_practice(request.practice),
    )
    if request.method == "POST" and form.is_valid():
        services.save_settings(request, form)
        messages.success(request, "Saved the scheduling settings.")
        return redirect("scheduling:settings")
    return render(request, "scheduling/settings.html", {"form": form})
