from datetime import timedelta

from django.utils import timezone

from kapstone.sessions.services import order_dose

from ..sessions.builders import confirm, dose, make_session, request_for, vitals
from . import CLINICAL_200, Kind, Spec, only


def a_session(world, client, protocol_id="sublingual"):
    return make_session(client, protocol_id=protocol_id)


def dosed_session(world, client):
    """A session dosed 2 minutes ago by practice A's prescriber and monitor."""
    session = make_session(client)
    members = world.members if client.practice == world.practice else world.other_members
    dose(session, members["prescriber"], members["monitor"], at=timezone.now() - timedelta(minutes=2))
    return session


def ordered_session(world, client):
    """A session whose dose is ordered (checklist confirmed) but not given yet."""
    session = make_session(client)
    members = world.members if client.practice == world.practice else world.other_members
    confirm(session, members["monitor"])
    order_dose(request_for(members["prescriber"]), session, dose=100, weight_kg=70, stock_strength=100)
    return session


def a_vitals_record(world, client):
    session = make_session(client)
    members = world.members if client.practice == world.practice else world.other_members
    return [session.pk, "vitals", vitals(session, members["monitor"]).pk]


def an_administration(world, client):
    session = dosed_session(world, client)
    return [session.pk, "administration", session.administrations.get().pk]


KINDS = {
    "session": Kind(lambda world, client: [a_session(world, client).pk], client_scoped=True),
    "dosed_session": Kind(lambda world, client: [dosed_session(world, client).pk], client_scoped=True),
    "esketamine_session": Kind(
        lambda world, client: [a_session(world, client, "esketamine_intranasal").pk], client_scoped=True
    ),
    "ordered_session": Kind(lambda world, client: [ordered_session(world, client).pk], client_scoped=True),
    "vitals_record": Kind(a_vitals_record, client_scoped=True),
    "administration_record": Kind(an_administration, client_scoped=True),
    "protocol": Kind(lambda world, client: ["sublingual"]),
    "scale": Kind(lambda world, client: ["dissociation_level"]),
}

ADMINISTERING = only("prescriber", "monitor")
PRESCRIBER = only("prescriber")

SPECS = {
    # the live board and the protocols: clinical roles; adjusting a protocol: admin
    "sessions:board": Spec(CLINICAL_200),
    "sessions:board_cards": Spec(CLINICAL_200),
    "sessions:protocols": Spec(CLINICAL_200),
    "sessions:reporting_due": Spec(CLINICAL_200),
    "sessions:protocol_edit": Spec(only("admin"), kind="protocol"),
    "sessions:protocol_supply": Spec(only("admin"), kind="protocol"),
    "sessions:scale_labels": Spec(only("admin"), kind="scale"),
    # a client's sessions; the dose plan is the prescriber's
    "sessions:client": Spec(CLINICAL_200, kind="client"),
    "sessions:dose_plan": Spec(PRESCRIBER, kind="client"),
    "sessions:start": Spec(CLINICAL_200, kind="client"),
    # one session: every clinical role records; only prescribers order; prescribers and monitors give
    "sessions:detail": Spec(CLINICAL_200, kind="session"),
    "sessions:checklist": Spec(CLINICAL_200, kind="session"),
    "sessions:order": Spec(PRESCRIBER, kind="session"),
    "sessions:administer": Spec(ADMINISTERING, kind="ordered_session"),
    "sessions:vitals": Spec(CLINICAL_200, kind="session"),
    "sessions:observation": Spec(CLINICAL_200, kind="session"),
    "sessions:adverse_event": Spec(CLINICAL_200, kind="session"),
    "sessions:note": Spec(CLINICAL_200, kind="session"),
    "sessions:amend": Spec(CLINICAL_200, kind="vitals_record"),
    "sessions:discharge": Spec(CLINICAL_200, kind="dosed_session"),
    # cancelling a session never dosed: prescribers, or whoever opened it (nobody, in this fixture)
    "sessions:cancel": Spec(PRESCRIBER, kind="session"),
    "sessions:summary": Spec(CLINICAL_200, kind="session"),
    "sessions:summary_pdf": Spec(CLINICAL_200, kind="session"),
    "sessions:reporting_form": Spec(CLINICAL_200, kind="esketamine_session"),
    "sessions:reporting_form_pdf": Spec(CLINICAL_200, kind="esketamine_session"),
    # an empty submission is shown back with its errors (200) to every clinical role
    "sessions:reporting_submit": Spec(CLINICAL_200, kind="esketamine_session", method="post", data={}),
}
