"""Audit action codes of this app and the words an admin reads for them."""

ACTIONS = {
    "clients.client.created": "Created a client record",
    "clients.client.updated": "Changed a client record",
    "clients.chart.viewed": "Viewed a client's chart",
    "clients.record.viewed": "Viewed a client's details",
    "clients.list.viewed": "Viewed the client list",
    "clients.care_team.added": "Added a care-team member",
    "clients.care_team.removed": "Removed a care-team member",
}
