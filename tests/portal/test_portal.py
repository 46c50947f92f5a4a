import re

from django.core import mail
from django.urls import reverse

from kapstone.audit.models import AuditEvent
from kapstone.integration.models import ActionItem, JournalEntry
from kapstone.measures import services as measures
from kapstone.measures.models import QuestionnaireResponse
from kapstone.portal.models import ClientAccount

from ..documents.helpers import pdf_text
from ..factories import PASSWORD, make_client


def test_staff_invite_a_client_who_sets_a_password_and_lands_in_the_portal(client, world, scoped):
    person = make_client(world.practice, care_team=[world.members["therapist"]], email="noa@example.test")
    client.force_login(world.members["therapist"].user)
    client.post(reverse("portal:invite", args=[person.pk]))
    account = ClientAccount.objects.get(client=person)
    assert mail.outbox[-1].to == ["noa@example.test"]
    link = re.search(r"http://testserver(/portal/welcome/\S+/)", mail.outbox[-1].body).group(1)
    client.logout()
    password = "a quiet lake in the morning"
    response = client.post(link, {"new_password1": password, "new_password2": password})
    assert response["Location"] == reverse("portal:home")
    page = client.get(reverse("portal:home")).content.decode()
    assert f"Hello, {person.legal_first_name}" in page
    assert "If you need help now" in page  # crisis resources on every portal page
    account.user.refresh_from_db()
    assert account.user.check_password(password)
    assert client.get(link).status_code == 404  # the link worked once


def test_a_client_without_an_email_cannot_be_invited(client, world, scoped):
    client.force_login(world.members["therapist"].user)
    page = client.post(reverse("portal:invite", args=[world.client.pk]), follow=True).content.decode()
    assert "Add the client" in page and "email address first" in page


def test_clients_sign_in_on_their_own_page_and_never_need_staff_two_factor(client, world, settings, scoped):
    settings.KAPSTONE_REQUIRE_2FA = True
    user = world.client_account.user
    response = client.post(reverse("portal:login"), {"username": user.email, "password": PASSWORD})
    assert response["Location"] == reverse("portal:home")
    assert client.get(reverse("portal:home")).status_code == 200
    assert client.get(reverse("home:index"))["Location"] == reverse("portal:home")
    assert client.get(reverse("clients:list")).status_code == 403


def test_a_client_completes_a_due_questionnaire_in_the_portal(client, world, scoped):
    assignment = measures.assign(None, world.client, "gad7")
    client.force_login(world.client_account.user)
    assert "Fill in a questionnaire (GAD7)" in client.get(reverse("portal:home")).content.decode()
    url = reverse("portal:questionnaire", args=[assignment.pk])
    answers = {f"item_{n}": 1 for n in range(1, 8)}
    page = client.post(url, {**answers, "submit": "1"}).content.decode()
    assert "Thank you" in page
    saved = QuestionnaireResponse.objects.get(assignment=assignment)
    assert (saved.source, saved.total) == ("portal", 7)


def test_journal_entries_are_private_unless_shared(client, world, scoped):
    client.force_login(world.client_account.user)
    client.post(reverse("portal:journal"), {"body": "Only for me.", "prompt": "What stayed with you?"})
    client.post(reverse("portal:journal"), {"body": "I cried for the first time in years.", "shared": "on"})
    assert JournalEntry.objects.filter(client=world.client).count() == 2
    empty = client.post(reverse("portal:journal"), {"body": "   "}).content.decode()
    assert "Write something before saving" in empty

    client.force_login(world.members["therapist"].user)
    page = client.get(reverse("integration:client", args=[world.client.pk])).content.decode()
    assert "I cried for the first time in years." in page
    assert "Only for me." not in page
    assert (
        AuditEvent.objects.filter(action="integration.journal.created", client_id=world.client.pk).count()
        == 2
    )


def test_an_action_item_added_by_the_therapist_shows_in_the_portal(client, world, scoped):
    client.force_login(world.members["therapist"].user)
    client.post(
        reverse("integration:client", args=[world.client.pk]),
        {"what": "Call my sister on Sunday", "due_on": "2026-12-06"},
    )
    assert ActionItem.objects.get(client=world.client).created_by == world.members["therapist"].user
    client.force_login(world.client_account.user)
    assert "Call my sister on Sunday" in client.get(reverse("portal:home")).content.decode()
    # A monitor reads the integration page but cannot add items.
    client.force_login(world.members["monitor"].user)
    assert (
        client.post(reverse("integration:client", args=[world.client.pk]), {"what": "x"}).status_code == 403
    )


def test_reminder_choices_are_saved(client, world, scoped):
    client.force_login(world.client_account.user)
    client.post(reverse("portal:reminders"), {"remind_questionnaires": "on"})
    world.client_account.refresh_from_db()
    assert world.client_account.remind_questionnaires
    assert not world.client_account.remind_intentions and not world.client_account.remind_integration


