import re

import pytest
from django.urls import reverse

from kapstone.audit.models import AuditEvent
from kapstone.pathway.models import ConsentDocument, Episode, EpisodeState, EpisodeTransition, Programme
from kapstone.pathway.programmes import programmes_for
from kapstone.pathway.readiness import CHECKLIST

from .helpers import make_ready, publish, sign_current

S = EpisodeState


@pytest.fixture
def episode(world, scoped):
    return world.client.episodes.first()  # in screening


def url(name, world, episode):
    return reverse(name, args=[world.client.pk, episode.pk])


def text(response):
    return re.sub(r"\s+", " ", response.content.decode())


def test_the_episode_page_shows_the_timeline_and_offers_only_allowed_moves(client, episode, world):
    client.force_login(world.members["therapist"].user)
    page = text(client.get(url("pathway:episode", world, episode)))
    options = re.findall(r'<option value="(\w+)"', page.split('id="id_to_state"')[1].split("</select>")[0])
    assert options == ["eligible", "declined", "paused", "withdrawn"]
    assert "Override reason" not in page  # only admins and prescribers may override
    assert AuditEvent.objects.filter(action="pathway.episode.viewed", object_id=str(episode.pk)).exists()


def test_a_move_needing_a_reason_keeps_what_was_typed(client, episode, world):
    client.force_login(world.members["therapist"].user)
    response = client.post(url("pathway:move", world, episode), {"to_state": "paused", "reason": " "})
    assert response.status_code == 200
    assert "Give a reason for moving the episode to paused" in text(response)
    response = client.post(url("pathway:move", world, episode), {"to_state": "treatment"})
    assert "Select a valid choice" in text(response)
    response = client.post(
        url("pathway:move", world, episode), {"to_state": "paused", "reason": "Travelling for a month"}
    )
    assert response.status_code == 302
    page = text(client.get(url("pathway:episode", world, episode)))
    assert "Screening → Paused" in page and "Why: Travelling for a month" in page
    assert "A therapist (therapist)" in page


def test_unmet_gates_are_listed_with_who_can_complete_them(client, world, scoped):
    episode = world.client.episodes.first()
    Episode.objects.filter(pk=episode.pk).update(state=S.PREPARATION)
    client.force_login(world.members["therapist"].user)
    response = client.post(url("pathway:move", world, episode), {"to_state": "treatment"})
    page = text(response)
    assert response.status_code == 200 and "Some requirements are not met yet." in page
    assert "No escort named for the ride home" in page
    assert "Who can complete it: a clinician or the front desk" in page
    assert "ask an admin or a prescriber" in page
    assert "Override reason" not in page
    episode.refresh_from_db()
    assert episode.state == S.PREPARATION


def test_a_prescriber_overrides_in_writing_and_the_timeline_shows_it(client, world, scoped):
    episode = world.client.episodes.first()
    Episode.objects.filter(pk=episode.pk).update(state=S.PREPARATION)
    client.force_login(world.members["prescriber"].user)
    page = text(client.post(url("pathway:move", world, episode), {"to_state": "treatment"}))
    assert "To move anyway, write why in" in page and "Override reason" in page
    response = client.post(
        url("pathway:move", world, episode),
        {"to_state": "treatment", "override_reason": "Escort confirmed by phone; form to follow."},
    )
    assert response.status_code == 302
    record = EpisodeTransition.objects.get(episode=episode, to_state=S.TREATMENT)
    assert "pathway.escort" in record.overridden_gates
    page = text(client.get(url("pathway:episode", world, episode)))
    assert "Moved although these were missing:" in page
    assert "No escort named for the ride home" in page
    assert "Written reason: Escort confirmed by phone; form to follow." in page


def test_the_episode_is_planned_from_an_active_programme(client, episode, world):
    client.force_login(world.members["therapist"].user)
    programme = programmes_for(world.practice)[0]
    response = client.post(url("pathway:plan", world, episode), {"programme": programme.pk})
    assert response.status_code == 302
    episode.refresh_from_db()
    assert episode.programme == programme
    Programme.objects.filter(pk=programme.pk).update(is_active=False)
    archived = programme
    other = next(p for p in programmes_for(world.practice) if p.pk != archived.pk)
    response = client.post(url("pathway:plan", world, episode), {"programme": "not-a-uuid"})
    assert response.status_code == 200 and "Select a valid choice" in text(response)
    client.post(url("pathway:plan", world, episode), {"programme": other.pk})
    episode.refresh_from_db()
    assert episode.programme == other
    response = client.post(url("pathway:plan", world, episode), {"programme": archived.pk})
    assert "Select a valid choice" in text(response)  # archived programmes are not offered


def test_opening_a_new_episode_for_a_returning_client(client, episode, world):
    client.force_login(world.members["therapist"].user)
    response = client.post(reverse("pathway:open", args=[world.client.pk]), follow=True)
    assert "already has an open episode" in text(response)
    Episode.objects.filter(pk=episode.pk).update(state=S.CLOSED)
    response = client.post(reverse("pathway:open", args=[world.client.pk]))
    new = Episode.objects.filter(client=world.client).exclude(pk=episode.pk).get()
    assert response["Location"] == url("pathway:episode", world, new)
    page = text(client.get(reverse("pathway:episodes", args=[world.client.pk])))
    assert page.count("Episode of ") == 2 and "Open a new episode" not in page


