"""The staff calendar: day and week views, per clinician and per room, in the practice's time zone."""

from datetime import timedelta
from urllib.parse import urlencode

from django.shortcuts import redirect, render

from kapstone.audit.services import log_event
from kapstone.practice.permissions import Capability, can, capability_required

from ..calendar import build_rows, day_columns, week_columns
from ..forms import CalendarForm
from ..models import Room, SchedulingSettings
from ..services import CLINICIAN_ROLES, bookable_clinicians


def _choices(request, default_clinician=None):
    """The calendar form's values; anything invalid is said on the form and falls back to the default
    (today, by clinician; for a week, ``default_clinician``)."""
    query = request.GET.copy()
    if not query.get("date"):
        query["date"] = request.practice.today().isoformat()
    wants_rooms = query.get("by") == "room" or query.get("room")
    if default_clinician is not None and not query.get("clinician") and not wants_rooms:
        query["by"], query["clinician"] = "clinician", str(default_clinician.pk)
    form = CalendarForm(query, practice=request.practice)
    form.is_valid()
    data = form.cleaned_data
    day = data.get("date") or request.practice.today()
    by = data.get("by") or ("room" if data.get("room") and not data.get("clinician") else "clinician")
    clinician = data.get("clinician") if by == "clinician" else None
    room = data.get("room") if by == "room" else None
    return form, day, by, clinician, room


def _query(**values) -> str:
    return "?" + urlencode({k: v for k, v in values.items() if v not in (None, "")})


def _ids(clinician, room):
    return {"clinician": clinician.pk if clinician else None, "room": room.pk if room else None}


@capability_required(Capability.VIEW_CLIENT)
def calendar_home(request):
    return redirect("scheduling:day")


@capability_required(Capability.VIEW_CLIENT)
def calendar_day(request):
    form, day, by, clinician, room = _choices(request)
    practice = request.practice
    settings = SchedulingSettings.for_practice(practice)
    columns = day_columns(practice, request.membership, day, by, clinician=clinician, room=room)
    rows = build_rows(columns, settings.day_starts_at, settings.day_ends_at)
    ids = _ids(clinician, room)
    log_event(request, "scheduling.calendar.viewed", data={"view": "day", "by": by, "date": day.isoformat()})
    context = {
        "view": "day",
        "form": form,
        "day": day,
        "by": by,
        "columns": columns,
        "rows": rows,
        "count": len({e.appointment.pk for c in columns for e in c.entries}),
        "title": f"{day:%A} {day.day} {day:%B %Y}",
        "previous": _query(date=day - timedelta(days=1), by=by, **ids),
        "next": _query(date=day + timedelta(days=1), by=by, **ids),
        "today": _query(by=by, **ids),
        "other_view": _query(date=day, by=by, **ids),
        "book": _query(date=day, **ids),
        "can_book": can(request.membership, Capability.EDIT_CLIENT),
    }
    return render(request, "scheduling/calendar.html", context)


@capability_required(Capability.VIEW_CLIENT)
def calendar_week(request):
    practice, member = request.practice, request.membership
    # A week is one clinician's or one room's: by default the signed-in clinician's, else the first.
    default = member if member.role in CLINICIAN_ROLES else bookable_clinicians(practice).first()
    form, day, by, clinician, room = _choices(request, default)
    if clinician is None and room is None:  # "rooms" without one chosen, or a choice that was invalid
        room = Room.objects.filter(is_active=True).first() if by == "room" else None
        clinician, by = (None, "room") if room else (default, "clinician")
    monday = day - timedelta(days=day.weekday())
    settings = SchedulingSettings.for_practice(practice)
    columns = week_columns(practice, request.membership, monday, clinician=clinician, room=room)
    rows = build_rows(columns, settings.day_starts_at, settings.day_ends_at)
    ids = _ids(clinician, room)
    whose = clinician.user.full_name if clinician else (room.name if room else "")
    log_event(
        request, "scheduling.calendar.viewed", data={"view": "week", "by": by, "date": monday.isoformat()}
    )
    sunday = monday + timedelta(days=6)
    context = {
        "view": "week",
        "form": form,
        "day": day,
        "by": by,
        "columns": columns,
        "rows": rows,
        "count": len({e.appointment.pk for c in columns for e in c.entries}),
        "title": f"{whose}, week of {monday.day} {monday:%B} to {sunday.day} {sunday:%B %Y}",
        "previous": _query(date=monday - timedelta(days=7), by=by, **ids),
        "next": _query(date=monday + timedelta(days=7), by=by, **ids),
        "today": _query(by=by, **ids),
        "other_view": _query(date=day, by=by, **ids),
        "book": _query(date=day, **ids),
        "can_book": can(request.membership, Capability.EDIT_CLIENT),
        "today_date": practice.today(),
    }
    return render(request, "scheduling/calendar.html", context)
