"""A client with one of everything the FHIR export maps, and the numbers a test checks by hand."""

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from kapstone.integration.models import IntegrationNote, PsychotherapyNote
from kapstone.measures import services as measures
from kapstone.practice.tenancy import scopes_disabled
from kapstone.sessions import recording

from ..pathway.helpers import publish, sign_current
from ..scheduling.conftest import book, local, make_room
from ..sessions.builders import dose, make_session, request_for, vitals

# PHQ-9 answers, items 1-9: 1+2+0+3+1+0+2+1+1 = 11; item 9 above 0 opens a critical alert.
PHQ9_ANSWERS = {1: 1, 2: 2, 3: 0, 4: 3, 5: 1, 6: 0, 7: 2, 8: 1, 9: 1}
PHQ9_TOTAL = 11
DOSE_MG = "150"
VITALS = {"sbp": 132, "dbp": 84, "hr": 88, "spo2": 97, "rr": 16}
PRIVATE_TEXT = "Countertransference: I felt protective of the client today."


@dataclass
class Record:
    client: object
    appointment: object
    session: object
    administration: object
    reading: object
    response: object
    alert: object
    adverse_event: object
    consent: object


def full_record(world, client=None) -> Record:
    """``client`` (default the world's) with a preparation appointment tomorrow, a signed treatment
    consent, a sublingual session three hours ago dosed with 150 mg and one vitals reading, an adverse
    event, a scored PHQ-9 with its open alert, and a psychotherapy note (which must never leave)."""
    client = client or world.client
    members = world.members
    with scopes_disabled():
        tomorrow = timezone.localdate(timezone=client.practice.zone) + timedelta(days=1)
        appointment = book(
            client,
            local(client.practice, tomorrow.year, tomorrow.month, tomorrow.day, 10, 0),
            [members["therapist"]],
            room=make_room(client.practice, "Garden room"),
        )
        episode = client.episodes.order_by("-opened_at").first()
        publish(members["admin"])
        consent = sign_current(episode, members["admin"])

        opened = timezone.now() - timedelta(hours=3)
        session = make_session(client, opened_at=opened)
        given = dose(
            session,
            members["prescriber"],
            members["monitor"],
            amount=DOSE_MG,
            at=opened + timedelta(minutes=10),
        )
        reading = vitals(session, members["monitor"], at=opened + timedelta(minutes=30), **VITALS)
        adverse_event = recording.record_adverse_event(
            request_for(members["monitor"]),
            session,
            category="cardiovascular",
            description="Blood pressure rose briefly, settled without treatment.",
            onset_at=opened + timedelta(minutes=40),
            severity="moderate",
            relatedness="possibly",
            outcome="resolved",
        )

        assignment = measures.assign(None, client, "phq9")
        draft = measures.draft_for(client, "phq9", source="staff", assignment=assignment)
        response = measures.save_answers(None, draft, PHQ9_ANSWERS, submit=True).response
        alert = response.alerts.get()

        note = IntegrationNote.objects.create(
            practice=client.practice,
            client=client,
            episode=session.episode,
            medicine_session=session,
            held_on=session.opened_at.date(),
            experience_summary="Quiet session.",
            author=members["therapist"].user,
        )
        PsychotherapyNote.objects.create(
            practice=client.practice,
            client=client,
            integration_note=note,
            author=members["therapist"].user,
            body=PRIVATE_TEXT,
        )
    return Record(client, appointment, session, given, reading, response, alert, adverse_event, consent)
