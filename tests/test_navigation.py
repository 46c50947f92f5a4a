"""The side navigation comes from one list: each member sees the entries their role may open, and
the page they are on is marked for assistive technology."""

import re

import pytest
from django.urls import reverse

from kapstone.home.navigation import NAVIGATION
from kapstone.practice.permissions import can


def nav_of(html: str) -> list[tuple[str, bool]]:
    nav = html[html.index('<nav id="sidenav"') : html.index("</nav>")]
    return [
        (re.sub(r" \(\d+\)$", "", label), bool(current))
        for current, label in re.findall(r'<li><a href="[^"]+"( aria-current="page")?>([^<]+)</a></li>', nav)
    ]


@pytest.mark.parametrize("role", ["admin", "prescriber", "therapist", "monitor", "front_desk"])
def test_each_role_sees_exactly_the_entries_it_may_open(client, world, role):
    member = world.members[role]
    client.force_login(member.user)
    shown = [label for label, _ in nav_of(client.get(reverse("home:index")).content.decode())]
    expected = [i.label for i in NAVIGATION if i.capability is None or can(member, i.capability)]
    assert shown == expected
    for item in NAVIGATION:
        if item.label in shown:  # every entry shown opens for this role
            assert client.get(reverse(item.view)).status_code == 200, item.view


def test_the_front_desk_sees_no_clinical_entries(client, world):
    client.force_login(world.members["front_desk"].user)
    shown = {label for label, _ in nav_of(client.get(reverse("home:index")).content.decode())}
    assert "Home" in shown and not shown & {"Live board", "Safety alerts", "Outcomes", "Screening"}


def test_the_current_page_is_marked(client, world):
    client.force_login(world.members["admin"].user)
    html = client.get(reverse("scheduling:week")).content.decode()
    assert [label for label, current in nav_of(html) if current] == ["Calendar"]
    html = client.get(reverse("practice:staff")).content.decode()
    assert [label for label, current in nav_of(html) if current] == ["Staff"]
