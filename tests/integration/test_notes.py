from django.urls import reverse
from django.utils import timezone

from kapstone.audit.models import AuditEvent
from kapstone.integration.models import ActionItem, IntegrationNote, PsychotherapyNote
from kapstone.pathway.models import Intention

from ..sessions.builders import discharged_session


def test_a_therapist_writes_an_integration_note_for_a_session_with_the_intentions_beside_it(
    client, world, scoped
):
    session = discharged_session(world.client, world)
    Intention.objects.create(
        practice=world.practice, episode=session.episode, client=world.client, text="To listen to my body."
    )
    client.force_login(world.members["therapist"].user)
    page = client.get(reverse("integration:client", args=[world.client.pk])).content.decode()
    assert "No note yet" in page
    url = reverse("integration:note_new", args=[world.client.pk, session.pk])
    form = client.get(url).content.decode()
    assert "To listen to my body." in form and "Softening the inner critic" in form
    missing = client.post(url, {"held_on": "2026-11-20"}).content.decode()
    assert "Experience summary" in missing and "This field is required." in missing
    response = client.post(
        url,
        {
            "held_on": "2026-11-20",
            "experience_summary": "Warmth in the chest, memories of her grandmother.",
            "themes": ["Reconnecting with emotion", "Softening the inner critic"],
            "insights": "I do not have to earn rest.",
        },
    )
    note = IntegrationNote.objects.get(medicine_session=session)
    assert response["Location"] == reverse("integration:note", args=[world.client.pk, note.pk])
    assert note.themes == ["Reconnecting with emotion", "Softening the inner critic"]
    client.post(
        reverse("integration:client", args=[world.client.pk]),
        {"what": "Rest on Sunday afternoons", "note": str(note.pk)},
    )
    assert ActionItem.objects.get(what="Rest on Sunday afternoons").note == note
    assert AuditEvent.objects.filter(action="integration.note.created", client_id=world.client.pk).exists()


def test_a_psychotherapy_note_is_for_its_author_only(client, world, scoped):
    session = discharged_session(world.client, world)
    note = IntegrationNote.objects.create(
        practice=world.practice,
        client=world.client,
        episode=session.episode,
        medicine_session=session,
        held_on=session.opened_at.date(),
        experience_summary="Quiet session.",
        author=world.members["therapist"].user,
    )
    therapist = world.members["therapist"]
    client.force_login(therapist.user)
    url = reverse("integration:psychotherapy_note", args=[world.client.pk, note.pk])
    client.post(url, {"body": "Countertransference: I felt protective."})
    private = PsychotherapyNote.objects.get(author=therapist.user)
    assert "I felt protective" in client.get(url).content.decode()
    assert AuditEvent.objects.filter(
        action="integration.psychotherapy_note.viewed", object_id=str(private.pk)
    ).exists()

    # The prescriber on the same care team sees the integration note but never the private one.
    client.force_login(world.members["prescriber"].user)
    assert "I felt protective" not in client.get(url).content.decode()
    note_page = client.get(reverse("integration:note", args=[world.client.pk, note.pk])).content.decode()
    assert "Quiet session." in note_page and "I felt protective" not in note_page
    assert "Write a private note" in note_page  # their own, empty
    # The client never sees it either (portal pages hold no psychotherapy notes at all).
    client.force_login(world.client_account.user)
    for name in ("portal:home", "portal:journal", "portal:progress"):
        assert "I felt protective" not in client.get(reverse(name)).content.decode()
    assert client.get(url).status_code == 403


def test_the_chart_shows_the_course_in_time_order(client, world, scoped):
    session = discharged_session(world.client, world, hours_ago=30)
    IntegrationNote.objects.create(
        practice=world.practice,
        client=world.client,
        episode=session.episode,
        medicine_session=session,
        held_on=timezone.localdate(session.opened_at, world.practice.zone),  # the same day
        experience_summary="x",
        insights="Rest is allowed.",
        themes=["Becoming more open"],
        author=world.members["therapist"].user,
    )
    client.force_login(world.members["therapist"].user)
    page = client.get(reverse("clients:detail", args=[world.client.pk])).content.decode()
    timeline = page[page.index("The course at a glance") :]
    assert timeline.index("Medicine session 1") < timeline.index("Integration")
    assert "Rest is allowed." in timeline and "Becoming more open" in timeline


def test_a_practice_adds_its_own_themes_to_the_five(client, world, scoped):
    client.force_login(world.members["admin"].user)
    url = reverse("integration:themes")
    client.post(url, {"label": "  Self-compassion "})
    duplicate = client.post(url, {"label": "softening the inner critic"}).content.decode()
    assert "This theme is already offered." in duplicate
    session = discharged_session(world.client, world)
    client.force_login(world.members["therapist"].user)
    form = client.get(reverse("integration:note_new", args=[world.client.pk, session.pk])).content.decode()
    assert "Self-compassion" in form and "Becoming more open" in form