def test_preparation_and_safety_reading_in_the_portal(client, world, scoped):
    client.force_login(world.client_account.user)
    page = client.get(reverse("portal:material")).content.decode()
    assert "Getting home" in page and "may not drive" in page
    assert "Preparing for your sessions" in page and "Staying safe" in page


def test_due_questionnaires_are_reminded_once_a_day_to_clients_who_chose_it(world, scoped):
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    from kapstone.portal.tasks import remind_due_questionnaires

    world.client_account.user.email = "client.one@example.test"
    world.client_account.user.save()
    measures.assign(None, world.client, "phq9", due_at=timezone.now() - timedelta(hours=1))
    measures.assign(None, world.unassigned_client, "phq9", due_at=timezone.now() - timedelta(hours=1))
    world.other_client_account.remind_questionnaires = False
    world.other_client_account.save()
    assert remind_due_questionnaires.call() == 1
    assert mail.outbox[-1].to == ["client.one@example.test"]
    assert "PHQ" not in mail.outbox[-1].body and "questionnaire" not in mail.outbox[-1].subject.lower()
    assert remind_due_questionnaires.call() == 0  # not twice the same day
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        assert remind_due_questionnaires.call() == 1


def test_a_client_writes_an_intention_their_therapist_sees(client, world, scoped):
    from kapstone.pathway.models import Intention
    from kapstone.pathway.services import open_episode

    episode = open_episode(None, world.client)
    client.force_login(world.client_account.user)
    assert "Write your intention" in client.get(reverse("portal:intentions")).content.decode()
    empty = client.post(reverse("portal:intentions"), {"intention": ""}).content.decode()
    assert "Write your intention, even in a few words." in empty
    client.post(reverse("portal:intentions"), {"intention": "To meet my grief with kindness."})
    intention = Intention.objects.get(episode=episode)
    assert (intention.text, intention.source) == ("To meet my grief with kindness.", "client")


def test_the_home_page_shows_the_next_appointment_and_day_of_instructions(client, world, scoped):
    from datetime import timedelta

    from django.utils import timezone

    from kapstone.scheduling.models import Appointment

    starts = timezone.now() + timedelta(hours=30)
    from kapstone.pathway.services import open_episode

    Appointment.objects.create(
        practice=world.practice,
        client=world.client,
        episode=open_episode(None, world.client),
        kind="medicine",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2, minutes=30),
    )
    client.force_login(world.client_account.user)
    page = client.get(reverse("portal:home")).content.decode()
    assert "Your next appointment" in page and "Medicine session" in page
    assert "do not drive until the next day" in page


def test_signed_consents_can_be_read_and_downloaded(client, world, scoped):
    from ..permission_specs.portal import signed_consent

    signature_id = signed_consent(world, world.client)[0]
    client.force_login(world.client_account.user)
    assert "KAP treatment consent" in client.get(reverse("portal:consents")).content.decode()
    download = client.get(reverse("portal:consent_download", args=[signature_id]))
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["Content-Type"] == "application/pdf"
    text = pdf_text(download.content)
    assert "I agree." in text and world.client.legal_name in text


def test_intention_reminders_before_a_medicine_session_until_one_is_written(world, scoped):
    from datetime import timedelta

    from django.utils import timezone

    from kapstone.pathway.models import Intention
    from kapstone.pathway.services import open_episode
    from kapstone.portal.tasks import remind_intentions
    from kapstone.scheduling.models import Appointment

    episode = open_episode(None, world.client)
    starts = timezone.now() + timedelta(days=2)
    Appointment.objects.create(
        practice=world.practice,
        client=world.client,
        episode=episode,
        kind="medicine",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
    )
    assert remind_intentions.call() == 1
    assert "write your intention" in mail.outbox[-1].body
    Intention.objects.create(practice=world.practice, episode=episode, client=world.client, text="Be gentle.")
    from datetime import timedelta as td

    import time_machine

    with time_machine.travel(timezone.now() + td(days=1)):
        assert remind_intentions.call() == 0


def test_a_client_who_turned_off_integration_reminders_gets_none(world, scoped):
    from datetime import timedelta

    from django.utils import timezone

    from kapstone.pathway.services import open_episode
    from kapstone.scheduling.models import Appointment
    from kapstone.scheduling.tasks import send_reminder

    world.client.email = "c@example.test"
    world.client.save()
    world.client_account.remind_integration = False
    world.client_account.save()
    starts = timezone.now() + timedelta(hours=10)
    appointment = Appointment.objects.create(
        practice=world.practice,
        client=world.client,
        episode=open_episode(None, world.client),
        kind="integration",
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
    )
    assert send_reminder.call(str(appointment.pk)) is False
    world.client_account.remind_integration = True
    world.client_account.save()
    assert send_reminder.call(str(appointment.pk)) is True
