import re

import pytest
from django.urls import reverse

from kapstone.audit.models import AuditEvent
from kapstone.clinical.protocols import all_protocols
from kapstone.pathway.models import Programme
from kapstone.pathway.programmes import default_programmes, programmes_for


def text(response):
    return re.sub(r"\s+", " ", response.content.decode())


def form_data(**changes):
    data = {
        "name": "Numinus-style KAP",
        "protocol_id": "intramuscular",
        "preparation_sessions": "2",
        "medicine_sessions": "3",
        "integration_within_hours": "24",
        "min_days_between_medicine_sessions": "7",
        "course_weeks": "6",
        "follow_up_months": "1, 3, 6",
        "description": "",
        "is_active": "on",
    }
    return data | changes


def test_a_practice_starts_with_the_default_programmes(world, scoped):
    programmes = {p.name: p for p in programmes_for(world.practice)}
    sublingual, iv = programmes["Sublingual KAP"], programmes["IV series"]
    assert (sublingual.preparation_sessions, sublingual.medicine_sessions) == (2, 6)
    assert sublingual.integration_within_hours == 72 and sublingual.follow_up_months == [1, 3, 6]
    assert (iv.medicine_sessions, iv.course_weeks, iv.min_days_between_medicine_sessions) == (6, 3, 2)
    assert "6 medicine sessions, each followed by integration within 72 h" in sublingual.summary
    assert "follow-up at 1/3/6 months" in sublingual.summary
    # written once: a second read creates nothing, and another practice gets its own
    assert len(programmes_for(world.practice)) == 2
    assert len(programmes_for(world.other_practice)) == 2
    assert Programme.objects.count() == 4


def test_the_defaults_name_real_protocols_and_fit_their_own_course_length():
    protocol_ids = {protocol.id for protocol in all_protocols()}
    for entry in default_programmes():
        assert entry["protocol_id"] in protocol_ids
        if entry["course_weeks"]:
            spacing = entry["min_days_between_medicine_sessions"]
            assert (entry["medicine_sessions"] - 1) * spacing <= entry["course_weeks"] * 7


def test_an_admin_adds_and_changes_a_programme(client, world, scoped):
    client.force_login(world.members["admin"].user)
    page = text(client.get(reverse("pathway:programmes")))
    assert "Sublingual KAP" in page and "IV series" in page
    response = client.post(reverse("pathway:programme_create"), form_data())
    assert response.status_code == 302
    programme = Programme.objects.get(name="Numinus-style KAP")
    assert programme.follow_up_months == [1, 3, 6] and programme.integration_within_hours == 24
    edit = reverse("pathway:programme_edit", args=[programme.pk])
    assert 'value="1, 3, 6"' in text(client.get(edit))
    client.post(edit, form_data(follow_up_months="6 3", is_active=""))
    programme.refresh_from_db()
    assert programme.follow_up_months == [3, 6] and not programme.is_active
    events = AuditEvent.objects.filter(object_id=str(programme.pk)).order_by("seq")
    actions = list(events.values_list("action", flat=True))
    assert actions == ["pathway.programme.created", "pathway.programme.updated"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": "sublingual kap"}, "already has a programme with this name"),
        ({"protocol_id": "ayahuasca"}, "Select a valid choice"),
        ({"preparation_sessions": "0"}, "Give a number from 1 to 20 sessions"),
        ({"medicine_sessions": "40"}, "Give a number from 1 to 30 sessions"),
        ({"integration_within_hours": "0"}, "Give a number from 1 to 336 hours"),
        ({"follow_up_months": "1, three"}, "Give whole months separated by commas"),
        ({"follow_up_months": "0, 3"}, "each from 1 to 60 months"),
        (
            {"medicine_sessions": "6", "min_days_between_medicine_sessions": "7", "course_weeks": "2"},
            "take at least 35 days",
        ),
    ],
)
def test_bad_programme_input_is_refused_with_a_clear_message(client, world, scoped, changes, message):
    programmes_for(world.practice)
    client.force_login(world.members["admin"].user)
    response = client.post(reverse("pathway:programme_create"), form_data(**changes))
    page = text(response)
    assert response.status_code == 200 and message in page
    assert 'value="Numinus-style KAP"' in page or "sublingual kap" in page  # what was typed is kept
    assert not Programme.objects.filter(name="Numinus-style KAP").exists()


def test_another_practices_programme_is_not_found(client, world, scoped):
    theirs = programmes_for(world.other_practice)[0]
    client.force_login(world.members["admin"].user)
    assert client.get(reverse("pathway:programme_edit", args=[theirs.pk])).status_code == 404
