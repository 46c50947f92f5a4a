"""The front desk's side: inquiry list, triage, converting an inquiry into a client."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kapstone.audit.models import AuditEvent
from kapstone.clients.models import Client
from kapstone.measures.models import Assignment
from kapstone.pathway.models import EpisodeTransition
from kapstone.screening import services
from kapstone.screening.models import Inquiry, InquiryStatus, Intake

from ..factories import make_member, make_practice


def make_inquiry(practice, **fields):
    fields.setdefault("name", "Robin Example")
    fields.setdefault("email", "robin@example.test")
    fields.setdefault("phone", "+1 555 010 0199")
    fields.setdefault("preferred_contact", "phone")
    fields.setdefault("reason", "Low mood for two years.")
    fields.setdefault("self_check", {"adult": "yes", "psychosis_or_mania": "no"})
    return Inquiry.objects.create(practice=practice, **fields)


def test_the_list_shows_open_inquiries_first_and_filters_by_status(client, world, scoped):
    make_inquiry(world.practice, name="Open Person")
    make_inquiry(world.practice, name="Unfit Person", status=InquiryStatus.NOT_A_FIT)
    make_inquiry(world.other_practice, name="Other Practice Person")
    client.force_login(world.members["front_desk"].user)
    url = reverse("screening:inquiries")
    page = client.get(url).content.decode()
    assert "Open Person" in page and "Unfit Person" not in page and "Other Practice Person" not in page
    assert "Unfit Person" in client.get(url, {"status": "not_a_fit"}).content.decode()
    everything = client.get(url, {"status": "all"}).content.decode()
    assert "Open Person" in everything and "Unfit Person" in everything
    assert AuditEvent.objects.filter(action="screening.inquiries.viewed").count() == 3


def test_the_inquiry_list_costs_the_same_queries_for_5_and_for_60_inquiries(client, db):
    counts = []
    for n in (5, 60):
        practice = make_practice()
        desk = make_member(practice, "front_desk")
        for i in range(n):
            make_inquiry(practice, name=f"Person {i}")
        client.force_login(desk.user)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("screening:inquiries")).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_the_self_check_is_for_clinical_eyes_only(client, world, scoped):
    inquiry = make_inquiry(world.practice)
    url = reverse("screening:inquiry", args=[inquiry.pk])
    client.force_login(world.members["front_desk"].user)
    desk_page = client.get(url).content.decode()
    assert "Low mood for two years." in desk_page
    assert "Are you 18 or older?" not in desk_page and "shown to clinical staff only" in desk_page
    client.force_login(world.members["therapist"].user)
    therapist_page = client.get(url).content.decode()
    assert "Are you 18 or older?" in therapist_page and "Not answered" in therapist_page


def test_triage_records_each_step_and_not_a_fit_needs_a_reason(client, world, scoped):
    inquiry = make_inquiry(world.practice)
    desk = world.members["front_desk"]
    client.force_login(desk.user)
    url = reverse("screening:inquiry", args=[inquiry.pk])
    assert client.post(url, {"status": "contacted", "note": "Called, left a message."}).status_code == 302
    page = client.post(url, {"status": "not_a_fit", "note": ""}).content.decode()
    assert "Say why this inquiry is not a fit" in page
    inquiry.refresh_from_db()
    assert inquiry.status == "contacted" and inquiry.status_changed_by == desk.user
    client.post(url, {"status": "not_a_fit", "note": "Lives abroad; referred to a local service."})
    inquiry.refresh_from_db()
    assert (inquiry.status, inquiry.not_a_fit_reason) == (
        "not_a_fit",
        "Lives abroad; referred to a local service.",
    )
    history = client.get(url).content.decode()
    assert "Called, left a message." in history and "Lives abroad" in history
    assert list(inquiry.triage.values_list("to_status", flat=True)) == ["contacted", "not_a_fit"]
    assert AuditEvent.objects.filter(action="screening.inquiry.triaged").count() == 2


def test_triage_refuses_an_unknown_status(client, world, scoped):
    inquiry = make_inquiry(world.practice)
    client.force_login(world.members["front_desk"].user)
    page = client.post(reverse("screening:inquiry", args=[inquiry.pk]), {"status": "converted"})
    assert "Select a valid choice" in page.content.decode()
    with pytest.raises(services.ScreeningError):
        services.triage_inquiry(None, inquiry, "converted")


def convert_data(world, **changes):
    data = {
        "client-legal_first_name": "Robin",
        "client-legal_last_name": "Example",
        "client-date_of_birth": "1988-04-02",
        "client-email": "robin@example.test",
        "client-phone": "+1 555 010 0199",
        "team-prescriber": str(world.members["prescriber"].pk),
        "team-therapist": "",
    }
    data.update(changes)
    return data


def test_the_front_desk_converts_an_inquiry_into_a_client_in_screening(client, world, scoped):
    inquiry = make_inquiry(world.practice)
    desk = world.members["front_desk"]
    client.force_login(desk.user)
    url = reverse("screening:convert", args=[inquiry.pk])
    form = client.get(url).content.decode()
    assert 'value="Robin"' in form and 'value="Example"' in form  # prefilled from the inquiry
    response = client.post(url, convert_data(world))
    new = Client.objects.get(legal_last_name="Example")
    assert response.status_code == 302 and response["Location"] == reverse("clients:detail", args=[new.pk])
    assert set(new.care_team.values_list("membership", flat=True)) == {
        desk.pk,
        world.members["prescriber"].pk,
    }
    episode = new.episodes.get()
    assert episode.state == "screening"
    assert list(EpisodeTransition.objects.filter(episode=episode).values_list("to_state", flat=True)) == [
        "referred",
        "screening",
    ]
    intake = Intake.objects.get(episode=episode)
    assert intake.answers == {} and not intake.is_complete
    inquiry.refresh_from_db()
    assert (inquiry.status, inquiry.client) == ("converted", new)
    assert Assignment.objects.filter(client=new, point="intake").exists()  # the practice's intake plan
    assert AuditEvent.objects.filter(action="screening.inquiry.converted", client_id=new.pk).exists()
    again = client.get(url)
    assert again.status_code == 302  # a converted inquiry is not converted twice
    with pytest.raises(services.ScreeningError):
        services.convert_inquiry(None, inquiry, None)


def test_converting_with_bad_input_keeps_what_was_typed(client, world, scoped):
    inquiry = make_inquiry(world.practice)
    client.force_login(world.members["front_desk"].user)
    page = client.post(
        reverse("screening:convert", args=[inquiry.pk]), convert_data(world, **{"client-date_of_birth": ""})
    ).content.decode()
    assert "Date of birth: This field is required." in page and 'value="Robin"' in page
    assert not Client.objects.filter(legal_last_name="Example").exists()
    assert Inquiry.objects.get().status == "new"


def test_a_possible_duplicate_client_is_pointed_out(client, world, scoped):
    world.client.email = "robin@example.test"
    world.client.save()
    inquiry = make_inquiry(world.practice)
    client.force_login(world.members["front_desk"].user)
    page = client.get(reverse("screening:convert", args=[inquiry.pk])).content.decode()
    assert "Possibly already a client" in page and world.client.record_number in page
