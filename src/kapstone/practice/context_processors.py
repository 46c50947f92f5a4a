from django.conf import settings

from .permissions import Capability, can


def practice(request):
    """The signed-in member's practice and role flags for the layout (navigation, idle timer)."""
    membership = getattr(request, "membership", None)
    return {
        "membership": membership,
        "practice": getattr(request, "practice", None),
        "can": {cap.name.lower(): can(membership, cap) for cap in Capability},
        "idle_timeout_seconds": int(settings.KAPSTONE_IDLE_TIMEOUT.total_seconds()),
    }
