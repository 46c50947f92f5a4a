"""The practice's programme templates (admins): list, add, change, archive."""

from django.contrib import messages
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render

from kapstone.practice.permissions import Capability, capability_required

from .. import services
from ..forms import ProgrammeForm
from ..models import Programme
from ..programmes import programmes_for

CONFIGURE = Capability.CONFIGURE_PRACTICE


@capability_required(CONFIGURE)
def programme_list(request):
    programmes_for(request.practice)  # a practice's first visit writes the default programmes
    programmes = Programme.objects.annotate(episode_count=Count("episodes")).order_by("-is_active", "name")
    return render(request, "pathway/programmes.html", {"programmes": programmes})


@capability_required(CONFIGURE)
def programme_create(request):
    form = ProgrammeForm(
        request.POST or None, practice=request.practice, initial={"follow_up_months": [1, 3, 6]}
    )
    if request.method == "POST" and form.is_valid():
        programme = services.save_programme(request, form)
        messages.success(request, f"Added the programme {programme.name}.")
        return redirect("pathway:programmes")
    return render(request, "pathway/programme_form.html", {"form": form, "title": "New programme"})


@capability_required(CONFIGURE)
def programme_edit(request, programme_id):
    programme = get_object_or_404(Programme, pk=programme_id)
    form = ProgrammeForm(request.POST or None, instance=programme, practice=request.practice)
    if request.method == "POST" and form.is_valid():
        services.save_programme(request, form)
        messages.success(request, f"Saved the programme {programme.name}.")
        return redirect("pathway:programmes")
    in_use = programme.episodes.count()
    context = {
        "form": form,
        "title": f"Programme: {programme.name}",
        "programme": programme,
        "in_use": in_use,
    }
    return render(request, "pathway/programme_form.html", context)
