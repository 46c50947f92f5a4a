from kapstone.accounts.models import Invitation
from kapstone.integration.models import JournalEntry
from kapstone.measures import services as measures

from . import ALL_403, CLINICAL_200, Kind, Spec, only


def welcome_token(world, client):
    user = world.client_account.user
    _, token = Invitation.issue(user=user, practice=world.practice, created_by=world.members["admin"].user)
    return [token]


def own_assignment(world, client):
    return [measures.assign(None, client, "gad7").pk]


def own_journal_entry(world, client):
    entry = JournalEntry.objects.create(practice=client.practice, client=client, body="Slept well.")
    return [entry.pk]


KINDS = {
    "welcome": Kind(welcome_token),
    "portal_assignment": Kind(own_assignment, portal_object=True),
    "journal_entry": Kind(own_journal_entry, portal_object=True),
}

PORTAL = {"expected": ALL_403, "client": 200}

SPECS = {
    "portal:login": Spec(dict.fromkeys(ALL_403, 302), public=True, anonymous=200, client=302),
    "portal:logout": Spec(dict.fromkeys(ALL_403, 302), method="post", public=True, client=302),
    "portal:welcome": Spec(dict.fromkeys(ALL_403, 200), kind="welcome", public=True, anonymous=200),
    "portal:password_reset": Spec(dict.fromkeys(ALL_403, 200), public=True, anonymous=200, client=200),
    "portal:password_reset_done": Spec(dict.fromkeys(ALL_403, 200), public=True, anonymous=200, client=200),
    "portal:password_reset_confirm": Spec(
        dict.fromkeys(ALL_403, 302), kind="password_reset_link", public=True, anonymous=302, client=302
    ),
    "portal:password_reset_complete": Spec(
        dict.fromkeys(ALL_403, 200), public=True, anonymous=200, client=200
    ),
    "portal:home": Spec(**PORTAL),
    "portal:questionnaires": Spec(**PORTAL),
    "portal:questionnaire": Spec(**PORTAL, kind="portal_assignment"),
    "portal:journal": Spec(**PORTAL),
    "portal:journal_entry": Spec(**PORTAL, kind="journal_entry"),
    "portal:progress": Spec(**PORTAL),
    "portal:reminders": Spec(**PORTAL),
    "portal:material": Spec(**PORTAL),
    # staff side
    "portal:invite": Spec(
        only("admin", "prescriber", "therapist", "front_desk", ok=302), kind="client", method="post"
    ),
    "integration:client": Spec(CLINICAL_200, kind="client"),
}


def action_item(world, client):
    from kapstone.integration.models import ActionItem

    item = ActionItem.objects.create(practice=client.practice, client=client, what="Walk after lunch")
    return [client.pk, item.pk]


KINDS["action_item"] = Kind(action_item, client_scoped=True)
SPECS["integration:action_item"] = Spec(only("admin", "prescriber", "therapist"), kind="action_item")


def signed_consent(world, client):
    from django.utils import timezone

    from kapstone.pathway.models import ConsentDocument, ConsentSignature

    document = ConsentDocument.objects.filter(
        practice=client.practice
    ).first() or ConsentDocument.objects.create(
        practice=client.practice, kind="treatment", version=1, title="KAP treatment consent", text="I agree."
    )
    signature = ConsentSignature.objects.create(
        practice=client.practice,
        document=document,
        client=client,
        signed_at=timezone.now(),
        signed_name=client.legal_name,
        signed_title=document.title,
        signed_text=document.text,
    )
    return [signature.pk]


KINDS["signed_consent"] = Kind(signed_consent, portal_object=True)
SPECS["portal:intentions"] = Spec(**PORTAL)
SPECS["portal:consents"] = Spec(**PORTAL)
SPECS["portal:consent_download"] = Spec(**PORTAL, kind="signed_consent")


def integration_note(world, client):
    from kapstone.integration.models import IntegrationNote

    from ..sessions.builders import discharged_session

    session = discharged_session(client, world)
    note = IntegrationNote.objects.create(
        practice=client.practice,
        client=client,
        episode=session.episode,
        medicine_session=session,
        held_on=session.opened_at.date(),
        experience_summary="Calm, tearful, relieved.",
        author=world.members["therapist"].user,
    )
    return [client.pk, note.pk]


def medicine_session(world, client):
    from ..sessions.builders import discharged_session

    return [client.pk, discharged_session(client, world).pk]


KINDS["integration_note"] = Kind(integration_note, client_scoped=True)
KINDS["medicine_session"] = Kind(medicine_session, client_scoped=True)
WRITERS = only("admin", "prescriber", "therapist")
SPECS["integration:note"] = Spec(CLINICAL_200, kind="integration_note")
SPECS["integration:note_new"] = Spec(WRITERS, kind="medicine_session")
SPECS["integration:psychotherapy_note"] = Spec(WRITERS, kind="integration_note")
SPECS["integration:themes"] = Spec(only("admin"))
