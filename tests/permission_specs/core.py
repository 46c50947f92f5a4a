from kapstone.accounts.models import Invitation

from . import ALL_200, ALL_302, Kind, Spec, only

EDITORS = ("admin", "prescriber", "therapist", "front_desk")


def invitation_token(world, client):
    invitee = world.members["monitor"].user
    _, token = Invitation.issue(user=invitee, practice=world.practice, created_by=world.members["admin"].user)
    return [token]


KINDS = {
    "client": Kind(lambda world, client: [client.pk], client_scoped=True),
    "care_team_member": Kind(
        lambda world, client: [client.pk, client.care_team.first().pk], client_scoped=True
    ),
    "membership": Kind(lambda world, client: [world.members["therapist"].pk], practice_object=True),
    "invitation": Kind(invitation_token),
}

SPECS = {
    "healthz": Spec(public=True, anonymous=200),
    "home:index": Spec(ALL_200, client=302),  # a client is sent to the portal
    # accounts: every signed-in user has their own account pages
    "accounts:login": Spec(ALL_302, public=True, anonymous=200, client=302),  # signed in: sent on
    "accounts:logout": Spec(ALL_302, method="post", public=True),
    "accounts:verify": Spec(ALL_200, client=200),
    "accounts:enroll": Spec(ALL_200, client=200),
    "accounts:recovery_codes": Spec(ALL_200, client=200),
    "accounts:security": Spec(ALL_200, client=200),
    "accounts:password_change": Spec(ALL_200, client=200),
    "accounts:switch_practice": Spec(ALL_302, method="post", data={"practice": ""}, client=302),
    "accounts:invitation": Spec(ALL_200, kind="invitation", public=True, anonymous=200),
    # clients
    "clients:list": Spec(ALL_200),
    "clients:create": Spec(only(*EDITORS)),
    "clients:detail": Spec(ALL_200, kind="client"),
    "clients:edit": Spec(only(*EDITORS), kind="client"),
    "clients:care_team": Spec(only(*EDITORS), kind="client"),
    "clients:care_team_remove": Spec(only(*EDITORS, ok=302), kind="care_team_member", method="post"),
    # practice administration
    "practice:staff": Spec(only("admin")),
    "practice:staff_invite": Spec(only("admin")),
    "practice:staff_edit": Spec(only("admin"), kind="membership"),
    "practice:alert_settings": Spec(only("admin")),
    "audit:events": Spec(only("admin")),
}
