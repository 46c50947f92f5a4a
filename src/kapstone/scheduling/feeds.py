"""Calendar feeds: the member's own page to create, regenerate or revoke their secret ICS URL, and the
public feed itself (no sign-in: the secret in the URL is the key; only its SHA-256 is stored)."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from kapstone.audit.services import log_event
from kapstone.practice.permissions import Capability, capability_required
from kapstone.practice.public_links import public_link
from kapstone.practice.tenancy import practice_scope

from . import services
from .ics import build_feed, feed_appointments
from .models import CALENDAR_FEED, CalendarFeed, SchedulingSettings


@capability_required(Capability.VIEW_CLIENT)
def my_feed(request):
    membership = request.membership
    new_url = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action in ("create", "regenerate"):
            token = services.issue_feed(request, membership)
            new_url = request.build_absolute_uri(reverse("scheduling:feed", args=[token]))
        elif action == "revoke":
            if services.revoke_feed(request, membership):
                messages.success(request, "Your calendar feed is revoked: the old address no longer works.")
            return redirect("scheduling:my_feed")
    feed = CalendarFeed.objects.filter(membership=membership).first()
    context = {
        "feed": feed,
        "new_url": new_url,
        "webcal_url": new_url.replace("https://", "webcal://").replace("http://", "webcal://")
        if new_url
        else None,
        "settings": SchedulingSettings.for_practice(request.practice),
    }
    return render(request, "scheduling/my_feed.html", context)


@public_link(CALENDAR_FEED, CalendarFeed.objects.by_link, page=False)
@require_safe
def feed(request, found, token):
    membership = found.membership
    with practice_scope(found.practice):
        appointments = list(feed_appointments(membership))

        def link(appointment):
            return request.build_absolute_uri(
                reverse("scheduling:detail", args=[appointment.client_id, appointment.pk])
            )

        body = build_feed(membership, appointments, link=link)
        log_event(
            request,
            "scheduling.feed.fetched",
            obj=membership,
            actor=membership.user,
            practice=found.practice,
            data={"events": len(appointments)},
        )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="kapstone.ics"'
    return response
