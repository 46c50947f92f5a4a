from kapstone.measures.models import PathwayPoint
from kapstone.measures.services import assign
from kapstone.pathway.services import open_episode
from kapstone.screening import services
from kapstone.screening.assessment import run_assessment
from kapstone.screening.models import Inquiry

from ..screening.builders import CLEAN_ANSWERS
from . import ALL_200, ALL_302, CLINICAL_200, CLINICAL_302, Kind, Spec, only

TRIAGERS = only("admin", "prescriber", "therapist", "front_desk")


def make_inquiry(practice):
    return Inquiry.objects.create(
        practice=practice,
        name="Robin Example",
        email="robin@example.test",
        preferred_contact="email",
        reason="Depression for years; my doctor mentioned ketamine.",
    )


def complete_intake(client):
    episode = services.current_episode(client) or open_episode(None, client, state="screening")
    intake = services.start_intake(None, client, episode)
    services.save_intake(None, intake, CLEAN_ANSWERS, complete=True)
    return intake


def make_assessment(client):
    assessment, _ = run_assessment(None, complete_intake(client))
    return assessment


def intake_token(world, client):
    intake = services.start_intake(None, world.client, services.current_episode(world.client))
    return [services.issue_intake_link(None, intake)]


def intake_assignment(world, client):
    episode = services.current_episode(world.client)
    intake = services.start_intake(None, world.client, episode)
    assignment = assign(None, world.client, "pcl5", point=PathwayPoint.INTAKE, episode=episode)
    return [services.issue_intake_link(None, intake), assignment.pk]


KINDS = {
    "inquiry": Kind(lambda world, client: [make_inquiry(world.practice).pk], practice_object=True),
    "assessment": Kind(lambda world, client: [client.pk, make_assessment(client).pk], client_scoped=True),
    "evidence": Kind(lambda world, client: ["spravato-label"]),
    "practice_slug": Kind(lambda world, client: [world.practice.slug]),
    "intake_token": Kind(intake_token),
    "intake_assignment": Kind(intake_assignment),
}

SPECS = {
    # one client's screening: clinical roles on the care team; only a prescriber decides
    "screening:client": Spec(CLINICAL_200, kind="client"),
    "screening:intake": Spec(CLINICAL_200, kind="client"),
    "screening:intake_link": Spec(CLINICAL_200, kind="client", method="post"),
    "screening:assign_screeners": Spec(CLINICAL_302, kind="client", method="post"),
    "screening:run_assessment": Spec(CLINICAL_302, kind="client", method="post"),
    "screening:assessment": Spec(CLINICAL_200, kind="assessment"),
    "screening:decide": Spec(only("prescriber"), kind="assessment", method="post"),
    "screening:worklist": Spec(CLINICAL_200),
    # inquiries: whoever may create clients (front desk included); not monitors
    "screening:inquiries": Spec(TRIAGERS),
    "screening:inquiry": Spec(TRIAGERS, kind="inquiry"),
    "screening:convert": Spec(TRIAGERS, kind="inquiry"),
    # the evidence library and the rule set: every staff member may read them
    "screening:evidence_list": Spec(ALL_200),
    "screening:evidence": Spec(ALL_200, kind="evidence"),
    "screening:rules": Spec(ALL_200),
    "screening:about_edit": Spec(only("admin")),
    # public pages
    "screening:about": Spec(ALL_200, kind="practice_slug", public=True, anonymous=200),
    "screening:reach_out": Spec(ALL_200, kind="practice_slug", public=True, anonymous=200),
    "screening:reach_out_sent": Spec(ALL_200, kind="practice_slug", public=True, anonymous=200),
    "screening:intake_form": Spec(ALL_200, kind="intake_token", public=True, anonymous=200),
    "screening:intake_questionnaire": Spec(
        ALL_302, kind="intake_assignment", method="post", public=True, anonymous=302
    ),
}
