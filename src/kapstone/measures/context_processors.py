from django.db.models import Count, Q

from kapstone.clients.access import visible_clients
from kapstone.practice.permissions import Capability, can

from .models import SafetyAlert


def open_alerts(request):
    """The open safety-alert counts, all and critical, for the banner on every staff page (one query)."""
    membership = getattr(request, "membership", None)
    if not can(membership, Capability.VIEW_CLINICAL):
        return {}
    counts = (
        SafetyAlert.objects.open()
        .filter(client__in=visible_clients(membership))
        .aggregate(total=Count("pk"), critical=Count("pk", filter=Q(severity=SafetyAlert.Severity.CRITICAL)))
    )
    return {"open_alert_count": counts["total"], "open_critical_count": counts["critical"]}
