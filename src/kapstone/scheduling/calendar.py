"""The staff calendar as an HTML table: one column per clinician, room or day; one row per half hour.

The grid is wall-clock time in the practice's zone. Each appointment is placed by its local start
and end, so 09:00 stays in the 09:00 row on both sides of a daylight-saving change, and the ranges
queried are local midnights (a DST week is 167 or 169 hours). Appointments that share rows in one
column (touching ends, or a clinician shown in a room column) share one cell, so the table never
breaks; each cell lists its appointments with their exact times. No JavaScript, no inline styles:
row spans carry the length.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Exists, OuterRef, Value
from django.urls import reverse

from kapstone.clients.models import CareTeamMember
from kapstone.practice.permissions import Capability, can

from .models import Appointment, AppointmentStatus, Room
from .queries import day_range, with_people
from .services import bookable_clinicians

SLOT_MINUTES = 30
DAY_MINUTES = 24 * 60


@dataclass
class Entry:
    """One appointment as a calendar shows it to one viewer."""

    appointment: Appointment
    start: datetime  # local
    end: datetime  # local
    label: str  # the client's name, or "Client appointment" when the viewer may not see the client
    url: str | None
    clinicians: str
    room: str

    @property
    def kind(self) -> str:
        return self.appointment.kind

    @property
    def times(self) -> str:
        """Local start and end; the day when it ends on another, the zones when the clocks change."""
        start, end = f"{self.start:%H:%M}", f"{self.end:%H:%M}"
        if self.end.date() != self.start.date():
            end = f"{self.end:%a} {end}"
        if self.start.utcoffset() != self.end.utcoffset():
            start, end = f"{start} {self.start:%Z}", f"{end} {self.end:%Z}"
        return f"{start}\u2013{end}"

    @property
    def status(self) -> str:
        return self.appointment.status


@dataclass
class Column:
    key: str
    heading: str
    day: date
    subheading: str = ""
    entries: list[Entry] = field(default_factory=list)


@dataclass
class Cell:
    rowspan: int = 1
    entries: list[Entry] = field(default_factory=list)


@dataclass
class Row:
    label: str
    on_the_hour: bool
    cells: list[Cell | None]  # None: covered by a cell spanning from an earlier row


def appointments_between(membership, start, end, *, clinician=None, room=None):
    """Appointments (not cancelled) overlapping [start, end), annotated ``visible`` for the viewer."""
    appointments = Appointment.objects.overlapping(start, end).exclude(status=AppointmentStatus.CANCELLED)
    if clinician is not None:
        appointments = appointments.filter(clinician_links__membership=clinician)
    if room is not None:
        appointments = appointments.filter(room=room)
    if can(membership, Capability.SEE_ALL_CLIENTS):
        appointments = appointments.annotate(visible=Value(True))
    else:
        on_team = CareTeamMember.objects.filter(client=OuterRef("client"), membership=membership)
        appointments = appointments.annotate(visible=Exists(on_team))
    return with_people(appointments).order_by("starts_at", "pk")


def entry(appointment, zone) -> Entry:
    links = getattr(appointment, "clinician_list", [])
    visible = getattr(appointment, "visible", False)
    return Entry(
        appointment=appointment,
        start=appointment.starts_at.astimezone(zone),
        end=appointment.ends_at.astimezone(zone),
        label=appointment.client.display_name if visible else "Client appointment",
        url=reverse("scheduling:detail", args=[appointment.client_id, appointment.pk]) if visible else None,
        clinicians=", ".join(link.membership.user.full_name for link in links),
        room=appointment.room.name if appointment.room else "",
    )


def _minutes_on(moment: datetime, day: date) -> int:
    """Wall-clock minutes of a local ``moment`` counted from ``day``'s midnight, clipped to the day."""
    if moment.date() < day:
        return 0
    if moment.date() > day:
        return DAY_MINUTES
    return moment.hour * 60 + moment.minute


def _floor(minutes: int, step: int) -> int:
    return minutes - minutes % step


