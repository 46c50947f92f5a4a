from ..prescribing.builders import make_certification, make_credential
from . import CLINICAL_200, Kind, Spec, only

# Recording a client's PDMP checks and REMS enrolment: prescribers and admins.
RECORDERS = only("admin", "prescriber")
ADMIN = only("admin")

KINDS = {
    "prescribing_credential": Kind(
        lambda world, client: [make_credential(world.members["prescriber"]).pk], practice_object=True
    ),
    "prescribing_certification": Kind(
        lambda world, client: [make_certification(world.practice, world.members["admin"].user).pk],
        practice_object=True,
    ),
}

SPECS = {
    # clinical roles read; the front desk sees nothing
    "prescribing:index": Spec(CLINICAL_200),
    "prescribing:my_credentials": Spec(CLINICAL_200),
    "prescribing:certifications": Spec(CLINICAL_200),
    "prescribing:client": Spec(CLINICAL_200, kind="client"),
    # prescribers and admins record a client's PDMP checks and REMS enrolment
    "prescribing:pdmp_new": Spec(RECORDERS, kind="client"),
    "prescribing:enrolment_new": Spec(RECORDERS, kind="client"),
    # admins manage everyone's credentials, the certification and the settings
    "prescribing:credentials": Spec(ADMIN),
    "prescribing:expiring": Spec(ADMIN),
    "prescribing:credential": Spec(ADMIN, kind="prescribing_credential"),
    "prescribing:certification": Spec(ADMIN, kind="prescribing_certification"),
    "prescribing:settings": Spec(ADMIN),
}
