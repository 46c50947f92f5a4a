"""An open safety alert as a FHIR ``Flag`` (category safety): what it is about, since when.

Acknowledged alerts are no longer flags; they stay in kapstone's record with the action taken.
"""

from typing import Any

from fhir.resources.R4B.flag import Flag

from kapstone.measures.models import SafetyAlert

from . import codes
from .references import patient_of


def flag(alert: SafetyAlert) -> Flag:
    kind = codes.Code(codes.ALERT_KIND, alert.kind, alert.get_kind_display())
    data: dict[str, Any] = {
        "resourceType": "Flag",
        "id": str(alert.pk),
        "status": "active",
        "category": [codes.SAFETY_FLAG.concept()],
        "code": kind.concept(alert.summary),
        "subject": patient_of(alert.client_id),
        "period": {"start": alert.created_at},
    }
    return Flag.model_validate(data)