def _ceil(minutes: int, step: int) -> int:
    return -(-minutes // step) * step


def hours_shown(columns, day_starts: time, day_ends: time) -> tuple[int, int]:
    """[first, last) minute of the grid: the practice's day, grown to fit every appointment."""
    first = day_starts.hour * 60 + day_starts.minute
    last = day_ends.hour * 60 + day_ends.minute or DAY_MINUTES
    for column in columns:
        for item in column.entries:
            first = min(first, _minutes_on(item.start, column.day))
            last = max(last, _minutes_on(item.end, column.day))
    first, last = _floor(first, 60), min(_ceil(last, 60), DAY_MINUTES)
    return first, max(last, first + 60)


def build_rows(columns, day_starts: time, day_ends: time) -> list[Row]:
    first, last = hours_shown(columns, day_starts, day_ends)
    count = (last - first) // SLOT_MINUTES
    grid: list[list[Cell | None]] = [[Cell() for _ in columns] for _ in range(count)]
    for c, column in enumerate(columns):
        spans = []
        for item in sorted(column.entries, key=lambda e: (e.start, e.end)):
            top = (_minutes_on(item.start, column.day) - first) // SLOT_MINUTES
            end_minute = max(_minutes_on(item.end, column.day), _minutes_on(item.start, column.day) + 1)
            bottom = _ceil(end_minute - first, SLOT_MINUTES) // SLOT_MINUTES
            top, bottom = max(top, 0), min(max(bottom, top + 1), count)
            if spans and top < spans[-1][1]:  # shares rows with the previous cell: merge
                spans[-1][1] = max(spans[-1][1], bottom)
                spans[-1][2].append(item)
            else:
                spans.append([top, bottom, [item]])
        for top, bottom, items in spans:
            grid[top][c] = Cell(rowspan=bottom - top, entries=items)
            for r in range(top + 1, bottom):
                grid[r][c] = None
    rows = []
    for r in range(count):
        minute = first + r * SLOT_MINUTES
        rows.append(Row(f"{minute // 60:02d}:{minute % 60:02d}", minute % 60 == 0, grid[r]))
    return rows


def day_columns(practice, membership, day, by: str, *, clinician=None, room=None):
    """Columns for one day: every clinician (or room), or just the one chosen."""
    zone = practice.zone
    start, end = day_range(practice, day)
    items = [
        entry(a, zone) for a in appointments_between(membership, start, end, clinician=clinician, room=room)
    ]
    if by == "room":
        rooms = [room] if room is not None else list(Room.objects.filter(is_active=True))
        columns = {r.pk: Column(f"room-{r.pk}", r.name, day, r.get_kind_display()) for r in rooms}
        loose = Column("room-none", "No room", day)
        for item in items:
            target = columns.get(item.appointment.room_id)
            if target is None and item.appointment.room_id is not None:
                target = columns[item.appointment.room_id] = Column(
                    f"room-{item.appointment.room_id}", item.room, day, "inactive"
                )
            (target or loose).entries.append(item)
        result = list(columns.values())
        return [*result, loose] if loose.entries else result
    members = [clinician] if clinician is not None else list(bookable_clinicians(practice))
    columns = {m.pk: Column(f"member-{m.pk}", m.user.full_name, day, m.get_role_display()) for m in members}
    for item in items:
        for link in item.appointment.clinician_list:
            if link.membership_id in columns:
                columns[link.membership_id].entries.append(item)
    return list(columns.values())


def week_columns(practice, membership, monday, *, clinician=None, room=None):
    """Seven columns, Monday to Sunday, for one clinician or one room."""
    zone = practice.zone
    start, end = day_range(practice, monday, 7)
    days = [monday + timedelta(days=n) for n in range(7)]
    columns = [Column(f"day-{d.isoformat()}", f"{d:%a} {d.day} {d:%b}", d) for d in days]
    for appointment in appointments_between(membership, start, end, clinician=clinician, room=room):
        item = entry(appointment, zone)
        for column in columns:
            if item.start.date() <= column.day <= item.end.date() and not (
                item.end.date() == column.day
                and item.end.time() == time(0)
                and item.start.date() < column.day
            ):
                column.entries.append(item)
    return columns
