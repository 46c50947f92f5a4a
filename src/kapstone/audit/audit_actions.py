"""Audit action codes of this app and the words an admin reads for them."""

ACTIONS = {
    "audit.events.viewed": "Viewed the audit trail",
}
