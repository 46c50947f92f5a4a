from datetime import timedelta

import pytest
from django.urls import reverse

from kapstone.audit.models import AuditEvent
from kapstone.pathway import preparation
from kapstone.pathway.models import Escort, Goal, Intention, PreparationSession
from kapstone.pathway.services import open_episode

from ..factories import make_client
from .helpers import name_escort, pathway_gap_codes, prepare, staff_request


@pytest.fixture
def episode(world, scoped):
    return world.client.episodes.first()


def test_a_session_records_goals_and_intentions_in_the_clients_words(episode, world):
    therapist = world.members["therapist"]
    session = prepare(episode, therapist, intentions="Meet the grief instead of running from it.")
    assert session.therapist == therapist and session.recorded_by == therapist.user
    assert Goal.objects.get(episode=episode).preparation_session == session
    assert Intention.objects.get(episode=episode).text == "Meet the grief instead of running from it."
    actions = set(AuditEvent.objects.filter(client_id=episode.client_id).values_list("action", flat=True))
    assert {
        "pathway.preparation.recorded",
        "pathway.goals.recorded",
        "pathway.intentions.recorded",
    } <= actions
    # the audit trail holds ids, never the client's words
    assert not AuditEvent.objects.filter(data__icontains="grief").exists()


def test_revisiting_keeps_the_history_and_skips_unchanged_text(episode, world):
    request = staff_request(world.members["therapist"])
    preparation.revise_words(request, episode, goals="Feel like myself.", intentions="Stay curious.")
    goal, intention = preparation.revise_words(
        request, episode, goals="Feel like myself.", intentions="Let go of control for a while."
    )
    assert goal is None  # unchanged: no new version
    assert intention.text == "Let go of control for a while."
    texts = list(Intention.objects.filter(episode=episode).values_list("text", flat=True))
    assert texts == ["Let go of control for a while.", "Stay curious."]  # newest first, old one kept
    assert preparation.current(Intention, episode).text == "Let go of control for a while."


def test_a_session_in_the_future_or_in_a_closed_episode_is_refused(episode, world):
    therapist = world.members["therapist"]
    request = staff_request(therapist)
    tomorrow = world.practice.today() + timedelta(days=1)
    with pytest.raises(preparation.PreparationError, match="after it took place"):
        preparation.record_preparation_session(request, episode, held_on=tomorrow, therapist=therapist)
    episode.state = "closed"
    with pytest.raises(preparation.PreparationError, match="closed"):
        preparation.record_preparation_session(
            request, episode, held_on=world.practice.today(), therapist=therapist
        )
    with pytest.raises(preparation.PreparationError, match="member of this practice"):
        episode.state = "preparation"
        preparation.record_preparation_session(
            request, episode, held_on=world.practice.today(), therapist=world.other_members["therapist"]
        )


def test_preparation_is_ready_with_a_session_and_intentions(episode, world):
    therapist = world.members["therapist"]
    assert "pathway.preparation" in pathway_gap_codes(episode)
    prepare(episode, therapist, intentions="")
    from kapstone.pathway.readiness import readiness_gaps

    gap = next(gap for gap in readiness_gaps(episode) if gap.code == "pathway.preparation")
    assert gap.label == "Intentions not recorded yet (1 preparation session done)"
    preparation.revise_words(
        staff_request(therapist), episode, intentions="Breathe, and come back to the music."
    )
    assert "pathway.preparation" not in pathway_gap_codes(episode)


def test_the_escort_is_named_with_a_phone_and_changes_are_audited(episode, world):
    therapist = world.members["therapist"]
    assert "pathway.escort" in pathway_gap_codes(episode)
    name_escort(episode, therapist)
    assert "pathway.escort" not in pathway_gap_codes(episode)
    preparation.save_escort(
        staff_request(therapist),
        episode,
        name="Jamie Rivera",
        relationship="partner",
        phone="+1 555 010 0200",
    )
    assert Escort.objects.get(episode=episode).phone == "+1 555 010 0200"
    events = AuditEvent.objects.filter(action="pathway.escort.saved").order_by("seq")
    assert [event.data["fields"] for event in events] == [["name", "relationship", "phone"], ["phone"]]
    with pytest.raises(preparation.PreparationError, match="name and a phone"):
        preparation.save_escort(staff_request(therapist), episode, name="Jamie", phone=" ")