def test_the_readiness_page_always_lists_all_six_items(client, world, scoped):
    episode = world.client.episodes.first()
    client.force_login(world.members["monitor"].user)
    response = client.get(url("pathway:readiness", world, episode))
    page = text(response)
    for item in CHECKLIST:
        assert f'data-code="{item.code}"' in page
    rows = dict(re.findall(r'data-code="([\w.]+)"> <td><span class="tag \w+">([^<]+)</span>', page))
    assert rows["pathway.escort"] == "✗&nbsp;Missing" and rows["pathway.consent"] == "✗&nbsp;Missing"
    assert "Who can complete it" in page and "the client, through a signing link" not in page  # no doc yet
    assert "the practice has not published a consent document yet" in page
    assert "does not drive" in page


def test_readiness_turns_green_for_the_pathways_own_items(client, world, scoped):
    episode = world.client.episodes.first()
    make_ready(episode, world)
    client.force_login(world.members["therapist"].user)
    page = text(client.get(url("pathway:readiness", world, episode)))
    rows = dict(re.findall(r'data-code="([\w.]+)"> <td><span class="tag \w+">([^<]+)</span>', page))
    assert rows["pathway.consent"] == rows["pathway.preparation"] == rows["pathway.escort"] == "✓&nbsp;Met"


def test_the_consent_page_lists_signatures_and_countersigns(client, world, scoped):
    episode = world.client.episodes.first()
    admin = world.members["admin"]
    publish(admin)
    signature = sign_current(episode, admin, countersign=False)
    client.force_login(world.members["therapist"].user)
    page = text(client.get(url("pathway:consent", world, episode)))
    assert "Signed by the client (version 1), not countersigned yet" in page
    assert "Countersign version 1" in page
    detail = text(client.get(reverse("pathway:signature", args=[world.client.pk, signature.pk])))
    assert signature.signed_text_sha256 in detail and "✓ Matches the signed text" in detail
    response = client.post(reverse("pathway:countersign", args=[world.client.pk, signature.pk]))
    assert response.status_code == 302
    signature.refresh_from_db()
    assert signature.countersigned_by == world.members["therapist"].user
    page = text(client.get(url("pathway:consent", world, episode)))
    assert "Signed and countersigned (version 1)" in page


def test_a_monitor_reads_consent_but_cannot_countersign(client, world, scoped):
    episode = world.client.episodes.first()
    publish(world.members["admin"])
    signature = sign_current(episode, world.members["admin"], countersign=False)
    client.force_login(world.members["monitor"].user)
    page = text(client.get(url("pathway:consent", world, episode)))
    assert "Countersign version" not in page and "Create a signing link" not in page
    assert (
        client.post(reverse("pathway:countersign", args=[world.client.pk, signature.pk])).status_code == 403
    )


def test_admins_publish_a_new_consent_version_from_the_current_text(client, world, scoped):
    client.force_login(world.members["admin"].user)
    publish_url = reverse("pathway:consent_publish", args=["treatment"])
    page = text(client.get(publish_url))
    assert "SAMPLE TEXT" in page and "The text below is a sample" in page
    response = client.post(publish_url, {"title": "Consent to KAP", "text": "", "changes": ""})
    assert "This field is required" in text(response)
    client.post(publish_url, {"title": "Consent to KAP", "text": "Version one.", "changes": ""})
    response = client.post(publish_url, {"title": "Consent to KAP", "text": "Version one.", "changes": ""})
    assert "current version unchanged" in text(response)
    response = client.post(
        publish_url, {"title": "Consent to KAP", "text": "Version two.", "changes": "Risks"}
    )
    assert response.status_code == 302
    assert list(ConsentDocument.objects.values_list("version", flat=True).order_by("version")) == [1, 2]
    page = text(client.get(reverse("pathway:consent_documents")))
    assert 'Version 2</a> <span class="tag ok">Current</span>' in page
    assert client.get(reverse("pathway:consent_publish", args=["marketing"])).status_code == 404


def test_the_chart_section_summarises_the_current_episode(rf, world, scoped):
    from django.template.loader import render_to_string

    from kapstone.pathway.chart import chart_context

    episode = world.client.episodes.first()
    make_ready(episode, world)
    request = rf.get("/")
    request.user, request.membership = world.members["therapist"].user, world.members["therapist"]
    request.practice = world.practice
    context = chart_context(request, world.client)
    assert context["pathway"]["episode"] == episode
    html = re.sub(
        r"\s+", " ", render_to_string("pathway/chart_section.html", context | {"client": world.client})
    )
    assert "Feel like myself again." in html and "Stay curious about whatever comes up." in html
    assert "Signed and countersigned (version 1)".lower() in html.lower()
    assert "Episode and timeline" in html
    front_desk = rf.get("/")
    front_desk.user, front_desk.membership = world.members["front_desk"].user, world.members["front_desk"]
    assert chart_context(front_desk, world.client) == {"pathway": None}
