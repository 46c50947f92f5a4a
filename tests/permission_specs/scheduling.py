from datetime import timedelta

from django.utils import timezone

from kapstone.pathway.models import Episode
from kapstone.scheduling import services
from kapstone.scheduling.models import Appointment, AppointmentClinician, Room

from . import ALL_200, ALL_302, Kind, Spec, only

SCHEDULERS = ("admin", "prescriber", "therapist", "front_desk")


def appointment_for(world, client):
    """A preparation appointment tomorrow for ``client`` (opening an episode if it has none)."""
    episode = services.open_episode_of(client) or Episode.objects.create(
        practice=client.practice, client=client, state="preparation"
    )
    start = timezone.now() + timedelta(days=1)
    appointment = Appointment.objects.create(
        practice=client.practice,
        client=client,
        episode=episode,
        kind="preparation",
        starts_at=start,
        ends_at=start + timedelta(minutes=50),
    )
    member = (
        world.members["therapist"] if client.practice == world.practice else world.other_members["therapist"]
    )
    AppointmentClinician.objects.create(practice=client.practice, appointment=appointment, membership=member)
    return appointment


def room_of(world, client):
    return [Room.objects.create(practice=world.practice, name="Room 1").pk]


def feed_token(world, client):
    return [services.issue_feed(None, world.members["therapist"])]


KINDS = {
    "appointment": Kind(
        lambda world, client: [client.pk, appointment_for(world, client).pk], client_scoped=True
    ),
    "room": Kind(room_of, practice_object=True),
    "feed_token": Kind(feed_token),
}

SPECS = {
    # one client's appointments: every role sees them; the scheduling roles book and change them
    "scheduling:client": Spec(ALL_200, kind="client"),
    "scheduling:new": Spec(only(*SCHEDULERS), kind="client"),
    "scheduling:detail": Spec(ALL_200, kind="appointment"),
    "scheduling:reschedule": Spec(only(*SCHEDULERS), kind="appointment"),
    "scheduling:cancel": Spec(only(*SCHEDULERS), kind="appointment"),
    "scheduling:status": Spec(
        only(*SCHEDULERS, ok=302), kind="appointment", method="post", data={"status": "completed"}
    ),
    # the calendar and each member's own feed page: every role
    "scheduling:calendar": Spec(ALL_302),
    "scheduling:day": Spec(ALL_200),
    "scheduling:week": Spec(ALL_200),
    "scheduling:choose_client": Spec(only(*SCHEDULERS)),
    "scheduling:my_feed": Spec(ALL_200),
    "scheduling:feed": Spec(ALL_200, kind="feed_token", public=True, anonymous=200),
    "scheduling:integrations": Spec(ALL_200),
    # practice configuration: admins
    "scheduling:rooms": Spec(only("admin")),
    "scheduling:room_edit": Spec(only("admin"), kind="room"),
    "scheduling:settings": Spec(only("admin")),
}
