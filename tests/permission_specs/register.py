from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from kapstone.register import counts, services

from ..register.builders import ketamine_vial, make_location, receive, request_as
from . import CLINICAL_200, CLINICAL_302, Kind, Spec, only

# Moving stock: admins and prescribers (monitors and nurses only when the practice names them).
MOVERS = only("admin", "prescriber")
MOVERS_302 = only("admin", "prescriber", ok=302)
ADMIN = only("admin")


def a_container(world, client=None):
    prescriber = world.members["prescriber"]
    return receive(prescriber, make_location(world.practice), ketamine_vial(world.practice))[0]


def a_draw(world, client):
    vial = a_container(world)
    request = request_as(world.members["prescriber"])
    return services.draw_for_dose(
        request, container=vial, client=world.client, administration_ref="a-1", ml=1
    )


def a_discrepancy(world, client):
    vial = a_container(world)
    count = counts.record_count(
        request_as(world.members["prescriber"]),
        location=vial.location,
        kind="ad_hoc",
        business_time="shift",
        taken_at=timezone.now() - timedelta(minutes=1),
        lines=[counts.Counted(vial, Decimal(9), "exact")],
    )
    return count.lines.get().discrepancy


def a_task(world, client):
    report = services.report_loss(
        request_as(world.members["prescriber"]),
        container=a_container(world),
        kind="loss",
        quantity=Decimal(1),
        discovered_at=timezone.now() - timedelta(minutes=5),
        description="Vial found cracked and empty in the safe.",
    )
    return report.tasks.first()


KINDS = {
    "register_container": Kind(lambda world, client: [a_container(world).pk], practice_object=True),
    "register_entry": Kind(lambda world, client: [a_draw(world, client).pk], practice_object=True),
    "register_count": Kind(
        lambda world, client: [a_discrepancy(world, client).line.count_id], practice_object=True
    ),
    "register_discrepancy": Kind(
        lambda world, client: [a_discrepancy(world, client).pk], practice_object=True
    ),
    "register_task": Kind(lambda world, client: [a_task(world, client).pk], practice_object=True),
    "register_location": Kind(lambda world, client: [make_location(world.practice).pk], practice_object=True),
    "register_product": Kind(lambda world, client: [ketamine_vial(world.practice).pk], practice_object=True),
}

SPECS = {
    # the register: clinical roles read it, the front desk sees nothing of it
    "register:index": Spec(CLINICAL_200),
    "register:container": Spec(CLINICAL_200, kind="register_container"),
    "register:counts": Spec(CLINICAL_200),
    "register:count": Spec(CLINICAL_200, kind="register_count"),
    "register:discrepancies": Spec(CLINICAL_200),
    "register:tasks": Spec(CLINICAL_200),
    "register:report": Spec(CLINICAL_200),
    "register:report_csv": Spec(CLINICAL_302),  # without a period: back to the report page
    "register:report_pdf": Spec(CLINICAL_302),  # without a period: back to the report page
    # moving stock: admins and prescribers (and staff the practice names)
    "register:receive": Spec(MOVERS),
    "register:waste": Spec(MOVERS, kind="register_container"),
    "register:transfer": Spec(MOVERS, kind="register_container"),
    "register:return": Spec(MOVERS, kind="register_container"),
    "register:destroy": Spec(MOVERS, kind="register_container"),
    "register:loss": Spec(MOVERS, kind="register_container"),
    "register:set_aside": Spec(MOVERS, kind="register_container"),
    "register:correct": Spec(MOVERS, kind="register_entry"),
    "register:count_new": Spec(MOVERS),
    "register:explain": Spec(MOVERS, kind="register_discrepancy"),
    "register:task_done": Spec(
        MOVERS_302,
        kind="register_task",
        method="post",
        data={"reference": "Notice emailed to the field office"},
    ),
    # setting up: admins
    "register:locations": Spec(ADMIN),
    "register:location": Spec(ADMIN, kind="register_location"),
    "register:products": Spec(ADMIN),
    "register:product": Spec(ADMIN, kind="register_product"),
    "register:settings": Spec(ADMIN),
}
