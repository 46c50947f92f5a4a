from kapstone.measures import services
from kapstone.measures.models import SafetyAlert
from kapstone.measures.plan import plan_for

from . import ALL_200, CLINICAL_200, CLINICAL_302, Kind, Spec, only


def measures_object(kind, client):
    assignment = services.assign(None, client, "phq9")
    if kind == "assignment":
        return assignment
    draft = services.draft_for(client, "phq9", source="staff", assignment=assignment)
    outcome = services.save_answers(None, draft, dict.fromkeys(range(1, 9), 0) | {9: 1}, submit=True)
    if kind == "response":
        return outcome.response
    return SafetyAlert.objects.get(response=outcome.response)


def link_token(world, client):
    return [services.issue_link(None, services.assign(None, world.client, "gad7"))]


KINDS = {
    "client_instrument": Kind(lambda world, client: [client.pk, "phq9"], client_scoped=True),
    "response": Kind(
        lambda world, client: [client.pk, measures_object("response", client).pk], client_scoped=True
    ),
    "assignment": Kind(
        lambda world, client: [client.pk, measures_object("assignment", client).pk], client_scoped=True
    ),
    "alert": Kind(lambda world, client: [client.pk, measures_object("alert", client).pk], client_scoped=True),
    "plan_item": Kind(lambda world, client: [plan_for(world.practice)[0].pk], practice_object=True),
    "link": Kind(link_token),
}

SPECS = {
    # clinical roles only, except the due list (front desk sends reminders)
    "measures:client": Spec(CLINICAL_200, kind="client"),
    "measures:choose": Spec(CLINICAL_302, kind="client"),
    "measures:administer": Spec(CLINICAL_200, kind="client_instrument"),
    "measures:response": Spec(CLINICAL_200, kind="response"),
    "measures:assign": Spec(CLINICAL_302, kind="client", method="post"),
    "measures:assign_plan": Spec(CLINICAL_302, kind="client", method="post"),
    "measures:new_link": Spec(CLINICAL_200, kind="assignment", method="post"),
    "measures:acknowledge": Spec(CLINICAL_200, kind="alert"),
    "measures:alerts": Spec(CLINICAL_200),
    "measures:due": Spec(ALL_200),
    "measures:outcomes": Spec(CLINICAL_200),
    "measures:plan": Spec(only("admin")),
    "measures:plan_remove": Spec(only("admin", ok=302), kind="plan_item", method="post"),
    "measures:link": Spec(ALL_200, kind="link", public=True, anonymous=200),
}
