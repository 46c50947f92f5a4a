"""Audit action codes of this app and the words an admin reads for them."""

ACTIONS = {
    "practice.staff.invited": "Invited a staff member",
    "practice.staff.updated": "Changed a staff member's role or status",
    "practice.switched": "Switched practice",
    "practice.alert_settings.changed": "Changed how soon safety alerts escalate",
}
