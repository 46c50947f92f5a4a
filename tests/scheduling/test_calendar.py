"""The staff calendar: DST-correct days and weeks, per clinician and per room, visibility, bounded queries."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kapstone.scheduling.calendar import Column, Entry, build_rows
from kapstone.scheduling.queries import day_range

from ..factories import make_client
from .conftest import book, ensure_episode, local, make_room


def row(page: str, label: str) -> str:
    """The HTML of the calendar row whose time heading is ``label``."""
    for chunk in page.split("<tr")[1:]:
        if re.search(rf'<th scope="row" class="time-col">{label}</th>', chunk):
            return chunk.split("</tr>")[0]
    raise AssertionError(f"no row {label}")


def test_a_week_across_a_dst_change_is_seven_local_days(world, scoped):
    spring = day_range(world.practice, date(2026, 3, 2), 7)  # America/Chicago: clocks forward 8 March
    autumn = day_range(world.practice, date(2026, 10, 26), 7)  # clocks back 1 November
    assert spring[1].astimezone(UTC) - spring[0].astimezone(UTC) == timedelta(hours=167)
    assert autumn[1].astimezone(UTC) - autumn[0].astimezone(UTC) == timedelta(hours=169)
    assert spring[0].hour == 0 and spring[1].astimezone(world.practice.zone).hour == 0


def test_the_week_view_keeps_local_times_on_both_sides_of_the_change(client, world, scoped):
    p, therapist = world.practice, world.members["therapist"]
    inside = [local(p, 2026, 3, 2, 9, 0), local(p, 2026, 3, 8, 9, 0), local(p, 2026, 3, 8, 23, 0)]
    outside = [local(p, 2026, 3, 1, 23, 0), local(p, 2026, 3, 9, 0, 0)]
    for start in inside + outside:
        book(world.client, start, [therapist], minutes=30)
    assert inside[0].utcoffset() != inside[1].utcoffset()  # CST, then CDT
    client.force_login(therapist.user)
    page = client.get(
        reverse("scheduling:week"), {"date": "2026-03-04", "clinician": therapist.pk}
    ).content.decode()
    assert "3 appointments." in page
    nine = row(page, "09:00")
    assert nine.count("09:00\u201309:30") == 2 and nine.count(world.client.display_name) == 2
    assert "23:00\u201323:30" in row(page, "23:00")
    assert "Mon 2 Mar" in page and "Sun 8 Mar" in page


def test_the_repeated_hour_when_clocks_go_back_shows_both_appointments(client, world, scoped):
    zone, therapist = world.practice.zone, world.members["therapist"]
    first = datetime(2026, 11, 1, 1, 30, tzinfo=zone)  # 01:30 CDT
    second = datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=zone)  # 01:30 CST, an hour later
    assert second.astimezone(UTC) - first.astimezone(UTC) == timedelta(hours=1)
    book(world.client, first, [therapist], minutes=30)
    book(world.client, second, [therapist], minutes=30)
    client.force_login(therapist.user)
    page = client.get(
        reverse("scheduling:day"), {"date": "2026-11-01", "clinician": therapist.pk}
    ).content.decode()
    assert "2 appointments." in page
    both = row(page, "01:30")
    assert "01:30 CDT\u201301:00 CST" in both and "01:30\u201302:00" in both


def test_the_day_view_has_a_column_per_clinician_or_room(client, world, scoped, tomorrow_9):
    room = make_room(world.practice, "Chair A", kind="chair")
    make_room(world.practice, "Room 2")
    book(
        world.client,
        tomorrow_9,
        [world.members["therapist"], world.members["monitor"]],
        minutes=90,
        room=room,
    )
    client.force_login(world.members["front_desk"].user)
    day = tomorrow_9.date().isoformat()
    by_clinician = client.get(reverse("scheduling:day"), {"date": day}).content.decode()
    headings = re.findall(r'<th scope="col">([^<]+)<span class="sub">', by_clinician)
    assert (
        world.members["therapist"].user.full_name in headings
        and world.members["monitor"].user.full_name in headings
    )
    assert world.members["front_desk"].user.full_name not in headings
    nine = row(by_clinician, "09:00")
    assert nine.count('rowspan="3"') == 2 and nine.count("Chair A") == 2
    by_room = client.get(reverse("scheduling:day"), {"date": day, "by": "room"}).content.decode()
    assert re.findall(r'<th scope="col">([^<]+)<span class="sub">', by_room) == ["Chair A", "Room 2"]
    assert "A monitor" in row(by_room, "09:00")


def test_staff_see_names_only_of_clients_they_may_see(client, world, scoped, tomorrow_9):
    room = make_room(world.practice)
    book(world.client, tomorrow_9, [world.members["therapist"]], minutes=60, room=room)
    ensure_episode(world.unassigned_client)
    book(world.unassigned_client, tomorrow_9 + timedelta(hours=1), [world.outsider], minutes=60, room=room)
    params = {"date": tomorrow_9.date().isoformat(), "by": "room"}
    client.force_login(world.members["therapist"].user)
    page = client.get(reverse("scheduling:day"), params).content.decode()
    assert world.client.display_name in page and world.unassigned_client.display_name not in page
    assert "<span>Client appointment</span>" in row(page, "10:00")
    client.force_login(world.members["admin"].user)
    page = client.get(reverse("scheduling:day"), params).content.decode()
    assert world.unassigned_client.display_name in page


def test_touching_appointments_share_a_cell_and_the_grid_grows_to_fit():
    from zoneinfo import ZoneInfo

    zone = ZoneInfo("America/Chicago")
    day = date(2026, 5, 5)

    def item(h, m, minutes):
        start = datetime(2026, 5, 5, h, m, tzinfo=zone)
        return Entry(None, start, start + timedelta(minutes=minutes), "x", None, "", "")

    column = Column("c", "C", day, entries=[item(9, 0, 45), item(9, 45, 45), item(20, 0, 60)])
    rows = build_rows([column], datetime(2026, 1, 1, 8).time(), datetime(2026, 1, 1, 18).time())
    assert rows[0].label == "08:00" and rows[-1].label == "20:30"
    nine = next(r for r in rows if r.label == "09:00")
    assert nine.cells[0].rowspan == 3 and len(nine.cells[0].entries) == 2
    assert next(r for r in rows if r.label == "09:30").cells == [None]


def queries(client, url, params):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("view", ["scheduling:day", "scheduling:week"])
@pytest.mark.parametrize("by", ["clinician", "room"])
def test_the_calendar_costs_the_same_queries_for_3_or_30_appointments(
    client, world, scoped, tomorrow_9, view, by
):
    therapist = world.members["therapist"]
    rooms = [make_room(world.practice, f"Room {n}") for n in range(3)]
    params = {"date": tomorrow_9.date().isoformat(), "by": by}
    if view == "scheduling:week":
        params |= {"clinician": therapist.pk} if by == "clinician" else {"room": rooms[0].pk}
    client.force_login(therapist.user)
    counts, booked = [], 0
    for total in (3, 30):
        for n in range(booked, total):
            other = make_client(world.practice, care_team=[therapist] if n % 2 else [])
            book(other, tomorrow_9 + timedelta(minutes=20 * n), [therapist], minutes=20, room=rooms[n % 3])
        booked = total
        counts.append(queries(client, reverse(view), params))
    assert counts[0] == counts[1]


def test_a_bad_calendar_choice_is_explained_and_today_is_shown(client, world, scoped):
    client.force_login(world.members["monitor"].user)
    page = client.get(reverse("scheduling:day"), {"date": "2026-02-30", "clinician": "nope"}).content.decode()
    assert "Enter a valid date." in page and "Select a valid choice." in page
    assert world.practice.today().strftime("%A") in page


def test_a_week_is_one_clinicians_or_one_rooms(client, world, scoped, tomorrow_9):
    room = make_room(world.practice, "Chair A")
    book(world.client, tomorrow_9, [world.members["prescriber"]], minutes=60, room=room)
    client.force_login(world.members["therapist"].user)
    page = client.get(reverse("scheduling:week")).content.decode()
    assert f"Calendar: {world.members['therapist'].user.full_name}, week of" in page
    assert "0 appointments." in page  # the prescriber's appointment is not the therapist's
    page = client.get(
        reverse("scheduling:week"), {"by": "room", "date": tomorrow_9.date().isoformat()}
    ).content.decode()
    assert "Calendar: Chair A, week of" in page and "1 appointment." in page