# --- pages -------------------------------------------------------------------------------------


def prep_url(client_record, episode, name="pathway:preparation"):
    return reverse(name, args=[client_record.pk, episode.pk])


def test_a_therapist_records_a_session_on_the_page(client, episode, world):
    therapist = world.members["therapist"]
    client.force_login(therapist.user)
    page = client.get(prep_url(world.client, episode))
    assert page.status_code == 200 and "No preparation session recorded yet" in page.content.decode()
    response = client.post(
        prep_url(world.client, episode),
        {
            "session-held_on": world.practice.today().isoformat(),
            "session-therapist": therapist.pk,
            "session-notes": "Explored expectations.",
            "session-goals": "Be kinder to myself.",
            "session-intentions": "Ask what I need to forgive myself for.",
        },
    )
    assert response.status_code == 302
    page = client.get(prep_url(world.client, episode)).content.decode()
    assert "Be kinder to myself." in page and "Ask what I need to forgive myself for." in page
    assert PreparationSession.objects.filter(episode=episode).count() == 1


def test_bad_session_input_is_refused_next_to_the_field_and_kept(client, episode, world):
    client.force_login(world.members["therapist"].user)
    tomorrow = world.practice.today() + timedelta(days=1)
    response = client.post(
        prep_url(world.client, episode),
        {"session-held_on": tomorrow.isoformat(), "session-intentions": "Stay curious."},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "record a session once it has taken place" in page
    assert "This field is required" in page  # the therapist
    assert "Stay curious." in page
    assert not PreparationSession.objects.filter(episode=episode).exists()
    response = client.post(prep_url(world.client, episode), {"session-held_on": "31/02/2026"})
    assert "Enter a valid date" in response.content.decode()


def test_revisiting_with_nothing_changed_says_so(client, episode, world):
    client.force_login(world.members["therapist"].user)
    preparation.revise_words(staff_request(world.members["therapist"]), episode, goals="Travel again.")
    response = client.post(
        prep_url(world.client, episode, "pathway:revisit"),
        {"words-goals": "Travel again.", "words-intentions": ""},
    )
    assert "Nothing changed" in response.content.decode()
    response = client.post(
        prep_url(world.client, episode, "pathway:revisit"),
        {"words-goals": "Travel again.", "words-intentions": "Notice where the fear sits."},
    )
    assert response.status_code == 302
    assert preparation.current(Intention, episode).text == "Notice where the fear sits."


def test_a_monitor_reads_preparation_but_cannot_record_it(client, episode, world):
    client.force_login(world.members["monitor"].user)
    assert client.get(prep_url(world.client, episode)).status_code == 200
    response = client.post(prep_url(world.client, episode), {"session-held_on": "2026-01-01"})
    assert response.status_code == 403


def test_the_escort_page_shows_the_day_of_rule_and_checks_the_phone(client, episode, world):
    client.force_login(world.members["front_desk"].user)
    url = reverse("pathway:escort", args=[world.client.pk, episode.pk])
    page = client.get(url).content.decode()
    assert "does not drive" in page and "until the next day" in page
    response = client.post(url, {"name": "Robin Ashdown", "relationship": "sister", "phone": "call me"})
    page = response.content.decode()
    assert "Use digits, spaces" in page and 'value="Robin Ashdown"' in page
    response = client.post(url, {"name": "Robin Ashdown", "relationship": "sister", "phone": "555 12"})
    assert "at least 7 digits" in response.content.decode()
    response = client.post(
        url, {"name": "Robin Ashdown", "relationship": "sister", "phone": "+1 (555) 010-0142"}
    )
    assert response.status_code == 302
    assert Escort.objects.get(episode=episode).phone == "+1 (555) 010-0142"


def test_an_episode_of_another_client_is_not_found(client, world, scoped):
    other = open_episode(None, make_client(world.practice, care_team=[world.members["therapist"]]))
    client.force_login(world.members["therapist"].user)
    assert client.get(reverse("pathway:preparation", args=[world.client.pk, other.pk])).status_code == 404
