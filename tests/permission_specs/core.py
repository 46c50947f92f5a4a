from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from kapstone.accounts.models import Invitation

from ..factories import make_user
from . import ALL_200, ALL_302, Kind, Spec, only

EDITORS = ("admin", "prescriber", "therapist", "front_desk")


def invitation_token(world, client):
    invitee = world.members["monitor"].user
    _, token = Invitation.issue(user=invitee, practice=world.practice, created_by=world.members["admin"].user)
    return [token]


def password_reset_link(world, client):
    user = make_user()  # not the person signing in: signing in voids their own reset tokens
    return [urlsafe_base64_encode(force_bytes(user.pk)), default_token_generator.make_token(user)]


KINDS = {
    "password_reset_link": Kind(password_reset_link),
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
    # "forgot your password?": public, and answered alike whoever asks; a live link moves its token
    # out of the URL into the session (302), as Django does
    "accounts:password_reset": Spec(ALL_200, public=True, anonymous=200, client=200),
    "accounts:password_reset_done": Spec(ALL_200, public=True, anonymous=200, client=200),
    "accounts:password_reset_confirm": Spec(
        ALL_302, kind="password_reset_link", public=True, anonymous=302, client=302
    ),
    "accounts:password_reset_complete": Spec(ALL_200, public=True, anonymous=200, client=200),
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
