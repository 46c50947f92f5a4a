"""Audit action codes of this app and the words an admin reads for them."""

ACTIONS = {
    "scheduling.appointment.created": "Booked an appointment",
    "scheduling.appointment.rescheduled": "Rescheduled an appointment (with a reason)",
    "scheduling.appointment.cancelled": "Cancelled an appointment (with a reason)",
    "scheduling.appointment.completed": "Marked an appointment completed",
    "scheduling.appointment.no_show": "Marked an appointment as a no-show",
    "scheduling.appointment.gate_overridden": (
        "Booked a medicine session before readiness was complete (with a reason)"
    ),
    "scheduling.appointment.viewed": "Viewed an appointment",
    "scheduling.appointments.viewed": "Viewed a client's appointments",
    "scheduling.clients.searched": "Searched clients to book an appointment",
    "scheduling.calendar.viewed": "Viewed the staff calendar",
    "scheduling.integrations.viewed": "Viewed the integrations due",
    "scheduling.feed.created": "Created a private calendar feed address",
    "scheduling.feed.regenerated": "Replaced a private calendar feed address",
    "scheduling.feed.revoked": "Revoked a private calendar feed address",
    "scheduling.feed.fetched": "A calendar app fetched a private calendar feed",
    "scheduling.reminder.sent": "Sent an appointment reminder email to a client",
    "scheduling.room.created": "Added a room or chair",
    "scheduling.room.updated": "Changed a room or chair",
    "scheduling.settings.updated": "Changed the scheduling settings",
}
