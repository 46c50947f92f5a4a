from kapstone.practice.permissions import Capability, can, visible_clients

from .models import SafetyAlert


def open_alerts(request):
    """The open safety-alert count for the banner on every staff page (one query)."""
    membership = getattr(request, "membership", None)
    if not can(membership, Capability.VIEW_CLINICAL):
        return {}
    count = SafetyAlert.objects.open().filter(client__in=visible_clients(membership)).count()
    return {"open_alert_count": count}
